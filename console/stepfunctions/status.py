"""Colour a state machine graph by one execution: each node's status.

A state's status comes from its visits (`history.state_statuses`); a state never
entered is *not reached*. Where the history has no events for the states inside a
Map or Parallel (MiniStack logs none), those states show their container's status,
marked as *inferred* so the page can say so. Start is reached by every execution;
End when the execution succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.stepfunctions.graph import END, START, Graph
from console.stepfunctions.history import StateStatus, StateVisit, state_statuses

_EXECUTION_END = {
    "SUCCEEDED": StateStatus.SUCCEEDED,
    "FAILED": StateStatus.FAILED,
    "TIMED_OUT": StateStatus.FAILED,
    "ABORTED": StateStatus.ABORTED,
}


@dataclass(frozen=True)
class NodeStatus:
    status: StateStatus
    inferred: bool = False  # taken from the Map/Parallel around it: the history has no events inside


def node_statuses(graph: Graph, visits: Iterable[StateVisit], execution_status: str) -> dict[str, NodeStatus]:
    by_state = state_statuses(visits)
    statuses: dict[str, NodeStatus] = {}
    for node in graph.nodes.values():
        if node.is_state:
            statuses[node.id] = NodeStatus(by_state.get(node.id, StateStatus.NOT_REACHED))
    for container in graph.containers:  # outer containers first: nested ones inherit in turn
        members = [m for m in graph.members(container) if graph.nodes[m].is_state]
        if any(m in by_state for m in members) or container not in by_state:
            continue
        for member in members:
            statuses[member] = NodeStatus(statuses[container].status, inferred=True)
    for container in graph.containers:
        statuses[f"{container}__join__"] = statuses[container]
    statuses[START] = NodeStatus(StateStatus.SUCCEEDED)
    ended = _EXECUTION_END.get(execution_status)
    statuses[END] = NodeStatus(StateStatus.SUCCEEDED if ended is StateStatus.SUCCEEDED else StateStatus.NOT_REACHED)
    return statuses
