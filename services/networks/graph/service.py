"""The collaboration graph as a projection: interactions are written as they happen (meetings, visits'
and mentoring events); the measures of each affected network and school are recomputed then, in the same
transaction, and requests only read them.
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
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

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
from services.networks.models import DIRECTORY, emerged_leaders, interactions, memberships
from services.networks.models import graph_measures as measures_table

KEEP_PERIODS = 12  # months of history kept in the projection (each cumulative from the start)
INSERT_TIE = text(
    "INSERT INTO interactions (tenant_id, kind, source_id, a_id, b_id, network_id, school_id, weight, occurred_on) "
    "VALUES (:tenant_id, :kind, :source_id, :a_id, :b_id, :network_id, :school_id, :weight, :occurred_on) "
    "ON CONFLICT DO NOTHING")


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
    first_of_month = func.date_trunc("month", interactions.c.occurred_on).label("month")
    rows = await session.execute(
        select(interactions.c.a_id, interactions.c.b_id, interactions.c.kind, func.sum(interactions.c.weight),
               first_of_month)
        .where(interactions.c.tenant_id == tenant, interactions.c.a_id.in_(nodes), interactions.c.b_id.in_(nodes))
        .group_by(interactions.c.a_id, interactions.c.b_id, interactions.c.kind, first_of_month))
    return [(Tie(a, b, kind, float(w)), on.date() if hasattr(on, "date") else on) for a, b, kind, w, on in rows]


def month(on: date) -> str:
    return on.strftime("%Y-%m")


def snapshots(nodes: dict[uuid.UUID, date | None], ties: list[tuple[Tie, date]], since: date | None = None
              ) -> list[tuple[str, TieGraph]]:
    """The graph at the end of each month with interactions (cumulative), the last KEEP_PERIODS; from the
    month of `since` on only (the months before it are unchanged by what happened since)."""
    periods = sorted({month(on) for _, on in ties})[-KEEP_PERIODS:]
    if since is not None:
        periods = [p for p in periods if p >= month(since)]
    out = []
    for period in periods:
        members = [n for n, starts in nodes.items() if starts is None or month(starts) <= period]
        out.append((period, build([t for t, on in ties if month(on) <= period], members)))
    return out


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
    """Recompute every network and school these people belong to, from the month of `since` on."""
    for scope in await scopes_of(session, tenant, people):
        await recompute(session, tenant, scope, since)


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

