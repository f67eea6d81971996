"""The collaboration graph on PostgreSQL: ties from meetings, joint visits and mentoring events; the
projection's measures by month; the export; an emerging leader announced once."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import networkx as nx
import pytest

from libs.common.db import session_factory, unit_of_work
from libs.contracts.hr import MentorAssigned
from libs.contracts.observations import VisitScheduled
from services.networks.graph import service as graph
from tests.integration.networks.conftest import OTHER, TENANT, Net


async def hold(net: Net, n: dict[str, Any], day: str, people: list[int]) -> None:
    await net.post("/meetings", {"network_id": n["id"], "meeting_date": day, "meeting_type": "rounds_visit",
                                 "agenda": [{"title": "a", "tags": ["talk"]}],
                                 "attendee_ids": [str(net.people[p]) for p in people],
                                 "chair_id": str(net.people[people[0]]), "chair_reason": "expertise"})


async def test_density_rises_and_a_bridging_member_emerges(net: Net) -> None:
    n = await net.network(kind="mixed")
    for p in range(9):
        await net.member(n, p)
    # T = people[4]; four principals first, then T brings in two new pairs of teachers
    await hold(net, n, "2026-09-15", [4, 0, 1, 2, 3])
    await hold(net, n, "2026-10-15", [4, 0, 5, 6])
    await hold(net, n, "2026-11-15", [4, 1, 7, 8])
    # the writes queued the projection; until the worker has run, the graph says its measures are behind
    queued = (await net.client.get(f"/networks/{n['id']}/graph", headers=net.auth())).json()
    assert queued["refresh_pending"] is True and queued["measures"] is None
    assert await net.settle_graphs() >= 1  # the network and the attendees' schools
    g = (await net.client.get(f"/networks/{n['id']}/graph", headers=net.auth())).json()
    assert g["refresh_pending"] is False
    densities = [h["measures"]["density"] for h in g["history"]]
    assert [h["period"] for h in g["history"]] == ["2026-09", "2026-10", "2026-11"]
    # 9 members, 36 possible ties: 10, then 10 + 5 new, then 15 + 5 new
    assert densities == [round(10 / 36, 6), round(15 / 36, 6), round(20 / 36, 6)]
    assert g["people"][0]["educator_id"] == str(net.people[4])
    percentiles = [next(p for p in json.loads(r["people"]).items() if p[0] == str(net.people[4]))[1][
        "betweenness_percentile"] for r in await net.rows("SELECT people FROM graph_measures WHERE scope = 'network' "
                                                          "ORDER BY period")]
    assert percentiles[0] < percentiles[1] < percentiles[2]
    leaders = (await net.client.get(f"/networks/{n['id']}/emerging-leaders", headers=net.auth())).json()
    assert [(x["educator_id"], x["period"]) for x in leaders] == [(str(net.people[4]), "2026-11")]
    emerged = [json.loads(r["payload"]) for r in await net.rows(
        "SELECT payload FROM outbox WHERE type = 'org.improvenet.networks.leader.emerged'")]
    assert len(emerged) == 1 and emerged[0]["educator_id"] == str(net.people[4]) and emerged[0]["periods"] == 2
    # recomputing (another write in the same month) announces nobody twice
    await net.post("/commitments", {"school_id": str(net.schools[0]), "description": "x", "due_on": "2026-12-24"})
    await hold(net, n, "2026-11-20", [2, 3])
    await net.settle_graphs()
    assert await net.sql("SELECT count(*) FROM outbox WHERE type = 'org.improvenet.networks.leader.emerged'") == 1
    assert (await net.client.get(f"/networks/{n['id']}/graph", headers=net.auth(OTHER))).status_code == 404


async def test_joint_visits_and_mentoring_arrive_as_events(net: Net) -> None:
    n = await net.network()
    for p in range(4):
        await net.member(n, p)
    visit = VisitScheduled(visit_id=uuid.uuid4(), school_id=net.schools[0], visit_date=date(2026, 10, 1),
                           protocol_version_id=uuid.uuid4(), network_id=uuid.UUID(n["id"]),
                           observer_ids=[net.people[0], net.people[1], net.people[2]], classrooms=2)
    assert await net.deliver(visit) == "applied"
    mentoring = MentorAssigned(mentorship_id=uuid.uuid4(), mentor_id=net.people[0], mentee_id=net.people[3],
                               school_id=net.schools[0], starts_on=date(2026, 10, 5))
    assert await net.deliver(mentoring, service="hr") == "applied"
    assert await net.deliver(mentoring, service="hr") == "applied"  # a new event id, the same tie: no new edge
    kinds = {r["kind"]: r["n"] for r in await net.rows("SELECT kind, count(*) AS n FROM interactions GROUP BY kind")}
    assert kinds == {"joint_visit": 3, "mentoring": 1}
    await net.settle_graphs()
    g = (await net.client.get(f"/networks/{n['id']}/graph", headers=net.auth())).json()
    # directed ties: 3 mutual pairs (6 arcs) + 1 one-way mentoring arc; reciprocity = 6 / 7
    assert g["measures"]["reciprocity"] == round(6 / 7, 6)
    assert g["measures"]["edges"] == 4 and g["measures"]["density"] == round(4 / 6, 6)
    exported = (await net.client.get(f"/networks/{n['id']}/graph/export", headers=net.auth())).json()
    assert len(exported["nodes"]) == 4 and len(exported["edges"]) == 7
    graphml = await net.client.get(f"/networks/{n['id']}/graph/export?format=graphml", headers=net.auth())
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    parsed = nx.parse_graphml(graphml.text)
    assert parsed.number_of_edges() == 7 and parsed.has_edge(str(net.people[0]), str(net.people[3]))
    assert not parsed.has_edge(str(net.people[3]), str(net.people[0]))
    within = MentorAssigned(mentorship_id=uuid.uuid4(), mentor_id=net.people[0], mentee_id=net.people[8],
                            school_id=net.schools[0], starts_on=date(2026, 10, 6))
    assert await net.deliver(within, service="hr") == "applied"
    await net.settle_graphs()
    school = (await net.client.get(f"/schools/{net.schools[0]}/graph", headers=net.auth())).json()
    assert school["scope"] == "school" and school["measures"]["nodes"] == 3  # people 0, 4, 8 work there
    assert school["measures"]["edges"] == 1 and school["measures"]["reciprocity"] == 0.0
    assert (await net.client.get(f"/schools/{net.schools[0]}/graph", headers=net.auth(OTHER))).status_code == 404


async def test_the_graph_queue_merges_requests_and_loses_none(net: Net, monkeypatch: pytest.MonkeyPatch) -> None:
    """One row a scope: the earlier month wins and "every month" beats both; a write arriving while the
    worker computes leaves the row for another pass; a failed computation gives the scope back at once."""
    engine = net.app.state.engine
    scope = graph.Scope("network", uuid.uuid4())

    async def request(since: date | None) -> None:
        async with unit_of_work(session_factory(engine)) as session:
            await graph.request_refresh(session, TENANT, [scope], since)

    async def queued() -> list[Any]:
        return await net.rows("SELECT since, version, claimed_until FROM graph_refresh WHERE scope_id = $1", scope.id)

    await request(date(2026, 10, 1))
    await request(date(2026, 9, 1))
    await request(date(2026, 11, 1))
    assert [(r["since"], r["version"]) for r in await queued()] == [(date(2026, 9, 1), 3)]
    await request(None)
    await request(date(2026, 12, 1))
    assert [(r["since"], r["version"]) for r in await queued()] == [(None, 5)]

    computed = graph.recompute
    passes: list[date | None] = []

    async def a_write_arrives_meanwhile(session: Any, tenant: str, s: graph.Scope, since: date | None = None) -> None:
        passes.append(since)
        if len(passes) == 1:
            await request(date(2026, 8, 1))  # committed while this computation runs
        await computed(session, tenant, s, since)

    monkeypatch.setattr(graph, "recompute", a_write_arrives_meanwhile)
    assert await graph.refresh_next(engine) is True
    left = await queued()
    assert [(r["version"], r["claimed_until"]) for r in left] == [(6, None)], "the second request was lost"
    assert await graph.refresh_all(engine) == 1 and await queued() == []
    assert passes == [None, None]  # "every month" absorbed the later request

    async def fails(session: Any, tenant: str, s: graph.Scope, since: date | None = None) -> None:
        raise RuntimeError("the computation failed")

    await request(date(2026, 10, 1))
    monkeypatch.setattr(graph, "recompute", fails)
    with pytest.raises(RuntimeError):
        await graph.refresh_next(engine)
    assert [r["claimed_until"] for r in await queued()] == [None], "a failed scope waits for its claim to expire"
