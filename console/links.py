"""Links between Conveyor's objects and the AWS resources behind them.

- a demo task → its execution: the task's `executionArn` (Conveyor's API gives it);
- an execution → its task: an execution of the stack's demo-task state machine
  carries the task in its input (`{"task": {"taskId": ...}, "run": n}`);
- a job → its queue and DLQ: jobs name their queue (`context-scraping`, `probe-scenario`),
  whose SQS queue is the stack's `<prefix>-<queue>` (`<stack>-jobs-context-scraping`,
  `<stack>-evaluation-probe-scenario`), and its DLQ that queue's redrive target.
"""

from __future__ import annotations

import json
from typing import Any

from console.stack import StackResources

DEMO_TASK_MACHINE_OUTPUT = "DemoTaskStateMachineArn"


def task_of_execution(execution: dict[str, Any], stack: StackResources) -> str | None:
    machine = stack.outputs.get(DEMO_TASK_MACHINE_OUTPUT)
    if machine is None or execution.get("stateMachineArn") != machine:
        return None
    try:
        task = json.loads(execution.get("input") or "{}").get("task", {})
    except (ValueError, AttributeError):
        return None
    task_id = task.get("taskId") if isinstance(task, dict) else None
    return str(task_id) if task_id else None


def job_queue_url(job_queue: str, stack: StackResources) -> str | None:
    """The SQS queue of a job's queue name (`context-scraping`)."""
    suffix = f"-{job_queue}"
    return next((url for url in stack.queue_urls if url.endswith(suffix)), None)
