"""bench/quality_read.py seeds the database as debriefed rounds leave it: the index it reads, once
published, is the one the service computes (the bench's SQL and the service agree)."""

from __future__ import annotations

import asyncpg
import pytest

from bench.quality_read import LOOK_FORS, RECOUNT, SEED
from libs.common.settings import asyncpg_dsn
from tests.integration.observations.conftest import Obs


async def test_the_bench_seed_reads_as_the_service_computes(obs: Obs) -> None:
    protocol = (await obs.ok("POST", "/protocols", {"name": "Q1", "look_fors": LOOK_FORS}, 201)).json()
    version = protocol["versions"][0]["id"]
    conn = await asyncpg.connect(asyncpg_dsn(obs.url))
    try:
        await conn.execute(SEED, "district-a", obs.school, version, obs.educators[0], 2, 5, 10)
        await conn.execute(RECOUNT, "district-a", obs.school, version)
        shares = {}
        rooms = await conn.fetchval("SELECT count(*) FROM classrooms")
        for code in ("T1", "S1", "K1", "E1"):
            shares[code] = await conn.fetchval(
                "SELECT count(DISTINCT r.classroom_id) FROM records r JOIN notes n ON n.record_id = r.id "
                "WHERE $1 = ANY(n.look_for_codes)", code) / rooms
    finally:
        await conn.close()
    # the reads show published figures only: the bench's sums are published by closing the period
    unpublished = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1")).json()
    assert (unpublished["observed_classrooms"], unpublished["published"]) == (10, False)
    await obs.ok("POST", f"/schools/{obs.school}/quality/close", {"period": "2026-27-T1"})
    index = (await obs.ok("GET", f"/schools/{obs.school}/quality?period=2026-27-T1")).json()
    assert index["observed_classrooms"] == rooms == 10 and index["published"] is True
    assert index["shares"] == pytest.approx(shares)
    assert index["overall"] == pytest.approx(sum(shares.values()) / 4)
