"""The collaboration graph as a projection: interactions are written as they happen (meetings, visits'
and mentoring events), and in the same transaction each affected network and school is queued for
recomputation (`graph_refresh`). The worker drains the queue, one scope per transaction, and requests
only read the stored measures: a meeting in a network of 5,000 educators costs the write its ties and one
queue row, not the second it takes to measure that graph.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx
from sqlalchemy import Uuid, and_, bindparam, case, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from libs.common.db import session_factory, unit_of_work
from libs.contracts.networks import LeaderEmerged
from services.networks.common import emit
from services.networks.graph.leaders import PERIODS, emerging
from services.networks.graph.measures import (
    Tie,
    TieGraph,
    build,
    directed,
    graph_measures,
    percentiles,
    person_measures,
)
from services.networks.models import DIRECTORY, emerged_leaders, graph_refresh, interactions, memberships
from services.networks.models import graph_measures as measures_table

KEEP_PERIODS = 12  # months of history kept in the projection (each cumulative from the start)
CLAIM_SECONDS = 300  # a scope taken by a worker that died is taken again after this
INSERT_TIE = text(
    "INSERT INTO interactions (tenant_id, kind, source_id, a_id, b_id, network_id, school_id, weight, occurred_on) "
    "VALUES (:tenant_id, :kind, :source_id, :a_id, :b_id, :network_id, :school_id, :weight, :occurred_on) "
    "ON CONFLICT DO NOTHING")
# The members are one array parameter joined as a set (a hash join on each end of the tie): `a_id IN
# (:n1, ..., :n5000)` made PostgreSQL compare every interaction with the list one by one (2.2 s of the
# N1 refresh, 5,000 members and 192,735 interactions). Months as their first day (a date, not a timestamp).
SCOPE_TIES = text(
    "SELECT i.a_id, i.b_id, i.kind, sum(i.weight)::float8, date_trunc('month', i.occurred_on)::date "
    "FROM interactions i "
    "JOIN unnest(:nodes) AS a(id) ON a.id = i.a_id JOIN unnest(:nodes) AS b(id) ON b.id = i.b_id "
    "WHERE i.tenant_id = :tenant GROUP BY 1, 2, 3, 5"
).bindparams(bindparam("nodes", type_=ARRAY(Uuid)))


@dataclass(frozen=True)
class Scope:
    kind: str  # network, school
    id: uuid.UUID


def pairs(people: Iterable[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Every unordered pair of distinct people, smaller id first (the table's key order)."""
    unique = sorted(set(people), key=str)
    return [(a, b) for a, b in combinations(unique, 2)]


async def add_ties(session: AsyncSession, tenant: str, kind: str, source_id: uuid.UUID,
                   ties: Sequence[tuple[uuid.UUID, uuid.UUID]], on: date, *, network_id: uuid.UUID | None = None,
                   school_id: uuid.UUID | None = None, weight: float = 1.0) -> None:
    """Record interactions (idempotent: the same source and pair is written once)."""
    rows = [{"tenant_id": tenant, "kind": kind, "source_id": source_id, "a_id": a, "b_id": b,
             "network_id": network_id, "school_id": school_id, "weight": weight, "occurred_on": on}
            for a, b in ties if a != b]
    if rows:
        await session.execute(INSERT_TIE, rows)


async def end_ties(session: AsyncSession, tenant: str, kind: str, source_id: uuid.UUID, on: date) -> None:
    await session.execute(interactions.update().where(
        interactions.c.tenant_id == tenant, interactions.c.kind == kind, interactions.c.source_id == source_id
    ).values(ended_on=on))


async def scope_nodes(session: AsyncSession, tenant: str, scope: Scope) -> dict[uuid.UUID, date | None]:
    """The people of a scope and when they joined it (None: from the start)."""
    if scope.kind == "network":
        rows = await session.execute(select(memberships.c.educator_id, memberships.c.starts_on).where(
            memberships.c.tenant_id == tenant, memberships.c.network_id == scope.id))
        nodes: dict[uuid.UUID, date | None] = {}
        for educator, starts in rows:
            nodes[educator] = min(starts, nodes[educator]) if nodes.get(educator) else starts
        return nodes
    educators = DIRECTORY.educators
    found = set((await session.execute(select(educators.c.educator_id).where(
        educators.c.tenant_id == tenant, educators.c.school_id == scope.id,
        educators.c.removed.is_(False)))).scalars())
    found |= set((await session.execute(select(memberships.c.educator_id).where(
        memberships.c.tenant_id == tenant, memberships.c.school_id == scope.id))).scalars())
    return dict.fromkeys(found)


async def scope_ties(session: AsyncSession, tenant: str, nodes: set[uuid.UUID]) -> list[tuple[Tie, date]]:
    """The scope's ties summed per pair, kind and month: the work is bounded by pairs and months, not by
    how many meetings produced them."""
    if not nodes:
        return []
    rows = await session.execute(SCOPE_TIES, {"tenant": tenant, "nodes": list(nodes)})
    return [(Tie(a, b, kind, w), on) for a, b, kind, w, on in rows.tuples()]


