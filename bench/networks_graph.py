"""N1: the collaboration graph's measures for a network of 5,000 educators and 200,000 interactions.

Two figures:

- **N1 projection refresh on PostgreSQL** (the target): what the worker does after a write or an event
  queues the network (services/networks/graph/service.py), timed end to end on a real database: claim the
  queued scope, `recompute` it (read the members and the interactions summed per pair, kind and month;
  build the graph at the end of the changed month; density, reciprocity, Freeman centralization, per person
  degree, betweenness sampled above 1,000 people, Burt's effective size and betweenness percentiles; replace
  that month's row of `graph_measures`; read the stored history for emerging leaders) and commit. The
  network's 5,000 members and 200,000 interactions are spread over a school year (ten months); the refresh
  is the incremental one a new meeting causes (`since` = its month, the last one). The embedded PostgreSQL
  (pgserver) runs in a folder of its own with durability off, as the tests run it. Also reported, not
  targeted: the full rebuild (`since` = None: all ten months) and the parts of one incremental refresh.
- **N1 graph measures in memory**: the computation alone (the same functions on the same ties, no
  database), what the projection costs apart from reading and writing.

Interactions are clustered as a district's are: 200 schools of 25 educators, 90% of interactions inside a
school, mentoring one-way; of the 200,000 drawn, the 7,265 that would tie someone to themself are dropped
(192,735 rows, on 76,765 pairs). Requests never compute this: they read the stored projection.

    .venv/bin/python -c "from bench.networks_graph import run; print(run())"
    .venv/bin/python -c "from bench.networks_graph import run; print(run(database=False))"   # memory only
"""

from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
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
TENANT = "bench-n1"
MONTHS = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1),
          date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1), date(2027, 5, 1), date(2027, 6, 1)]


def people(educators: int = 5000, seed: int = 11) -> list[uuid.UUID]:
    rng = random.Random(seed)
    return [uuid.UUID(int=rng.getrandbits(128)) for _ in range(educators)]


def interactions(educators: int = 5000, total: int = 200_000, school_size: int = 25, seed: int = 11) -> list[Tie]:
    rng = random.Random(seed)
    ids = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(educators)]  # = people(educators, seed)
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


def in_memory(ties: list[Tie], repeats: int, educators: int, total: int) -> dict[str, Any]:
    runs = [compute(ties) for _ in range(repeats)]
    median = statistics.median(r["seconds"] for r in runs)
    last = runs[-1]
    return {"scenario": f"N1 graph measures in memory, {educators:,} educators and {total:,} interactions",
            "value": round(median, 3), "unit": "s (median)", "target": "- (computation only; see the refresh)",
            "ok": None,
            "detail": {"best_s": round(min(r["seconds"] for r in runs), 3),
                       "runs_s": [round(r["seconds"], 3) for r in runs],
                       "build_s": round(last["build_s"], 3), "nodes": last["nodes"], "edges": last["edges"],
                       "ties": len(ties), "density": last["density"],
                       "betweenness": f"sampled over {last['pivots']} pivots (exact up "
                       f"to {EXACT_UP_TO} people; seeded)"}}


# --- the projection's refresh on PostgreSQL ---

