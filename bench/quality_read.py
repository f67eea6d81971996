"""Q1: the practice-quality index read, at 10k and at 1M evidence notes.

Notes, records, classrooms and visits are written straight into observations' database with
generate_series (as a year of debriefed rounds would leave them: notes selected and accepted by the
team), with the running sums as debriefs leave them; then the index is read through the gateway,
sequentially, and timed. The read costs O(look-fors), whatever the number of notes.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import asyncpg
import httpx

from improvenet.launcher import Platform
from libs.common.settings import asyncpg_dsn, database_url_for

LOOK_FORS = [{"code": c, "description": c, "domain": "students"} for c in ("T1", "S1", "K1", "E1")]
NOTES_PER_RECORD = 100
CLASSROOMS_PER_VISIT = 5

SEED = """
WITH v AS (
  INSERT INTO visits (id, tenant_id, school_id, visit_date, protocol_version_id, problem_of_practice,
                      observer_ids, status, version)
  SELECT gen_random_uuid(), $1, $2, date '2026-09-01' + (g % 90), $3, 'bench', ARRAY[$4::uuid], 'debriefed', 1
  FROM generate_series(1, $5) g RETURNING id
), c AS (
  INSERT INTO classrooms (id, tenant_id, visit_id, grade, subject, room)
  SELECT gen_random_uuid(), $1, v.id, '4', 'math', r::text FROM v, generate_series(1, $6) r RETURNING id, visit_id
), r AS (
  INSERT INTO records (id, tenant_id, visit_id, classroom_id, observer_id, status, version)
  SELECT gen_random_uuid(), $1, c.visit_id, c.id, $4, 'submitted', 1 FROM c RETURNING id, classroom_id
), n AS (
  INSERT INTO notes (id, tenant_id, record_id, observed_at, text, look_for_codes, language, descriptive, flags,
                     verdict, selected, screening)
  SELECT gen_random_uuid(), $1, r.id, now(), 'Students compare two strategies at the board',
         CASE (k + abs(hashtext(r.id::text))) % 4 WHEN 0 THEN ARRAY['T1'] WHEN 1 THEN ARRAY['S1']
              WHEN 2 THEN ARRAY['T1', 'K1'] ELSE ARRAY['S1', 'E1'] END,
         'en', true, '[]'::jsonb, 'descriptive', true, 'accepted'
  FROM r, generate_series(1, $7) k RETURNING record_id
)
SELECT count(*) FROM n
"""

# one observer per classroom: a classroom's presence of a look-for is 1 when its observer saw it
RECOUNT = """
WITH mine AS (
  SELECT r.classroom_id, n.look_for_codes FROM records r JOIN visits v ON v.id = r.visit_id
  JOIN notes n ON n.record_id = r.id
  WHERE v.tenant_id = $1 AND v.school_id = $2 AND n.screening = 'accepted'
), seen AS (
  SELECT code, count(DISTINCT classroom_id) AS rooms FROM mine CROSS JOIN unnest(look_for_codes) code GROUP BY code
  UNION ALL SELECT '', count(DISTINCT classroom_id) FROM mine
)
INSERT INTO quality_sums (tenant_id, school_id, period, protocol_version_id, look_for_code, total)
SELECT $1, $2, '2026-27-T1', $3, code, rooms FROM seen
ON CONFLICT (tenant_id, school_id, period, protocol_version_id, look_for_code) DO UPDATE SET total = EXCLUDED.total
"""


def timed_reads(url: str, headers: dict[str, str], n: int = 300) -> dict[str, float]:
    times = []
    with httpx.Client(headers=headers, timeout=10) as c:
        for _ in range(20):
            c.get(url).raise_for_status()
        for _ in range(n):
            t0 = time.perf_counter()
            c.get(url).raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}


async def seed(dsn: str, tenant: str, school: str, version: str, observer: str, notes: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        visits = max(1, notes // (NOTES_PER_RECORD * CLASSROOMS_PER_VISIT))
        await conn.execute(SEED, tenant, school, version, observer, visits, CLASSROOMS_PER_VISIT, NOTES_PER_RECORD)
        await conn.execute(RECOUNT, tenant, school, version)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def run(platform: Platform, headers: dict[str, str], tenant: str) -> dict[str, Any]:
    api = f"{platform.gateway_url}/api/v1"
    with httpx.Client(headers=headers, timeout=30) as c:
        school = c.post(f"{api}/hr/schools", json={"name": "Quality School"}).json()["id"]
        observer = c.post(f"{api}/hr/educators", json={"given_name": "Q", "family_name": "R"}).json()["id"]
        version = c.post(f"{api}/observations/protocols", json={"name": "Q1", "look_fors": LOOK_FORS}).json()[
            "versions"][0]["id"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and c.get(
                f"{api}/observations/directory/schools/{school}").status_code != 200:
            time.sleep(0.05)
    dsn = asyncpg_dsn(database_url_for(platform.server_url, "improvenet_observations"))
    url = f"{api}/observations/schools/{school}/quality?period=2026-27-T1"
    out: dict[str, Any] = {}
    total = 0
    for target in (10_000, 1_000_000):
        t0 = time.monotonic()
        asyncio.run(seed(dsn, tenant, school, version, observer, target - total))
        total = target
        out[f"seed_{target}_s"] = round(time.monotonic() - t0, 1)
        out[f"notes_{target}"] = timed_reads(url, headers)

    async def count() -> int:
        conn = await asyncpg.connect(dsn)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM notes WHERE tenant_id = $1", tenant))
        finally:
            await conn.close()

    out["notes_in_database"] = asyncio.run(count())
    return out
