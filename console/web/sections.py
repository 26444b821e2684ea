"""The console's sections, in the order the navigation shows them.

A section is one module in `console/web/pages` exposing `routes`; a workload's pages
join by adding their module here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute

from console.web.pages import evaluation, jobs, library, queues, stepfunctions, tasks


@dataclass(frozen=True)
class Section:
    title: str
    path: str  # the section's first page, and the prefix that marks it current in the navigation
    routes: Sequence[BaseRoute]


SECTIONS = [
    Section("State machines", "/state-machines", stepfunctions.routes),
    Section("Queues", "/queues", queues.routes),
    Section("Tasks", "/tasks", tasks.routes),
    Section("Jobs", "/jobs", jobs.routes),
    Section("Library", "/library", library.routes),
    Section("Evaluation runs", "/runs", evaluation.routes),
]
