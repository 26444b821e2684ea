"""Templates, the filters they use, and the URL of every object page."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from console.context import Console
from console.times import as_datetime

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def pretty(value: Any) -> str:
    """JSON (text or data) indented for reading; other text as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, sort_keys=False, default=str)


def when(value: Any) -> str:
    moment = as_datetime(value)
    if moment is None:
        return "–" if value in (None, "") else str(value)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} UTC"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{int(minutes)} min {rest:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min"


def seconds_between(start: Any, stop: Any) -> float | None:
    begin, end = as_datetime(start), as_datetime(stop)
    return None if begin is None or end is None else (end - begin).total_seconds()


def arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def execution_url(arn: str, **query: Any) -> str:
    return _with_query(f"/executions/{quote(arn, safe=':')}", query)


def state_machine_url(arn: str, **query: Any) -> str:
    return _with_query(f"/state-machines/{quote(arn, safe=':')}", query)


def queue_url(name: str, **query: Any) -> str:
    return _with_query(f"/queues/{quote(name, safe='')}", query)


def task_url(task_id: str) -> str:
    return f"/tasks/{quote(task_id, safe='')}"


def job_url(job_id: str) -> str:
    return f"/jobs/{quote(job_id, safe='')}"


def _with_query(path: str, query: dict[str, Any]) -> str:
    kept = {name: value for name, value in query.items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def page_url(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    query = dict(request.query_params)
    query.update({name: value for name, value in changes.items()})
    query.pop("notice", None)
    return _with_query(request.url.path, query)


TEMPLATES.env.filters.update(pretty=pretty, when=when, duration=duration, arn_name=arn_name)
TEMPLATES.env.globals.update(
    execution_url=execution_url,
    state_machine_url=state_machine_url,
    queue_url=queue_url,
    task_url=task_url,
    job_url=job_url,
    seconds_between=seconds_between,
    page_url=page_url,
)


def console_of(request: Request) -> Console:
    """The console the request's page reads through."""
    return request.app.state.console  # type: ignore[no-any-return]


def render(request: Request, template: str, status_code: int = 200, live: bool = False, **context: Any) -> HTMLResponse:
    """A page; `live` pages refresh by themselves while they show work in progress."""
    console = console_of(request)
    from console.web.sections import SECTIONS

    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "settings": console.settings,
            "where": console.aws.where,
            "sections": SECTIONS,
            "live": live,
            "notice": request.query_params.get("notice"),
            **context,
        },
        status_code=status_code,
    )