def month(on: date) -> str:
    return on.strftime("%Y-%m")


def snapshots(nodes: dict[uuid.UUID, date | None], ties: list[tuple[Tie, date]], since: date | None = None
              ) -> list[tuple[str, TieGraph]]:
    """The graph at the end of each month with interactions (cumulative), the last KEEP_PERIODS; from the
    month of `since` on only (the months before it are unchanged by what happened since)."""
    # months compare as dates (the first day of the next one bounds a month), each named once
    firsts = sorted({on.replace(day=1) for _, on in ties})[-KEEP_PERIODS:]
    if since is not None:
        firsts = [f for f in firsts if f >= since.replace(day=1)]
    out = []
    for first in firsts:
        after = next_month(first)
        members = [n for n, starts in nodes.items() if starts is None or starts < after]
        out.append((month(first), build([t for t, on in ties if on < after], members)))
    return out


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def measure(period: str, g: TieGraph) -> dict[str, Any]:
    overall, people = graph_measures(g), person_measures(g)
    connected = {p: m.betweenness for p, m in people.items() if m.degree > 0}
    ranks = percentiles(connected)  # among the people with at least one tie (the network as it lives)
    return {
        "period": period,
        "measures": overall.__dict__,
        "people": {str(p): {**m.__dict__, "betweenness_percentile": ranks.get(p, 0.0)}
                   for p, m in people.items()},
    }


async def recompute(session: AsyncSession, tenant: str, scope: Scope, since: date | None = None) -> None:
    """Replace the scope's measures (from the month of `since` on: earlier months are unchanged); for a
    network, announce the leaders who emerged in its last period."""
    nodes = await scope_nodes(session, tenant, scope)
    ties = await scope_ties(session, tenant, set(nodes))
    results = [measure(period, g) for period, g in snapshots(nodes, ties, since)]
    where = [measures_table.c.tenant_id == tenant, measures_table.c.scope == scope.kind,
             measures_table.c.scope_id == scope.id]
    if since is not None:
        where.append(measures_table.c.period >= month(since))
    await session.execute(delete(measures_table).where(*where))
    if results:
        await session.execute(insert(measures_table), [
            {"tenant_id": tenant, "scope": scope.kind, "scope_id": scope.id, "period": r["period"],
             "measures": r["measures"], "people": r["people"]} for r in results])
    if scope.kind == "network":
        history = [dict(r) for r in await stored(session, tenant, scope)][-KEEP_PERIODS:]
        await announce_emerged(session, tenant, scope.id, history)


async def announce_emerged(session: AsyncSession, tenant: str, network_id: uuid.UUID,
                           results: list[dict[str, Any]]) -> None:
    if len(results) < PERIODS + 1:
        return
    last = results[-1]
    series = {uuid.UUID(p): [r["people"].get(p, {}).get("betweenness_percentile") for r in results]
              for p in last["people"]}
    for person in emerging(series):
        percentile = float(last["people"][str(person)]["betweenness_percentile"])
        claimed = (await session.execute(_claim_emerged(tenant, person, network_id, last["period"],
                                                         percentile))).first()
        if claimed is not None:
            await emit(session, tenant, LeaderEmerged(educator_id=person, network_id=network_id,
                                                      period=last["period"], periods=PERIODS,
                                                      betweenness_percentile=percentile))


def _claim_emerged(tenant: str, person: uuid.UUID, network_id: uuid.UUID, period: str, percentile: float) -> Any:
    """Announce once per (educator, network, period): a replay or a recomputation finds the row."""
    return (pg_insert(emerged_leaders).values(tenant_id=tenant, educator_id=person, scope_id=network_id,
                                              period=period, betweenness_percentile=percentile)
            .on_conflict_do_nothing().returning(emerged_leaders.c.educator_id))


async def scopes_of(session: AsyncSession, tenant: str, people: Iterable[uuid.UUID]) -> list[Scope]:
    """The networks and schools whose graphs ties among these people change: those holding two of them
    (a tie adds nothing to a graph that has only one of its ends)."""
    people = list(set(people))
    if len(people) < 2:
        return []
    rows = (await session.execute(select(memberships.c.network_id, memberships.c.school_id,
                                         memberships.c.educator_id).where(
        memberships.c.tenant_id == tenant, memberships.c.educator_id.in_(people)))).all()
    educators = DIRECTORY.educators
    placed = (await session.execute(select(educators.c.school_id, educators.c.educator_id).where(
        educators.c.tenant_id == tenant, educators.c.educator_id.in_(people),
        educators.c.school_id.is_not(None)))).all()
    holders: dict[Scope, set[uuid.UUID]] = defaultdict(set)
    for network, school, person in rows:
        holders[Scope("network", network)].add(person)
        holders[Scope("school", school)].add(person)
    for school, person in placed:
        holders[Scope("school", school)].add(person)
    return sorted((s for s, held in holders.items() if len(held) >= 2), key=lambda s: (s.kind, str(s.id)))


