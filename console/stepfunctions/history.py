"""An execution's history events, read as the states it entered.

The AWS console's graph, table and step panel are all views of one thing: each
time the execution entered a state (a *visit*), with the attempts of its task,
their errors and the backoff between them, and how the visit ended. This module
derives those visits from `GetExecutionHistory` events alone, so the console
needs nothing else and works wherever the history comes from:

- **AWS** links every event to the one before it (`previousEventId`), names Lambda
  tasks `LambdaFunctionScheduled/Started/Succeeded/Failed` and logs the states
  inside Map iterations and Parallel branches; a visit's owner is found by
  following `previousEventId` back to the `...StateEntered` it belongs to.
- **MiniStack** logs generic `TaskScheduled/TaskSucceeded/TaskFailed`, no
  `previousEventId` and nothing inside Map or Parallel; events then belong to
  the visit entered last and still open, which is exact for a history without
  concurrent branches.

Pure: events in (as boto3 returns them), visits out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

Event = Mapping[str, Any]


class StateStatus(StrEnum):
    """How a state fared in an execution; the graph's colours and the table's labels."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CAUGHT_ERROR = "caught-error"
    IN_PROGRESS = "in-progress"
    ABORTED = "aborted"
    NOT_REACHED = "not-reached"


# Suffixes of the events of one attempt of a task, an activity or a Lambda function.
_ATTEMPT_KINDS = ("Task", "LambdaFunction", "Activity")
_ATTEMPT_BEGIN = ("Scheduled",)
_ATTEMPT_START = ("Started", "Submitted")
_ATTEMPT_SUCCESS = ("Succeeded",)
_ATTEMPT_FAILURE = ("Failed", "TimedOut", "ScheduleFailed", "StartFailed", "SubmitFailed")
# A Map or Parallel state that failed as a whole (then caught, or failing the execution).
_CONTAINER_FAILURE = ("MapStateFailed", "ParallelStateFailed", "MapRunFailed")
_EXECUTION_FAILURE = ("ExecutionFailed", "ExecutionTimedOut")
_CONTAINERS = ("Map", "Parallel")


@dataclass
class Attempt:
    """One try of a state's task: the first, then one per retry."""

    number: int
    scheduled_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None  # "succeeded", "failed", "timed-out"; None while it runs
    error: str | None = None
    cause: str | None = None
    backoff_seconds: float | None = None  # waited after the previous attempt failed

    @property
    def seconds(self) -> float | None:
        return None if self.ended_at is None else (self.ended_at - self.scheduled_at).total_seconds()


@dataclass
class StateVisit:
    """One entry into a state, until it exited or the execution ended."""

    event_id: int  # the ...StateEntered event's id; identifies the visit
    name: str
    type: str
    entered_at: datetime
    input: str | None = None
    exited_at: datetime | None = None
    output: str | None = None
    status: StateStatus = StateStatus.IN_PROGRESS
    error: str | None = None
    cause: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    parent: int | None = None  # event_id of the Map/Parallel visit it ran inside
    iteration: int | None = None  # the Map iteration's index
    depth: int = 0
    event_ids: list[int] = field(default_factory=list)

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def open(self) -> bool:
        return self.exited_at is None and self.status is StateStatus.IN_PROGRESS

    def seconds(self, now: datetime) -> float:
        return ((self.exited_at or now) - self.entered_at).total_seconds()


