"""Hamilton's plan end to end, through the gateway, on the platform as `make up` starts it.

Schools and educators come from hr (replicated into strategy by events), performance is loaded in bulk,
professional-learning hours are recorded in hr (strategy counts them from hr's events). Practice quality
arrives as observations' `quality-index.updated` events published on the platform's real bus: the
observations API is being revised concurrently, and ten years of rounds of five or more classrooms
per term are not what this test is about.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from improvenet.launcher import Platform
from libs.common.bus import Bus, Message
from libs.common.events import new_event
from libs.common.settings import database_url_for
from libs.contracts.observations import QualityIndexUpdated
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import ALL, bearer, eventually
from tests.integration.strategy.story import INITIATIVE_START, MATH, PERIODS, QUALITY, STATEMENT, math_rows


def platform_bus(platform: Platform) -> Bus:
    if platform.config.bus == "kafka":
        from libs.common.kafka_bus import KafkaBus

        return KafkaBus(platform.config.kafka_bootstrap_servers)
    from libs.common.postgres_bus import PostgresBus

    return PostgresBus(database_url_for(platform.server_url, "improvenet_bus"))


def publish_quality(platform: Platform, tenant: str, school: str, upto: int) -> None:
    """What observations publishes once a school and term has enough observed classrooms."""
    async def send() -> None:
        bus = platform_bus(platform)
        try:
            messages = []
            for i in range(upto):
                payload = QualityIndexUpdated(school_id=school, period=PERIODS[i],  # type: ignore[arg-type]
                                              observed_classrooms=6, shares={"S1": QUALITY[i]}, overall=QUALITY[i])
                event = new_event(payload, service="observations", tenant_id=tenant)
                messages.append(Message(payload.topic, payload.subject,
                                        json.dumps(event.data).encode(), event.headers()))
            assert all(r is None for r in await bus.publish(messages))
        finally:
            await bus.close()

    asyncio.run(send())


def test_hamiltons_theory_of_action_is_tested_by_the_data(platform: Platform,
                                                          token_for: Callable[..., str]) -> None:
    gw = f"{platform.gateway_url}/api/v1"
    auth = bearer(token_for("hamilton", ALL))
    with outside_client() as c:
        def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
            r = c.post(f"{gw}{path}", json=body, headers=auth)
            assert r.status_code == status, r.text
            return r.json()  # type: ignore[no-any-return]

        def get(path: str, **params: Any) -> dict[str, Any]:
            r = c.get(f"{gw}{path}", params=params, headers=auth)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        hamilton = post("/hr/schools", {"name": "Hamilton Elementary"})["id"]
        lincoln = post("/hr/schools", {"name": "Lincoln Elementary"})["id"]
        principal = post("/hr/educators", {"given_name": "P", "family_name": "H", "school_id": hamilton})["id"]
        teacher = post("/hr/educators", {"given_name": "T", "family_name": "L", "school_id": lincoln})["id"]
        assert eventually(lambda: all(c.get(f"{gw}/strategy/directory/{kind}/{i}", headers=auth).status_code == 200
                                      for kind, i in [("schools", hamilton), ("schools", lincoln),
                                                      ("educators", principal), ("educators", teacher)]), 20)

        plan = post("/strategy/plans", {"level": "school", "school_id": hamilton, "title": "Hamilton math",
                                        "vision": "Every student explains their reasoning", "owner_id": principal,
                                        "period_start": PERIODS[INITIATIVE_START], "period_end": PERIODS[-1]})
        assert post(f"/strategy/plans/{plan['id']}/adopt", {}, 200)["status"] == "adopted"
        practice = post(f"/strategy/plans/{plan['id']}/statements", {
            "text": STATEMENT, "if_kind": "milestones", "then_measure": "practice-quality", "lag": 2})
        performance = post(f"/strategy/plans/{plan['id']}/statements", {
            "text": "then math scores rise", "if_kind": "measure", "if_measure": "practice-quality",
            "then_measure": "math", "lag": 3})
        initiative = post(f"/strategy/plans/{plan['id']}/initiatives", {
            "title": "Observe the model classroom", "owner_id": principal, "statement_id": practice["id"],
            "start_period": PERIODS[INITIATIVE_START], "starts_on": "2018-08-20",
            "allocations": [{"school_id": hamilton, "period": "2018-19", "money": 25000, "hours": 120}],
            "milestones": [{"title": "Every teacher has visited", "owner_id": principal,
                            "due_period": PERIODS[10], "due_on": "2019-12-15"}]})
        assert initiative["allocations"][0] == {"school_id": hamilton, "period": "2018-19", "money": 25000,
                                                "hours": 120}

        loaded = post("/strategy/measurements/bulk", {"items": math_rows(hamilton)}, 200)
        assert loaded["created"] == len(MATH)
        assert get(f"/strategy/statements/{performance['id']}")["verdict"] == "untested"

        publish_quality(platform, "hamilton", hamilton, len(PERIODS))
        assert eventually(lambda: get(f"/strategy/statements/{performance['id']}")["verdict"] == "supported", 30)
        evidence = get(f"/strategy/statements/{performance['id']}")["evidence"][hamilton]
        assert evidence["if_moved_at"] == PERIODS[12] and evidence["signal"]["periods"][0] == PERIODS[14]

        trajectory = get(f"/strategy/schools/{hamilton}/trajectory", performance="math")
        assert trajectory["implementation_dip"]["status"] == "recovered"
        assert trajectory["implementation_dip"]["signal"]["periods"] == [PERIODS[INITIATIVE_START]]
        assert trajectory["lag"]["lag"] == 2
        assert trajectory["stage"]["stage"] == "improving"
        chart = get(f"/strategy/schools/{hamilton}/series/math", phase_from=PERIODS[INITIATIVE_START])
        assert [p["value"] for p in chart["points"]] == MATH and len(chart["phases"]) == 2

        second = post(f"/strategy/plans/{plan['id']}/initiatives", {
            "title": "New reading software", "owner_id": principal, "start_period": PERIODS[9],
            "starts_on": "2019-01-10"})
        assert second["incoherent"]
        assert get(f"/strategy/plans/{plan['id']}")["incoherent_initiative_ids"] == [second["id"]]

        # Lincoln: the gains demanded of it rise, its professional-learning hours stay flat
        district = post("/strategy/plans", {"level": "district", "title": "District math", "vision": "v",
                                            "owner_id": principal, "period_start": "2024-25",
                                            "period_end": "2026-27"})
        for target, due, period in [(52.5, "2025-06-30", "2024-25"), (55, "2026-06-30", "2025-26")]:
            post(f"/strategy/plans/{district['id']}/goals", {
                "school_id": lincoln, "owner_id": principal, "measure": "math", "polarity": "higher",
                "baseline": 50, "baseline_period": "2024-25", "target": target, "due_period": period,
                "due_on": due})
        for completed in ("2024-10-01", "2025-10-01"):
            post("/hr/professional-learning", {"educator_id": teacher, "hours": 20, "topic_code": "math",
                                               "completed_on": completed})

        def flags() -> list[tuple[str, float, bool]]:
            rows = get(f"/strategy/schools/{lincoln}/reciprocity")["rows"]
            return [(r["period"], r["capacity"], r["flag"]) for r in rows]

        assert eventually(lambda: flags() == [("2024-25", 20, False), ("2025-26", 20, True)], 20), flags()
