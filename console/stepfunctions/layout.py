"""Place a state machine graph on a plane with grandalf's Sugiyama (layered) layout,
the algorithm of Graphviz's `dot`: states in layers from Start down to End, edge
crossings reduced, long edges routed through the layers they cross.

Pure: a `Graph` in, a `Drawing` (boxes, polylines, container frames) out, in
pixels, ready to be written as SVG.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from grandalf.graphs import Edge as LayoutEdge
from grandalf.graphs import Graph as LayoutGraph
from grandalf.graphs import Vertex
from grandalf.layouts import SugiyamaLayout
from grandalf.routing import route_with_lines

from console.stepfunctions.graph import START, Edge, Graph, Node, build_graph, join_id

CHAR_WIDTH = 7.4  # px per character of the 13 px state font
LABEL_CHAR_WIDTH = 6.4  # px per character of the 11 px edge label font
STATE_HEIGHT = 36.0
MARGIN = 24.0
FRAME_PADDING = 14.0
COMPONENT_GAP = 60.0
Point = tuple[float, float]


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    x: float  # left
    y: float  # top
    width: float
    height: float

    @property
    def center(self) -> Point:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    points: list[Point]

    @property
    def label_at(self) -> Point:
        """The middle of the middle segment: where the edge's label goes."""
        middle = len(self.points) // 2
        (x1, y1), (x2, y2) = self.points[middle - 1], self.points[middle]
        return (x1 + x2) / 2, (y1 + y2) / 2


@dataclass(frozen=True)
class Frame:
    """The dashed box around a Map or Parallel state and the states inside it."""

    container: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Drawing:
    nodes: dict[str, PlacedNode]
    edges: list[PlacedEdge]
    frames: list[Frame]
    width: float
    height: float


def node_size(node: Node) -> tuple[float, float]:
    if node.kind == "Join":
        return 14.0, 14.0
    if node.kind in ("Start", "End"):
        return 64.0, 28.0
    return max(110.0, len(node.label) * CHAR_WIDTH + 32), STATE_HEIGHT


class _View:
    """What grandalf reads and writes on a vertex or an edge."""

    def __init__(self, width: float = 0.0, height: float = 0.0) -> None:
        self.w, self.h = width, height
        self.xy: Point = (0.0, 0.0)
        self.points: list[Point] = []

    def setpath(self, points: list[Point]) -> None:
        self.points = points


def lay_out(graph: Graph) -> Drawing:
    vertices: dict[str, Vertex] = {}
    for node in graph.nodes.values():
        vertex = Vertex(node.id)
        vertex.view = _View(*node_size(node))
        vertices[node.id] = vertex
    edges: list[tuple[Edge, LayoutEdge]] = []
    for edge in graph.edges:
        if edge.source in vertices and edge.target in vertices:
            layout_edge = LayoutEdge(vertices[edge.source], vertices[edge.target])
            layout_edge.view = _View()
            edges.append((edge, layout_edge))
    layout_graph = LayoutGraph(list(vertices.values()), [layout_edge for _, layout_edge in edges])

    offset_x = MARGIN
    for component in layout_graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace, sugiyama.yspace = 32, 44
        sugiyama.route_edge = route_with_lines
        roots = [v for v in component.sV if v.data == START] or None
        sugiyama.init_all(roots=roots)
        sugiyama.draw()
        left = min(v.view.xy[0] - v.view.w / 2 for v in component.sV)
        top = min(v.view.xy[1] - v.view.h / 2 for v in component.sV)
        shift = (offset_x - left, MARGIN - top)
        for vertex in component.sV:
            vertex.view.xy = (vertex.view.xy[0] + shift[0], vertex.view.xy[1] + shift[1])
        for edge in component.sE:
            edge.view.points = [(x + shift[0], y + shift[1]) for x, y in edge.view.points]
        offset_x = max(v.view.xy[0] + v.view.w / 2 for v in component.sV) + COMPONENT_GAP

    placed = {
        node_id: PlacedNode(
            graph.nodes[node_id],
            vertex.view.xy[0] - vertex.view.w / 2,
            vertex.view.xy[1] - vertex.view.h / 2,
            vertex.view.w,
            vertex.view.h,
        )
        for node_id, vertex in vertices.items()
    }
    placed_edges = [PlacedEdge(edge, _rounded(layout_edge.view.points)) for edge, layout_edge in edges]
    frames = [_frame(graph, container, placed) for container in graph.containers]
    points = [point for edge in placed_edges for point in edge.points]
    for labelled in placed_edges:  # a label is centred on its edge: its half-width must fit too
        if labelled.edge.label:
            x, y = labelled.label_at
            points.append((x + len(labelled.edge.label) * LABEL_CHAR_WIDTH / 2, y))
    right = max([n.x + n.width for n in placed.values()] + [f.x + f.width for f in frames] + [x for x, _ in points])
    bottom = max([n.y + n.height for n in placed.values()] + [f.y + f.height for f in frames] + [y for _, y in points])
    return Drawing(placed, placed_edges, frames, right + MARGIN, bottom + MARGIN)


@lru_cache(maxsize=64)
def lay_out_cached(definition_json: str) -> Drawing:
    """The drawing of a definition (its JSON text): layouts are computed once per definition."""
    return lay_out(build_graph(json.loads(definition_json)))


def _frame(graph: Graph, container: str, placed: dict[str, PlacedNode]) -> Frame:
    inside = [placed[node_id] for node_id in (container, join_id(container), *graph.members(container))]
    depth = _nesting(graph, container)
    padding = FRAME_PADDING * max(1, 3 - depth)
    left = min(n.x for n in inside) - padding
    top = min(n.y for n in inside) - padding
    right = max(n.x + n.width for n in inside) + padding
    bottom = max(n.y + n.height for n in inside) + padding
    return Frame(container, left, top, right - left, bottom - top)


def _nesting(graph: Graph, node_id: str) -> int:
    depth, container = 0, graph.nodes[node_id].container
    while container:
        depth, container = depth + 1, graph.nodes[container].container
    return depth


def _rounded(points: list[Point]) -> list[Point]:
    return [(round(x, 1), round(y, 1)) for x, y in points]
