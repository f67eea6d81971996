"""Signed webhooks on a real PostgreSQL with real receivers on 127.0.0.1, signatures verified with the
`standardwebhooks` package: complete and in order per aggregate, tenant- and type-scoped, a receiver
outage, permanent failure -> disabled with its reason and an event, re-enable, replay, rotation.

Time is compressed: retries back off from 0.1 s doubling to 1 s (production: 5 s doubling to 1 h) and
the disable window is seconds (production: 3 days); the code paths are the same ones.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg

from libs.common.settings import asyncpg_dsn
from libs.contracts import REGISTRY
from tests.integration.partners.conftest import Rig, wait_until
from tests.integration.partners.rounds import (
    assert_in_order_per_aggregate,
    assert_no_personal_data,
    ids,
    write_round,
)

SCHOOL_TYPES = ["org.improvenet.hr.school.registered", "org.improvenet.hr.school.updated"]


async def test_a_round_arrives_complete_in_order_signed_and_scoped(rig: Rig) -> None:
    a_all, a_schools, b_all = rig.receiver(), rig.receiver(), rig.receiver()
    await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], receiver=a_all)
    await rig.subscribe("district-a", await rig.partner_client("district-a"), SCHOOL_TYPES, receiver=a_schools)
    await rig.subscribe("district-b", await rig.partner_client("district-b"), ["*"], receiver=b_all)

    a_events, b_events = [], []
    for _ in range(2):
        a_events += await write_round(rig, "district-a")
        b_events += await write_round(rig, "district-b", schools=1, educators=2)
    a_school_ids = {str(e.id) for e in a_events if e.type in SCHOOL_TYPES}

    assert await wait_until(lambda: ids(a_events) <= set(a_all.ids()) and ids(b_events) <= set(b_all.ids())
                            and a_school_ids <= set(a_schools.ids()), 30), (
        f"missing: A {len(ids(a_events) - set(a_all.ids()))}, B {len(ids(b_events) - set(b_all.ids()))}")
    await asyncio.sleep(0.5)  # anything that should not arrive has had its chance
    assert a_all.rejected == b_all.rejected == a_schools.rejected == [], "a signature did not verify"
    # tenancy: each partner got exactly its own tenant's events; the types filter held
    assert set(a_all.ids()) == ids(a_events)
    assert set(b_all.ids()) == ids(b_events)
    assert set(a_schools.ids()) == a_school_ids and {ce["type"] for ce in a_schools.events()} == set(SCHOOL_TYPES)
    for receiver in (a_all, a_schools, b_all):
        assert_in_order_per_aggregate(receiver.events())
        for arrival in receiver.arrivals:
            ce = arrival.event
            assert arrival.webhook_id == ce["id"] and ce["specversion"] == "1.0"
            model = REGISTRY[ce["type"]]
            assert set(ce["data"]) == set(model.model_fields)  # documented fields only
            model.model_validate(ce["data"])
            assert ce["dataschema"] == model.dataschema()
            assert_no_personal_data(arrival.body.decode())


async def test_receiver_down_then_back_loses_nothing_and_duplicates_keep_their_id(make_rig: Any) -> None:
    rig: Rig = await make_rig()
    receiver = rig.receiver()
    sub = await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], receiver=receiver)
    first = await write_round(rig, "district-a", versions=1, leak=False)
    assert await wait_until(lambda: ids(first) <= set(receiver.ids()), 20)

    receiver.stop()  # down: connections refused
    down_at = time.monotonic()
    during = []
    while time.monotonic() - down_at < 6:  # writes go on while the receiver is down (compressed 60 s)
        during += await write_round(rig, "district-a", schools=1, educators=2, versions=2, leak=False)
        await asyncio.sleep(0.5)
    log = await rig.http.get(f"/api/v1/partners/subscriptions/{sub['id']}/deliveries", params={"state": "pending"},
                             headers=rig.admin("district-a"))
    pending = log.json()
    assert pending and max(d["attempts"] for d in pending) >= 3, "the dispatcher did not keep retrying"
    assert all(d["last_error"] and "Connect" in d["last_error"] for d in pending if d["attempts"])
    assert (await rig.subscription("district-a", sub["id"]))["status"] == "active"

    receiver.start()
    back_at = time.monotonic()
    assert await wait_until(lambda: ids(first + during) <= set(receiver.ids()), 30), \
        f"lost {len(ids(during) - set(receiver.ids()))} events"
    caught_up = time.monotonic() - back_at
    assert set(receiver.ids()) == ids(first + during)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for arrival in receiver.arrivals:
        bodies[arrival.webhook_id].add(arrival.body)
    assert all(len(b) == 1 for b in bodies.values()), "a duplicate differed from its first delivery"
    assert_in_order_per_aggregate(receiver.events())
    assert caught_up < 10, f"backlog took {caught_up:.1f}s after the receiver came back"
    print(f"PARTNER-FIGURES receiver-down: {len(during)} events while down 6 s, all delivered "
          f"{caught_up:.1f}s after it came back, duplicates {len(receiver.arrivals) - len(bodies)}")


async def test_persistent_failure_disables_with_reason_and_event_then_reenable_delivers(make_rig: Any) -> None:
    rig: Rig = await make_rig(retry_window_seconds=2.0, retry_max_seconds=0.5)
    receiver = rig.receiver()
    receiver.status = 500
    client = await rig.partner_client("district-a")
    sub = await rig.subscribe("district-a", client, ["*"], receiver=receiver)
    written = await write_round(rig, "district-a", versions=1, leak=False)

    async def disabled() -> bool:
        return (await rig.subscription("district-a", sub["id"]))["status"] == "disabled"

    assert await wait_until(disabled, 20), "the failing subscription was not disabled"
    state = await rig.subscription("district-a", sub["id"])
    assert "HTTP 500" in state["disabled_reason"] and receiver.url in state["disabled_reason"]
    assert state["disabled_at"] is not None and receiver.arrivals == []
    attempts_when_disabled = receiver.attempts
    assert attempts_when_disabled >= 3
    conn = await asyncpg.connect(asyncpg_dsn(rig.gateway_url))
    try:
        rows = await conn.fetch("SELECT tenant_id, payload::text FROM outbox WHERE type = $1",
                                "org.improvenet.gateway.partner-subscription.disabled")
    finally:
        await conn.close()
    assert len(rows) == 1 and rows[0]["tenant_id"] == "district-a"
    payload = json.loads(rows[0]["payload"])
    assert payload["subscription_id"] == sub["id"] and payload["client_id"] == client["client_id"]
    assert "HTTP 500" in payload["reason"]
    await asyncio.sleep(1.0)
    assert receiver.attempts == attempts_when_disabled, "a disabled subscription was still called"

    receiver.status = 200
    more = await write_round(rig, "district-a", versions=1, leak=False)  # written while disabled: kept
    enabled = await rig.http.post(f"/api/v1/partners/subscriptions/{sub['id']}/enable",
                                  headers=rig.admin("district-a"))
    assert enabled.status_code == 200 and enabled.json()["status"] == "active"
    assert enabled.json()["disabled_reason"] is None
    assert await wait_until(lambda: ids(written + more) <= set(receiver.ids()), 20)
    assert_in_order_per_aggregate(receiver.events())


async def test_replay_redelivers_from_the_given_time(rig: Rig) -> None:
    receiver = rig.receiver()
    sub = await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], receiver=receiver)
    before = await write_round(rig, "district-a", versions=2, leak=False)
    assert await wait_until(lambda: ids(before) <= set(receiver.ids()), 20)
    await asyncio.sleep(0.05)
    since = datetime.now(UTC)
    after = await write_round(rig, "district-a", versions=2, leak=False)
    assert await wait_until(lambda: ids(before + after) <= set(receiver.ids()), 20)
    delivered = len(receiver.arrivals)

    r = await rig.http.post(f"/api/v1/partners/subscriptions/{sub['id']}/replay", json={"since": since.isoformat()},
                            headers=rig.admin("district-a"))
    assert r.status_code == 202 and r.json() == {"replayed": len(after)}
    assert await wait_until(lambda: len(receiver.arrivals) >= delivered + len(after), 20)
    await asyncio.sleep(0.5)
    replayed = receiver.arrivals[delivered:]
    assert [a.webhook_id for a in replayed if a.webhook_id in ids(before)] == []
    assert {a.webhook_id for a in replayed} == ids(after) and len(replayed) == len(after)
    assert_in_order_per_aggregate([a.event for a in replayed])

    feed_sub = await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], mode="feed")
    refused = await rig.http.post(f"/api/v1/partners/subscriptions/{feed_sub['id']}/replay",
                                  json={"since": since.isoformat()}, headers=rig.admin("district-a"))
    assert refused.status_code == 409
    naive = await rig.http.post(f"/api/v1/partners/subscriptions/{sub['id']}/replay",
                                json={"since": "2026-01-01T00:00:00"}, headers=rig.admin("district-a"))
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "since"


async def test_secret_rotation_signs_with_both_secrets_for_the_overlap(rig: Rig) -> None:
    receiver = rig.receiver()
    sub = await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], receiver=receiver)
    first = await write_round(rig, "district-a", versions=1, leak=False, schools=1, educators=1)
    assert await wait_until(lambda: ids(first) <= set(receiver.ids()), 20)
    assert all(a.verified_with == [0] for a in receiver.arrivals)

    r = await rig.http.post(f"/api/v1/partners/subscriptions/{sub['id']}/secret", headers=rig.admin("district-a"))
    assert r.status_code == 200 and r.json()["secret"].startswith("whsec_") and r.json()["secret"] != sub["secret"]
    assert r.json()["previous_secret_expires_at"] is not None
    receiver.secrets.append(r.json()["secret"])
    second = await write_round(rig, "district-a", versions=1, leak=False, schools=1, educators=1)
    assert await wait_until(lambda: ids(second) <= set(receiver.ids()), 20)
    rotated = [a for a in receiver.arrivals if a.webhook_id in ids(second)]
    assert rotated and all(a.verified_with == [0, 1] for a in rotated)  # old and new secret both verify
    assert receiver.rejected == []


async def test_a_type_taken_back_is_no_longer_delivered(rig: Rig) -> None:
    receiver = rig.receiver()
    sub = await rig.subscribe("district-a", await rig.partner_client("district-a"), ["*"], receiver=receiver)
    r = await rig.http.patch(f"/api/v1/partners/subscriptions/{sub['id']}", json={"types": SCHOOL_TYPES},
                             headers=rig.admin("district-a"))
    assert r.status_code == 200 and r.json()["types"] == SCHOOL_TYPES and r.json()["version"] == 2
    written = await write_round(rig, "district-a", versions=2)
    schools = {str(e.id) for e in written if e.type in SCHOOL_TYPES}
    assert await wait_until(lambda: schools <= set(receiver.ids()), 20)
    await asyncio.sleep(0.5)
    assert set(receiver.ids()) == schools
