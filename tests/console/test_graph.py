"""Definition → graph model → layout, and the graph coloured by an execution."""

from __future__ import annotations

import json

import pytest

from console.stepfunctions.graph import END, START, InvalidDefinition, build_graph, join_id, state_definitions
from console.stepfunctions.history import StateStatus, derive_visits
from console.stepfunctions.layout import lay_out
from console.stepfunctions.status import node_statuses

from ..conftest import PROJECT_DIR
from .histories import recorded

NESTED = {
    "StartAt": "Pick",
    "States": {
        "Pick": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.kind", "StringEquals": "many", "Next": "Each"}],
            "Default": "Both",
        },
        "Each": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "x", "End": True}}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
            "Next": "Done",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {
                    "StartAt": "Right",
                    "States": {"Right": {"Type": "Pass", "Next": "Right2"}, "Right2": {"Type": "Succeed"}},
                },
            ],
            "End": True,
        },
        "Done": {"Type": "Succeed"},
        "Broken": {"Type": "Fail", "Error": "Broken"},
    },
}


def edges(graph):  # noqa: ANN001, ANN201 - test helper
    return {(e.source, e.target, e.kind, e.label) for e in graph.edges}


def test_transitions_choices_catches_and_ends_are_edges() -> None:
    graph = build_graph(NESTED)

    assert {
        (START, "Pick", "next", ""),
        ("Pick", "Each", "choice", "$.kind == 'many'"),
        ("Pick", "Both", "default", "Default"),
        ("Each", "Work", "branch", ""),
        ("Work", join_id("Each"), "end", ""),
        (join_id("Each"), "Done", "next", ""),
        (join_id("Each"), "Broken", "catch", "States.ALL"),
        ("Both", "Left", "branch", ""),
        ("Both", "Right", "branch", ""),
        ("Right", "Right2", "next", ""),
        ("Left", join_id("Both"), "end", ""),
        ("Right2", join_id("Both"), "end", ""),
        (join_id("Both"), END, "end", ""),
        ("Done", END, "end", ""),
        ("Broken", END, "end", ""),
    } == edges(graph)
    assert graph.nodes["Work"].container == "Each" and graph.nodes["Left"].container == "Both"
    assert sorted(graph.members("Both")) == ["Left", "Right", "Right2"]
    assert set(state_definitions(NESTED)) == {
        "Pick",
        "Each",
        "Work",
        "Both",
        "Left",
        "Right",
        "Right2",
        "Done",
        "Broken",
    }


@pytest.mark.parametrize(
    "definition",
    [
        {},
        {"StartAt": "Nope", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "M", "States": {"M": {"Type": "Map"}}},
    ],
)
def test_a_definition_that_cannot_be_drawn_says_so(definition: dict) -> None:
    with pytest.raises(InvalidDefinition):
        build_graph(definition)


def test_the_layout_places_every_node_apart_from_start_to_end_inside_its_frame() -> None:
    drawing = lay_out(build_graph(NESTED))

    boxes = list(drawing.nodes.values())
    for index, a in enumerate(boxes):
        for b in boxes[index + 1 :]:
            apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart, f"{a.node.id} overlaps {b.node.id}"
    assert drawing.nodes[START].y < drawing.nodes["Pick"].y < drawing.nodes["Work"].y < drawing.nodes[END].y
    frames = {frame.container: frame for frame in drawing.frames}
    work, each = drawing.nodes["Work"], frames["Each"]
    assert each.x <= work.x and work.x + work.width <= each.x + each.width
    assert each.y <= work.y and work.y + work.height <= each.y + each.height
    for placed in drawing.edges:
        assert len(placed.points) >= 2
        assert all(0 <= x <= drawing.width and 0 <= y <= drawing.height for x, y in placed.points)


def test_the_project_state_machine_is_coloured_by_a_failed_execution() -> None:
    definition = json.loads((PROJECT_DIR / "state_machines" / "demo_task" / "demo_task.asl.json").read_text())
    graph = build_graph(definition)

    statuses = node_statuses(graph, derive_visits(recorded("ministack_fail_1")), "FAILED")

    assert statuses["Process"].status is StateStatus.CAUGHT_ERROR
    assert statuses["TaskFailed"].status is StateStatus.FAILED
    for later in ("SimulateDelay", "SimulateApiCall", "Finalize", "PublishTaskCompleted"):
        assert statuses[later].status is StateStatus.NOT_REACHED
    assert statuses[START].status is StateStatus.SUCCEEDED and statuses[END].status is StateStatus.NOT_REACHED


def test_states_inside_a_map_without_events_show_the_map_status_as_inferred() -> None:
    graph = build_graph(NESTED)
    history = [
        {"id": 1, "type": "ExecutionStarted", "timestamp": 0},
        {"id": 2, "type": "MapStateEntered", "stateEnteredEventDetails": {"name": "Each"}, "timestamp": 0},
        {"id": 3, "type": "MapStateExited", "stateExitedEventDetails": {"name": "Each"}, "timestamp": 0},
    ]

    statuses = node_statuses(graph, derive_visits(history), "RUNNING")

    assert statuses["Each"].status is StateStatus.SUCCEEDED and not statuses["Each"].inferred
    assert statuses["Work"].status is StateStatus.SUCCEEDED and statuses["Work"].inferred
    assert statuses["Left"].status is StateStatus.NOT_REACHED and not statuses["Left"].inferred