async def refresh_for(session: AsyncSession, tenant: str, people: Iterable[uuid.UUID],
                      since: date | None = None) -> None:
    """Queue every network and school these people belong to, from the month of `since` on."""
    await request_refresh(session, tenant, await scopes_of(session, tenant, people), since)


async def request_refresh(session: AsyncSession, tenant: str, scopes: Sequence[Scope], since: date | None) -> None:
    """Queue scopes for the worker, in the caller's transaction. A scope already queued keeps one row,
    recomputed from the earlier of the two months (NULL, every month, wins), its version bumped."""
    if not scopes:
        return
    stmt = pg_insert(graph_refresh).values([{"tenant_id": tenant, "scope": s.kind, "scope_id": s.id, "since": since}
                                            for s in sorted(set(scopes), key=lambda s: (s.kind, str(s.id)))])
    either_all = (graph_refresh.c.since.is_(None)) | (stmt.excluded.since.is_(None))
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[graph_refresh.c.tenant_id, graph_refresh.c.scope, graph_refresh.c.scope_id],
        set_={"since": case((either_all, None), else_=func.least(graph_refresh.c.since, stmt.excluded.since)),
              "version": graph_refresh.c.version + 1, "requested_at": func.now()}))


def _key(row: Any) -> Any:
    return and_(graph_refresh.c.tenant_id == row.tenant_id, graph_refresh.c.scope == row.scope,
                graph_refresh.c.scope_id == row.scope_id)


async def _claim(session: AsyncSession) -> Any:
    """The oldest queued scope no live worker holds, held for CLAIM_SECONDS (several workers share the
    queue; a claim is committed at once, so writers queueing the same scope never wait on a computation)."""
    row = (await session.execute(
        select(graph_refresh.c.tenant_id, graph_refresh.c.scope, graph_refresh.c.scope_id, graph_refresh.c.since,
               graph_refresh.c.version)
        .where((graph_refresh.c.claimed_until.is_(None)) | (graph_refresh.c.claimed_until < func.now()))
        .order_by(graph_refresh.c.requested_at).limit(1).with_for_update(skip_locked=True))).first()
    if row is not None:
        await session.execute(update(graph_refresh).where(_key(row)).values(
            claimed_until=func.now() + text(f"interval '{CLAIM_SECONDS} seconds'")))
    return row


async def refresh_next(engine: AsyncEngine) -> bool:
    """Recompute one queued scope (False: nothing to do). The row goes only if no request came while the
    measures were computed; otherwise it is released, and taken again with the merged month."""
    sessions = session_factory(engine)
    async with unit_of_work(sessions) as session:
        row = await _claim(session)
    if row is None:
        return False
    try:
        async with unit_of_work(sessions) as session:
            await recompute(session, row.tenant_id, Scope(row.scope, row.scope_id), row.since)
            done = (await session.execute(delete(graph_refresh).where(
                _key(row), graph_refresh.c.version == row.version).returning(graph_refresh.c.scope_id))).first()
            if done is None:
                await session.execute(update(graph_refresh).where(_key(row)).values(claimed_until=None))
    except Exception:
        async with unit_of_work(sessions) as session:  # give it back now rather than after the claim expires
            await session.execute(update(graph_refresh).where(_key(row)).values(claimed_until=None))
        raise
    return True


async def refresh_all(engine: AsyncEngine) -> int:
    """Drain the queue: the worker's job, and what tests call to see the projection settle."""
    done = 0
    while await refresh_next(engine):
        done += 1
    return done


async def pending(session: AsyncSession, tenant: str, scope: Scope) -> bool:
    """Whether the scope's stored measures wait for a recomputation."""
    queued = await session.scalar(select(graph_refresh.c.version).where(
        graph_refresh.c.tenant_id == tenant, graph_refresh.c.scope == scope.kind, graph_refresh.c.scope_id == scope.id))
    return queued is not None


async def stored(session: AsyncSession, tenant: str, scope: Scope) -> list[Any]:
    return list((await session.execute(select(measures_table).where(
        measures_table.c.tenant_id == tenant, measures_table.c.scope == scope.kind,
        measures_table.c.scope_id == scope.id).order_by(measures_table.c.period))).mappings())


async def current_graph(session: AsyncSession, tenant: str, scope: Scope) -> nx.DiGraph:
    nodes = await scope_nodes(session, tenant, scope)
    return directed([t for t, _ in await scope_ties(session, tenant, set(nodes))], nodes)


async def emerged(session: AsyncSession, tenant: str, network_id: uuid.UUID) -> list[Any]:
    return list((await session.execute(select(emerged_leaders).where(
        emerged_leaders.c.tenant_id == tenant, emerged_leaders.c.scope_id == network_id)
        .order_by(emerged_leaders.c.period, emerged_leaders.c.educator_id))).mappings())

