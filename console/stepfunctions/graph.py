"""A state machine definition (Amazon States Language) as a graph to draw.

Nodes are the states, plus a Start and an End node as the AWS console draws
them. Edges are the transitions: `Next`, each `Choices[].Next` and `Default`, each
`Catch[].Next` (an error path), and `End`. The states of a Parallel's branches and
of a Map's item processor are nodes too, inside their container: the container
node leads to each branch's first state, and each branch's last state leads to the
container's *join* node, from which the container's own `Next` and `Catch` leave.
State names are unique in a whole state machine, so a state's name is its node id.

Pure: a definition in, a `Graph` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

START = "__start__"
END = "__end__"
JOIN_SUFFIX = "__join__"


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str  # a state's Type, or "Start", "End", "Join"
    container: str | None = None  # the Map/Parallel state it runs inside
    comment: str = ""

    @property
    def is_state(self) -> bool:
        return self.kind not in ("Start", "End", "Join")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "next", "choice", "default", "catch", "branch", "end"
    label: str = ""


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def members(self, container: str) -> list[str]:
        """Every node inside a Map/Parallel state, nested ones included."""
        inside = [node.id for node in self.nodes.values() if node.container == container]
        nested = [member for node_id in inside for member in self.members(node_id)]
        return inside + nested

    @property
    def containers(self) -> list[str]:
        return [node.id for node in self.nodes.values() if node.kind in ("Map", "Parallel")]


class InvalidDefinition(ValueError):
    """The definition is not a state machine this module can draw."""


def join_id(container: str) -> str:
    return f"{container}{JOIN_SUFFIX}"


def build_graph(definition: Mapping[str, Any]) -> Graph:
    states = definition.get("States")
    if not isinstance(states, Mapping) or definition.get("StartAt") not in states:
        raise InvalidDefinition("a definition needs States and a StartAt naming one of them")
    graph = Graph()
    graph.nodes[START] = Node(START, "Start", "Start")
    graph.nodes[END] = Node(END, "End", "End")
    graph.edges.append(Edge(START, str(definition["StartAt"]), "next"))
    _add_states(graph, states, container=None, exit_to=END)
    return graph


def _add_states(graph: Graph, states: Mapping[str, Any], container: str | None, exit_to: str) -> None:
    """Add a block of states; a state that ends the block leads to `exit_to`."""
    for name, state in states.items():
        kind = str(state.get("Type", "Task"))
        graph.nodes[name] = Node(name, name, kind, container, str(state.get("Comment", "")))
        origin = name
        if kind in ("Map", "Parallel"):
            origin = join_id(name)
            graph.nodes[origin] = Node(origin, "", "Join", container)
            for branch in _branches(state):
                graph.edges.append(Edge(name, str(branch["StartAt"]), "branch"))
                _add_states(graph, branch["States"], container=name, exit_to=origin)
        graph.edges.extend(_transitions(origin, kind, state, exit_to))


def _branches(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if state.get("Type") == "Parallel":
        branches = state.get("Branches", [])
    else:  # Map: ItemProcessor (current) or Iterator (before 2022)
        branches = [state.get("ItemProcessor") or state.get("Iterator") or {}]
    valid = [b for b in branches if isinstance(b.get("States"), Mapping) and b.get("StartAt") in b["States"]]
    if len(valid) != len(branches):
        raise InvalidDefinition(f"a branch of {state.get('Type')} state has no States or StartAt")
    return valid


def _transitions(origin: str, kind: str, state: Mapping[str, Any], exit_to: str) -> list[Edge]:
    edges: list[Edge] = []
    if kind == "Choice":
        for index, choice in enumerate(state.get("Choices", []), start=1):
            if "Next" in choice:
                edges.append(Edge(origin, str(choice["Next"]), "choice", _rule_label(choice, index)))
        if "Default" in state:
            edges.append(Edge(origin, str(state["Default"]), "default", "Default"))
    elif "Next" in state:
        edges.append(Edge(origin, str(state["Next"]), "next"))
    elif state.get("End") or kind in ("Succeed", "Fail"):
        edges.append(Edge(origin, exit_to, "end"))
    for catcher in state.get("Catch", []):
        errors = ", ".join(catcher.get("ErrorEquals", []))
        edges.append(Edge(origin, str(catcher["Next"]), "catch", errors))
    return edges


def _rule_label(choice: Mapping[str, Any], index: int) -> str:
    """A short reading of a choice rule: `$.x == 1`, or `Rule #n` for compound ones."""
    if "Condition" in choice:  # JSONata
        return str(choice["Condition"]).strip("{}% ")[:40]
    variable = choice.get("Variable")
    for key, value in choice.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        operator = _OPERATORS.get(key.removesuffix("Path"))
        if variable and operator:
            shown = value if key.endswith("Path") else repr(value) if isinstance(value, str) else value
            return f"{variable} {operator} {shown}"[:40]
    return f"Rule #{index}"


_OPERATORS = {
    "StringEquals": "==",
    "NumericEquals": "==",
    "BooleanEquals": "==",
    "TimestampEquals": "==",
    "StringLessThan": "<",
    "NumericLessThan": "<",
    "TimestampLessThan": "<",
    "StringGreaterThan": ">",
    "NumericGreaterThan": ">",
    "TimestampGreaterThan": ">",
    "StringLessThanEquals": "<=",
    "NumericLessThanEquals": "<=",
    "TimestampLessThanEquals": "<=",
    "StringGreaterThanEquals": ">=",
    "NumericGreaterThanEquals": ">=",
    "TimestampGreaterThanEquals": ">=",
    "StringMatches": "matches",
    "IsPresent": "is present:",
    "IsNull": "is null:",
    "IsNumeric": "is numeric:",
    "IsString": "is string:",
    "IsBoolean": "is boolean:",
    "IsTimestamp": "is timestamp:",
}


def state_definitions(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every state of the definition by name, those inside Map and Parallel included."""
    found: dict[str, Mapping[str, Any]] = {}

    def collect(states: Mapping[str, Any]) -> None:
        for name, state in states.items():
            found[name] = state
            if state.get("Type") in ("Map", "Parallel"):
                for branch in _branches(state):
                    collect(branch["States"])

    collect(definition.get("States", {}))
    return found
