"""N1: the collaboration graph's measures for a network of 5,000 educators and 200,000 interactions.

What the projection computes on a write or an event (services/networks/graph): the graph built from the
interactions, density, reciprocity, Freeman centralization, and per person degree, betweenness (sampled
above 1,000 people), Burt's effective size and betweenness percentiles. Interactions are clustered as a
district's are: 200 schools of 25 educators, 90% of interactions inside a school, mentoring one-way.
Requests never compute this: they read the stored projection.

    .venv/bin/python -c "from bench.networks_graph import run; print(run())"
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from typing import Any

from services.networks.graph.measures import (
    EXACT_UP_TO,
    Tie,
    build,
    graph_measures,
    percentiles,
    person_measures,
    pivots,
)

TARGET_S = 1.0


def interactions(educators: int = 5000, total: int = 200_000, school_size: int = 25, seed: int = 11) -> list[Tie]:
    rng = random.Random(seed)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(educators)]
    kinds = ["co_attendance"] * 6 + ["joint_visit"] * 3 + ["mentoring"]
    ties = []
    for _ in range(total):
        a = rng.randrange(educators)
        if rng.random() < 0.9:
            b = (a // school_size) * school_size + rng.randrange(school_size)
        else:
            b = rng.randrange(educators)
        if a != b:
            ties.append(Tie(ids[a], ids[b], rng.choice(kinds)))
    return ties


def compute(ties: list[Tie]) -> dict[str, Any]:
    t0 = time.perf_counter()
    g = build(ties)
    built = time.perf_counter() - t0
    overall, people = graph_measures(g), person_measures(g)
    percentiles({p: m.betweenness for p, m in people.items() if m.degree})
    return {"seconds": time.perf_counter() - t0, "build_s": built, "nodes": overall.nodes, "edges": overall.edges,
            "density": overall.density, "pivots": pivots(g.graph)}


def run(repeats: int = 3, educators: int = 5000, total: int = 200_000) -> list[dict[str, Any]]:
    ties = interactions(educators, total)
    runs = [compute(ties) for _ in range(repeats)]
    best = min(r["seconds"] for r in runs)
    median = statistics.median(r["seconds"] for r in runs)
    last = runs[-1]
    return [{"scenario": f"N1 graph measures, {educators:,} educators and {total:,} interactions",
             "value": round(median, 3), "unit": "s (median)", "target": f"<= {TARGET_S} s",
             "ok": median <= TARGET_S,
             "detail": {"best_s": round(best, 3), "runs_s": [round(r["seconds"], 3) for r in runs],
                        "build_s": round(last["build_s"], 3), "nodes": last["nodes"], "edges": last["edges"],
                        "density": last["density"], "betweenness": f"sampled over {last['pivots']} pivots (exact up to "
                        f"{EXACT_UP_TO} people; seeded)"}}]


if __name__ == "__main__":
    for figure in run():
        print(figure)