def event_details(event: Event) -> Mapping[str, Any]:
    """The event's `...EventDetails` member (every event has at most one)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def derive_visits(events: Iterable[Event]) -> list[StateVisit]:
    """Every state visit of the history, in the order they were entered."""
    return _VisitBuilder().build(events)


class _VisitBuilder:
    def __init__(self) -> None:
        self.visits: dict[int, StateVisit] = {}
        self.by_event: dict[int, Event] = {}
        self.owner_of: dict[int, int] = {}  # event id -> visit event_id
        self.iteration_of: dict[int, int] = {}  # MapIterationStarted event id -> index

    def build(self, events: Iterable[Event]) -> list[StateVisit]:
        for event in sorted(events, key=lambda e: int(e["id"])):
            self.by_event[int(event["id"])] = event
            self._read(event)
        return list(self.visits.values())

    def _read(self, event: Event) -> None:
        kind = str(event["type"])
        event_id = int(event["id"])
        details = event_details(event)
        if kind.startswith("MapIteration") and kind.endswith("Started"):
            self.iteration_of[event_id] = int(details.get("index", 0))
        if kind.endswith("StateEntered"):
            self._enter(event, kind.removesuffix("StateEntered"), details)
            return
        if kind.endswith("StateExited"):
            self._exit(event, details)
            return
        if kind in _EXECUTION_FAILURE:
            self._end_open(event, StateStatus.FAILED, details)
            return
        if kind == "ExecutionAborted":
            self._end_open(event, StateStatus.ABORTED, details)
            return
        visit = self._owner(event)
        if visit is None:
            return
        self.owner_of[event_id] = visit.event_id
        visit.event_ids.append(event_id)
        if kind in _CONTAINER_FAILURE:
            visit.error, visit.cause = details.get("error"), details.get("cause")
            return
        self._attempt_event(visit, event, kind, details)

    def _enter(self, event: Event, state_type: str, details: Mapping[str, Any]) -> None:
        event_id = int(event["id"])
        parent = self._container_of(event)
        visit = StateVisit(
            event_id=event_id,
            name=str(details.get("name", "")),
            type=state_type,
            entered_at=event["timestamp"],
            input=details.get("input"),
            parent=parent.event_id if parent else None,
            iteration=self._iteration(event),
            depth=parent.depth + 1 if parent else 0,
            event_ids=[event_id],
        )
        if state_type == "Fail":
            visit.status = StateStatus.FAILED
            visit.exited_at = visit.entered_at
        self.visits[event_id] = visit
        self.owner_of[event_id] = event_id

    def _exit(self, event: Event, details: Mapping[str, Any]) -> None:
        name = details.get("name")
        visit = self._owner(event, name=name)
        if visit is None:
            return
        visit.exited_at = event["timestamp"]
        visit.output = details.get("output")
        visit.event_ids.append(int(event["id"]))
        self.owner_of[int(event["id"])] = visit.event_id
        failed = visit.error is not None or (visit.attempts and visit.attempts[-1].outcome not in (None, "succeeded"))
        visit.status = StateStatus.CAUGHT_ERROR if failed else StateStatus.SUCCEEDED

    def _end_open(self, event: Event, status: StateStatus, details: Mapping[str, Any]) -> None:
        """The execution ended: states still open end with it."""
        for visit in self.visits.values():
            if visit.type == "Fail" and visit.error is None:  # the error it raised
                visit.error, visit.cause = details.get("error"), details.get("cause")
            if not visit.open:
                continue
            visit.status = status
            visit.exited_at = event["timestamp"]
            if visit.error is None and status is StateStatus.FAILED:
                last = visit.attempts[-1] if visit.attempts else None
                visit.error = last.error if last and last.error else details.get("error")
                visit.cause = last.cause if last and last.cause else details.get("cause")

    def _attempt_event(self, visit: StateVisit, event: Event, kind: str, details: Mapping[str, Any]) -> None:
        prefix = next((p for p in _ATTEMPT_KINDS if kind.startswith(p)), None)
        if prefix is None:
            return
        phase = kind.removeprefix(prefix)
        if phase not in (*_ATTEMPT_BEGIN, *_ATTEMPT_START, *_ATTEMPT_SUCCESS, *_ATTEMPT_FAILURE):
            return  # TaskStateAborted and the like: about the state, not an attempt
        at: datetime = event["timestamp"]
        current = visit.attempts[-1] if visit.attempts else None
        if phase in _ATTEMPT_BEGIN or current is None or current.outcome is not None:
            backoff = None
            if current is not None and current.ended_at is not None and current.outcome != "succeeded":
                backoff = (at - current.ended_at).total_seconds()
            current = Attempt(number=len(visit.attempts) + 1, scheduled_at=at, backoff_seconds=backoff)
            visit.attempts.append(current)
            if phase in _ATTEMPT_BEGIN:
                return
        if phase in _ATTEMPT_START:
            current.started_at = current.started_at or at
        elif phase in _ATTEMPT_SUCCESS:
            current.ended_at, current.outcome = at, "succeeded"
        elif phase in _ATTEMPT_FAILURE:
            current.ended_at = at
            current.outcome = "timed-out" if phase == "TimedOut" else "failed"
            current.error, current.cause = details.get("error"), details.get("cause")

    # --- which visit an event belongs to -------------------------------------------

    def _owner(self, event: Event, name: str | None = None) -> StateVisit | None:
        """The open visit an event of a state belongs to (an exit: the open visit of that name)."""
        if event.get("previousEventId"):
            visit, _ = self._nearest_visit(event)
            while visit is not None and not (visit.open and (name is None or visit.name == name)):
                visit = self.visits.get(visit.parent) if visit.parent else None
            if visit is not None:
                return visit
        for visit in reversed(self.visits.values()):
            if visit.open and (name is None or visit.name == name):
                return visit
        return None

    def _container_of(self, event: Event) -> StateVisit | None:
        """The open Map or Parallel visit a newly entered state runs inside."""
        if event.get("previousEventId"):
            visit, _ = self._nearest_visit(event)
            if visit is not None and not (visit.open and visit.type in _CONTAINERS):
                visit = self.visits.get(visit.parent) if visit.parent else None  # a sibling's container
            return visit
        for visit in reversed(self.visits.values()):
            if visit.open and visit.type in _CONTAINERS:
                return visit
        return None

    def _iteration(self, event: Event) -> int | None:
        visit, iteration = self._nearest_visit(event)
        if iteration is not None:
            return iteration
        if visit is None or (visit.open and visit.type in _CONTAINERS):
            return None
        return visit.iteration  # a sibling in the same iteration

    def _nearest_visit(self, event: Event) -> tuple[StateVisit | None, int | None]:
        """Following `previousEventId`: the first earlier event's visit, and the Map
        iteration index met on the way there (None without one)."""
        event_id = int(event.get("previousEventId") or 0)
        iteration = None
        while event_id:
            if iteration is None and event_id in self.iteration_of:
                iteration = self.iteration_of[event_id]
            owner = self.owner_of.get(event_id)
            if owner is not None:
                return self.visits[owner], iteration
            earlier = self.by_event.get(event_id)
            if earlier is None:
                break
            event_id = int(earlier.get("previousEventId") or 0)
        return None, iteration


def state_statuses(visits: Iterable[StateVisit]) -> dict[str, StateStatus]:
    """Each state's status in the execution: its last visit's, or, for a state run in
    several Map iterations, the most telling of them (in progress, failed, caught...)."""
    by_name: dict[str, list[StateVisit]] = {}
    for visit in visits:
        by_name.setdefault(visit.name, []).append(visit)
    statuses: dict[str, StateStatus] = {}
    for name, named in by_name.items():
        if len({(visit.parent, visit.iteration) for visit in named}) > 1:
            statuses[name] = min((visit.status for visit in named), key=_PRECEDENCE.index)
        else:
            statuses[name] = named[-1].status
    return statuses


_PRECEDENCE = [
    StateStatus.IN_PROGRESS,
    StateStatus.FAILED,
    StateStatus.ABORTED,
    StateStatus.CAUGHT_ERROR,
    StateStatus.SUCCEEDED,
    StateStatus.NOT_REACHED,
]
