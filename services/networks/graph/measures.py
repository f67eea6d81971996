"""Collaboration-graph measures, computed with networkx.

The graph: educators are nodes; an edge joins two who met (meeting co-attendance), observed together
(observers on the same visit) or mentor one another (from hr). Co-attendance and joint visits are
mutual ties; mentoring is directed (mentor -> mentee) until the mentee is seen working with the
mentor elsewhere. Weights add up per pair.

Per graph: density (undirected), reciprocity (share of directed ties that are returned: networkx's
`reciprocity` of the directed graph, counted from the pairs without building it), Freeman degree
centralization  sum_i (d_max - d_i) / ((n - 1)(n - 2))  (1 for a star, 0 when all degrees are equal).
Per person: degree, betweenness (normalised; exact up to EXACT_UP_TO people, above that estimated from
k = max(MIN_SOURCES, SAMPLE_BUDGET // ties) pivots, seeded so a recomputation gives the same numbers),
Burt's effective size  n - 2t/n  (n neighbours, t ties among them; the unweighted form, through
networkx's triangle count).

The algorithms run on integer labels (each id's 128-bit value): networkx keys every step on the node,
and an int hashes in C where a UUID hashes in Python. Results are mapped back to ids.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

# Why three measures are not one networkx call each (networkx 3.x; timed on N1's graph, 5,000 people and
# 76,765 ties, where the whole projection has 1 s):
# - Freeman degree centralization: networkx has no graph-level centralization; the degrees are networkx's.
# - Burt's effective size: nx.effective_size is faithful but walks ego graphs (1.6 s on N1); for unweighted
#   undirected ties it equals n - 2t/n, computed from nx.triangles (0.15 s). The unit tests compare the two.
# - reciprocity: nx.reciprocity needs the directed graph built besides the undirected one (about 0.7 s
#   more on N1); `build` counts returned arcs while it reads the ties. The unit tests compare with
#   nx.reciprocity(directed(ties)).
EXACT_UP_TO = 1000
SAMPLE_BUDGET = 600_000  # pivots x ties: above EXACT_UP_TO people, betweenness costs about this many steps
MIN_SOURCES = 8
MUTUAL = ("co_attendance", "joint_visit")


@dataclass(frozen=True)
class Tie:
    a: uuid.UUID
    b: uuid.UUID
    kind: str
    weight: float = 1.0


@dataclass(frozen=True)
class GraphMeasures:
    nodes: int
    edges: int
    density: float
    reciprocity: float
    centralization: float


@dataclass(frozen=True)
class PersonMeasures:
    degree: int
    betweenness: float
    effective_size: float


def directed(ties: Iterable[Tie], nodes: Iterable[uuid.UUID] = ()) -> nx.DiGraph:
    """The directed graph (for export): arcs with weights summed per ordered pair."""
    weights: dict[tuple[uuid.UUID, uuid.UUID], float] = defaultdict(float)
    for t in ties:
        if t.a == t.b:
            continue
        weights[(t.a, t.b)] += t.weight
        if t.kind in MUTUAL:
            weights[(t.b, t.a)] += t.weight
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    return g


@dataclass
class TieGraph:
    """The undirected graph on integer labels, with how many arcs there are and how many are returned."""

    graph: nx.Graph
    ids: dict[int, uuid.UUID]
    arcs: int
    returned: int


def build(ties: Iterable[Tie], nodes: Iterable[uuid.UUID] = ()) -> TieGraph:
    ids = {n.int: n for n in nodes}
    weight: dict[tuple[int, int], float] = defaultdict(float)
    forward: set[tuple[int, int]] = set()  # arcs as (from, to) on the pair's ordering: (low, high) or reversed
    for t in ties:
        a, b = t.a.int, t.b.int
        if a == b:
            continue
        ids.setdefault(a, t.a)
        ids.setdefault(b, t.b)
        pair = (a, b) if a < b else (b, a)
        weight[pair] += t.weight
        forward.add((a, b))
        if t.kind in MUTUAL:
            forward.add((b, a))
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_weighted_edges_from((a, b, w) for (a, b), w in weight.items())
    returned = sum(1 for a, b in forward if (b, a) in forward)
    return TieGraph(g, ids, len(forward), returned)


def undirected(g: nx.DiGraph) -> nx.Graph:
    """Ties regardless of direction, weights of both directions added."""
    weights: dict[tuple[uuid.UUID, uuid.UUID], float] = defaultdict(float)
    for a, b, w in g.edges(data="weight"):
        weights[(a, b) if a.int < b.int else (b, a)] += w
    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    u.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items())
    return u


def freeman_degree_centralization(g: nx.Graph) -> float:
    n = g.number_of_nodes()
    if n < 3:
        return 0.0
    degrees = [d for _, d in g.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def graph_measures(tg: TieGraph) -> GraphMeasures:
    u = tg.graph
    reciprocity = tg.returned / tg.arcs if tg.arcs else 0.0
    return GraphMeasures(u.number_of_nodes(), u.number_of_edges(), round(nx.density(u), 6),
                         round(reciprocity, 6), round(freeman_degree_centralization(u), 6))


def effective_sizes(u: nx.Graph) -> dict[Any, float]:
    """Burt's effective size, n - 2t/n; for unweighted undirected ties this is what nx.effective_size
    computes (through ego graphs), here through nx.triangles, which is several times faster."""
    triangles = nx.triangles(u)
    return {v: d - 2 * triangles[v] / d if d else 0.0 for v, d in u.degree()}


def pivots(u: nx.Graph) -> int:
    """How many sources sampled betweenness uses: a bounded cost, however many ties the network has."""
    return min(u.number_of_nodes(), max(MIN_SOURCES, SAMPLE_BUDGET // max(1, u.number_of_edges())))


def person_measures(tg: TieGraph) -> dict[uuid.UUID, PersonMeasures]:
    u = tg.graph
    sample = None if u.number_of_nodes() <= EXACT_UP_TO else pivots(u)
    betweenness = nx.betweenness_centrality(u, k=sample, seed=7 if sample else None, normalized=True)
    sizes = effective_sizes(u)
    return {tg.ids[v]: PersonMeasures(int(d), round(float(betweenness[v]), 6), round(sizes[v], 6))
            for v, d in u.degree()}


def all_measures(ties: Iterable[Tie], nodes: Iterable[uuid.UUID] = ()
                 ) -> tuple[GraphMeasures, dict[uuid.UUID, PersonMeasures]]:
    tg = build(ties, nodes)
    return graph_measures(tg), person_measures(tg)


def percentiles(values: dict[uuid.UUID, float]) -> dict[uuid.UUID, float]:
    """Share of the graph's people with a strictly lower value (0 for the lowest, (n-1)/n at most).

    Counting over everyone in the graph, not the others, lets the top percentile grow as the graph does.
    """
    ordered = sorted(values.values())
    n = len(ordered)
    return {k: round(bisect_left(ordered, v) / n, 6) for k, v in values.items()} if n else {}