async def _load(url: str, network_id: uuid.UUID, members: list[uuid.UUID], ties: list[Tie], seed: int = 11) -> None:
    """The network's memberships and interactions, COPYed in (the rows meetings and events would write)."""
    import asyncpg

    from libs.common.settings import asyncpg_dsn

    rng = random.Random(seed)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute("INSERT INTO networks (id, tenant_id, name, kind, focus, school_ids, district_ids, "
                           "cadence, version) VALUES ($1, $2, 'N1', 'mixed', 'bench', '{}', '{}', 'monthly', 1)",
                           network_id, TENANT)
        await conn.copy_records_to_table("memberships", records=[
            (uuid.uuid4(), TENANT, network_id, person, uuid.UUID(int=n // 25 + 1), "member", [], MONTHS[0], 1)
            for n, person in enumerate(members)], columns=[
            "id", "tenant_id", "network_id", "educator_id", "school_id", "role", "tags", "starts_on", "version"])
        await conn.copy_records_to_table("interactions", records=[
            (TENANT, t.kind, uuid.uuid4(), t.a, t.b, network_id, t.weight,
             rng.choice(MONTHS).replace(day=rng.randrange(1, 29))) for t in ties], columns=[
            "tenant_id", "kind", "source_id", "a_id", "b_id", "network_id", "weight", "occurred_on"])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def _refresh(engine: Any, network_id: uuid.UUID, since: date | None) -> float:
    """Queue the network as a write does, then time the worker taking it (claim, recompute, commit)."""
    from libs.common.db import session_factory, unit_of_work
    from services.networks.graph.service import Scope, refresh_next, request_refresh

    async with unit_of_work(session_factory(engine)) as session:
        await request_refresh(session, TENANT, [Scope("network", network_id)], since)
    t0 = time.perf_counter()
    assert await refresh_next(engine)
    return time.perf_counter() - t0


async def _parts(engine: Any, network_id: uuid.UUID, since: date) -> dict[str, float]:
    """One incremental recompute, step by step (what `recompute` does, in its order)."""
    from sqlalchemy import delete, insert

    from libs.common.db import session_factory, unit_of_work
    from services.networks.graph.service import (
        KEEP_PERIODS,
        Scope,
        announce_emerged,
        measure,
        month,
        scope_nodes,
        scope_ties,
        snapshots,
        stored,
    )
    from services.networks.models import graph_measures as table

    scope, out, t = Scope("network", network_id), {}, time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        out[name] = round(now - t, 3)
        t = now

    async with unit_of_work(session_factory(engine)) as session:
        nodes = await scope_nodes(session, TENANT, scope)
        ties = await scope_ties(session, TENANT, set(nodes))
        lap("read_members_and_ties_s")
        graphs = snapshots(nodes, ties, since)
        lap("build_graph_s")
        results = [measure(period, g) for period, g in graphs]
        lap("measures_s")
        await session.execute(delete(table).where(table.c.tenant_id == TENANT, table.c.scope_id == network_id,
                                                  table.c.period >= month(since)))
        await session.execute(insert(table), [{"tenant_id": TENANT, "scope": "network", "scope_id": network_id,
                                               "period": r["period"], "measures": r["measures"],
                                               "people": r["people"]} for r in results])
        lap("write_measures_s")
        history = [dict(r) for r in await stored(session, TENANT, scope)][-KEEP_PERIODS:]
        await announce_emerged(session, TENANT, network_id, history)
        lap("emerging_leaders_s")
    lap("commit_s")
    out["tie_rows_read"] = len(ties)
    return out


async def _database(work: Path, ties: list[Tie], members: list[uuid.UUID], repeats: int, total: int
                    ) -> dict[str, Any]:
    from improvenet.registry import component
    from libs.common.db import create_engine, ensure_database
    from libs.common.embedded_pg import EmbeddedPostgres
    from libs.common.migrations import upgrade
    from libs.common.settings import database_url_for

    t0 = time.perf_counter()
    pg = EmbeddedPostgres(work / "pg", settings={"fsync": "off", "synchronous_commit": "off",
                                                 "full_page_writes": "off"})
    server = pg.start()
    engine = None
    try:
        await ensure_database(server, "n1_networks")
        url = database_url_for(server, "n1_networks")
        await asyncio.to_thread(upgrade, component("networks").migrations, url)
        network_id = uuid.uuid4()
        await _load(url, network_id, members, ties)
        setup = time.perf_counter() - t0
        engine = create_engine(url)
        full = await _refresh(engine, network_id, None)  # every month: the history the incremental one reads
        last = MONTHS[-1]
        runs = [await _refresh(engine, network_id, last) for _ in range(repeats)]
        parts = await _parts(engine, network_id, last)
        median = statistics.median(runs)
        return {"scenario": f"N1 projection refresh on PostgreSQL, {len(members):,} educators and "
                            f"{total:,} interactions",
                "value": round(median, 3), "unit": "s (median)", "target": f"<= {TARGET_S} s",
                "ok": median <= TARGET_S,
                "detail": {"what": "the worker's refresh_next of a network queued since its last month: claim, "
                                   "graph.service.recompute, commit", "runs_s": [round(r, 3) for r in runs],
                           "best_s": round(min(runs), 3), "full_rebuild_s": round(full, 3),
                           "full_rebuild_months": len(MONTHS), "parts_of_one_refresh": parts,
                           "interaction_rows": len(ties), "setup_s": round(setup, 1)}}
    finally:
        if engine is not None:
            await engine.dispose()
        pg.stop()


def run(repeats: int = 3, educators: int = 5000, total: int = 200_000, *, database: bool = True
        ) -> list[dict[str, Any]]:
    ties = interactions(educators, total)
    figures = []
    if database:
        members = people(educators)  # the ids `interactions` draws from (same seed)
        work = Path(tempfile.mkdtemp(prefix="improvenet-n1-"))
        try:
            figures.append(asyncio.run(_database(work, ties, members, repeats, total)))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    figures.append(in_memory(ties, repeats, educators, total))
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
