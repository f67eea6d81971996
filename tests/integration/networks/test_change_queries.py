"""Change queries on networks (libs/common/changes.py) for networks, memberships and practices, as a district's
sync client uses them: a full load, then only what changed (a membership ended is an update), deletes as
tombstones, nothing for another tenant, and a 410 once it falls behind the tombstones' retention.

The API deletes none of the three (a membership ends, a practice stays in the library): a row removed in the
database (by an operator, a tenant's erasure) is what leaves a tombstone, so the tests remove rows with SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from services.networks.app import TRACKED
from services.networks.worker import CHANGE_TRACKED
from tests.conftest import new_database
from tests.integration.change_queries import Sync, sync_client
from tests.integration.networks.conftest import OTHER, SCOPES, Net

RESOURCES = ["/networks", "/memberships", "/practices"]


@pytest.fixture
async def database(pg_server: str) -> str:
    return await new_database(pg_server, "networks", service="networks")


@pytest.fixture
async def sync(database: str, pg_server: str, keys_dir: Path, make_token: Callable[..., str]
               ) -> AsyncIterator[Sync]:
    async with sync_client("networks", pg_server, database, keys_dir, make_token, CHANGE_TRACKED, SCOPES) as client:
        yield client


@pytest.fixture
async def net(sync: Sync, database: str, make_token: Callable[..., str]) -> Net:
    """conftest's Net (its directory replica seeded), on the sync client's app."""
    n = Net(sync.app, sync.client, database, make_token)
    await n.seed()
    return n


async def practice(net: Net, school: int, title: str = "Number talks") -> dict[str, Any]:
    body = {"title": title, "description": "Ten minutes a day of mental math with explanation",
            "origin_school_id": str(net.schools[school]), "stage": "fair_to_good", "tags": ["talk"]}
    return (await net.post("/practices", body)).json()  # type: ignore[no-any-return]


async def remove(net: Net, table: str, row_id: str) -> None:
    """What no API call does: the row deleted in the database (its trigger leaves the tombstone)."""
    await net.sql(f"DELETE FROM {table} WHERE id = $1::uuid", row_id)  # table: one of ours, never input


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


def test_the_worker_numbers_every_tracked_table() -> None:
    assert CHANGE_TRACKED == [t.table.name for t in TRACKED]
    assert [t.path for t in TRACKED] == RESOURCES


async def test_a_sync_client_gets_everything_then_only_what_changed(sync: Sync, net: Net) -> None:
    whole, pair = await net.network(), await net.network(net.schools[:2], name="Pair")
    members = [await net.member(whole, n) for n in range(3)]
    paired = await net.member(pair, 4)
    library = [await practice(net, 0), await practice(net, 1, "Turn and talk")]
    assert (await sync.available())["newest_change_version"] == 0  # nothing numbered before the sequencer runs
    assert await sync.sequence() == 2 + 4 + 2

    # 1. the first sync: note newest, load everything
    first = await sync.available()
    assert first["oldest_change_version"] == 0 and first["newest_change_version"] > 0
    upto: dict[str, Any] = {"max_change_version": first["newest_change_version"]}
    assert ids(await sync.every("/networks", **upto)) == ids([whole, pair])
    assert ids(await sync.every("/memberships", **upto)) == ids([*members, paired])
    assert ids(await sync.every("/practices", **upto)) == ids(library)
    assert ids(await sync.every("/memberships", network_id=pair["id"])) == {paired["id"]}

    # 2. changes: norms revised, a member leaves (an update: the row stays), a practice revised, two created
    revised = await sync.client.put(f"/networks/{whole['id']}/norms", json={"norms": ["Start on time"]},
                                    headers={**sync.headers, "If-Match": '"1"'})
    assert revised.status_code == 200, revised.text
    left = await sync.client.post(f"/memberships/{members[1]['id']}/end", json={"ends_on": "2026-12-01"},
                                  headers={**sync.headers, "If-Match": '"1"'})
    assert left.status_code == 200, left.text
    retitled = await sync.client.patch(f"/practices/{library[0]['id']}", json={"title": "Number talks, daily"},
                                       headers={**sync.headers, "If-Match": '"1"'})
    assert retitled.status_code == 200, retitled.text
    joined = await net.member(pair, 5)
    added = await practice(net, 2, "Exit tickets")
    window: dict[str, Any] = {"min_change_version": first["newest_change_version"] + 1}
    # not numbered yet: an uncommitted-then-committed change never slips below a version a client passed
    for path in RESOURCES:
        assert await sync.every(path, **window) == []
    assert await sync.sequence() == 5
    second = await sync.available()
    window["max_change_version"] = second["newest_change_version"]
    assert ids(await sync.every("/networks", **window)) == {whole["id"]}
    changed_members = await sync.every("/memberships", **window)
    assert ids(changed_members) == {members[1]["id"], joined["id"]}
    assert next(m for m in changed_members if m["id"] == members[1]["id"])["ends_on"] == "2026-12-01"
    assert ids(await sync.every("/practices", **window)) == {library[0]["id"], added["id"]}
    for path in RESOURCES:  # nothing was deleted (and /<path>/deletes is not read as /<path>/{id})
        assert await sync.every(f"{path}/deletes", **window) == []
    counted = await sync.client.get("/memberships", params={**window, "totalCount": "true"}, headers=sync.headers)
    assert counted.headers["total-count"] == "2"

    # 3. the next sync from where this one ended: nothing
    after: dict[str, Any] = {"min_change_version": second["newest_change_version"] + 1}
    for path in RESOURCES:
        assert await sync.every(path, **after) == [] and await sync.every(f"{path}/deletes", **after) == []
    assert await sync.sequence() == 0  # nothing left to number: the sequencer's own writes are not changes

    # another tenant sees none of it
    other = net.auth(OTHER)
    assert (await sync.available(other))["newest_change_version"] == 0
    for path in RESOURCES:
        assert await sync.every(path, headers=other, min_change_version=0) == []


async def test_a_removed_row_leaves_a_tombstone_only_its_schools_see(sync: Sync, net: Net) -> None:
    network = await net.network()
    member, kept = await net.member(network, 1), await net.member(network, 2)
    contributed = await practice(net, 3)
    await sync.sequence()
    first = await sync.available()
    for table, row in (("memberships", member), ("practices", contributed), ("networks", network)):
        await remove(net, table, row["id"])
    assert await sync.sequence() == 3  # the three tombstones
    window: dict[str, Any] = {"min_change_version": first["newest_change_version"] + 1}
    for path, row in (("/memberships", member), ("/practices", contributed), ("/networks", network)):
        tombstones = await sync.every(f"{path}/deletes", **window)
        assert [(t["id"], t["external_ids"]) for t in tombstones] == [(row["id"], {})]  # none has external ids
        assert tombstones[0]["change_version"] > first["newest_change_version"]
    assert ids(await sync.every("/memberships")) == {kept["id"]}

    # a school-limited token learns of its school's deletes only; a network spans schools: whole tenant only
    def seen_by(school: int) -> dict[str, str]:
        return net.auth(schools=[str(net.schools[school])])

    assert ids(await sync.every("/memberships/deletes", headers=seen_by(1), **window)) == {member["id"]}
    assert ids(await sync.every("/practices/deletes", headers=seen_by(3), **window)) == {contributed["id"]}
    assert await sync.every("/memberships/deletes", headers=seen_by(3), **window) == []
    assert await sync.every("/practices/deletes", headers=seen_by(1), **window) == []
    assert await sync.every("/networks/deletes", headers=seen_by(1), **window) == []
    for path in RESOURCES:
        assert await sync.every(f"{path}/deletes", headers=net.auth(OTHER), min_change_version=0) == []


async def test_below_the_retention_horizon_a_change_query_is_410_and_a_full_load_still_works(
        sync: Sync, net: Net) -> None:
    network = await net.network()
    gone = await practice(net, 0, "Retired")
    await remove(net, "practices", gone["id"])
    held = await sync.expire_tombstones()
    for path in ("/practices/deletes", *RESOURCES):
        await sync.assert_expired(path, held)
    assert ids(await sync.every("/networks")) == {network["id"]}  # a full load needs no window
    assert await sync.every("/networks", min_change_version=held["oldest_change_version"]) == []
    backwards = await sync.client.get("/memberships", params={"min_change_version": 5, "max_change_version": 2},
                                      headers=sync.headers)
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "max_change_version"
