"""H1 and H2: hr's pipeline.

H1: a stage transition (novice -> intermediate teacher, with criteria, evidence and approver) through the
gateway with wrk at 32 connections, each request a different educator (a legal move every time), beside
the reference (bare FastAPI + asyncpg, one INSERT per POST) measured in the same run.
H2: pipeline analytics for 50,000 educators through the gateway (target <= 200 ms p99): educators,
history, mentorships, readiness and posts are written straight into hr's database with generate_series;
the first read rebuilds the projection, the reads after it are served from it.

    .venv/bin/python -m bench.hr_pipeline          # starts the platform, prints JSON
    run(platform, headers, reference_rps)          # from `make bench`
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from improvenet.launcher import Platform
from libs.common.settings import asyncpg_dsn, database_url_for

EDUCATORS = 50_000
H2_TARGET_MS = 200.0
H1_SECONDS, CONNECTIONS = 10, 32
CRITERIA = ["induction completed", "mentor recommendation"]

SEED = """
WITH s AS (
  INSERT INTO school (id, tenant_id, name, version, created_at, updated_at)
  SELECT gen_random_uuid(), $1, 'H2 school ' || g, 1, now(), now() FROM generate_series(1, 100) g RETURNING id
), sn AS (SELECT id, row_number() OVER () AS n FROM s),
e AS (
  INSERT INTO educator (id, tenant_id, school_id, given_name, family_name, career_stage, stage, stage_since,
                        staff_unique_id, version, created_at, updated_at)
  SELECT gen_random_uuid(), $1, sn.id, 'G', 'H2',
         st.stage, st.stage, date '2026-09-01' - (g % 1500), 'H2-' || g, 1, now(), now()
  FROM generate_series(1, $2) g
  JOIN sn ON sn.n = 1 + g % 100
  CROSS JOIN LATERAL (SELECT CASE WHEN g % 100 < 25 THEN 'novice_teacher' WHEN g % 100 < 70 THEN 'intermediate_teacher'
                                  WHEN g % 100 < 88 THEN 'teacher_leader' WHEN g % 100 < 94 THEN 'principal_resident'
                                  WHEN g % 100 < 99 THEN 'principal' ELSE 'system_leader' END AS stage) st
  RETURNING id, school_id, career_stage
), m AS (
  INSERT INTO mentorship (id, tenant_id, mentor_id, mentee_id, school_id, starts_on, version, created_at, updated_at)
  SELECT gen_random_uuid(), $1, e.id, e.id, e.school_id, date '2026-09-01', 1, now(), now()
  FROM e WHERE e.career_stage = 'novice_teacher' AND abs(hashtext(e.id::text)) % 10 < 8 RETURNING id
), t AS (
  INSERT INTO stage_transition (id, tenant_id, educator_id, seq, school_id, from_stage, to_stage,
                                from_career_stage, to_career_stage, criteria_met, transitioned_on, created_at)
  SELECT gen_random_uuid(), $1, e.id, 1, e.school_id, 'novice_teacher', e.career_stage, 'novice_teacher',
         e.career_stage, '[]'::jsonb, date '2026-06-01', now()
  FROM e WHERE e.career_stage <> 'novice_teacher' RETURNING id
), r AS (
  INSERT INTO readiness (educator_id, tenant_id, target_stage, estimate, set_on, version, updated_at)
  SELECT e.id, $1, 'principal', CASE WHEN abs(hashtext(e.id::text)) % 3 = 0 THEN 'ready_now'
                                     ELSE 'one_to_two_years' END, date '2026-09-01', 1, now()
  FROM e WHERE e.career_stage = 'principal_resident' RETURNING educator_id
)
INSERT INTO leadership_post (id, tenant_id, school_id, stage, title, version, created_at, updated_at)
SELECT gen_random_uuid(), $1, s.id, 'principal', 'Principal', 1, now(), now() FROM s
"""


def _timed(url: str, headers: dict[str, str], n: int = 300) -> dict[str, float]:
    times = []
    with httpx.Client(headers=headers, timeout=30) as c:
        for _ in range(10):
            c.get(url).raise_for_status()
        for _ in range(n):
            t0 = time.perf_counter()
            c.get(url).raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}


def h2(platform: Platform, headers: dict[str, str], tenant: str) -> dict[str, Any]:
    dsn = asyncpg_dsn(database_url_for(platform.server_url, "improvenet_hr"))

    async def seed() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(SEED, tenant, EDUCATORS)
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    t0 = time.monotonic()
    asyncio.run(seed())
    seeded = time.monotonic() - t0
    url = f"{platform.gateway_url}/api/v1/hr/pipeline/analytics"
    t0 = time.perf_counter()
    with httpx.Client(headers=headers, timeout=60) as c:
        first = c.get(url)
        first.raise_for_status()
    rebuild_ms = (time.perf_counter() - t0) * 1000
    reads = _timed(url, headers)
    body = first.json()
    return {"educators": body["educators"], "seed_s": round(seeded, 1), "rebuild_ms": round(rebuild_ms, 1),
            **reads, "ok": reads["p99_ms"] <= H2_TARGET_MS and body["educators"] >= EDUCATORS}


def _wrk_many(url: str, targets: list[tuple[str, str]], headers: dict[str, str]) -> dict[str, Any]:
    """wrk with a Lua script that sends each request to the next (path, body): a legal move every time."""
    paths = Path(tempfile.mkstemp(suffix=".lua")[1])
    lines = ['wrk.method = "POST"', "local targets = {",
             *[f"  {{{json.dumps(p)}, {json.dumps(b)}}}," for p, b in targets], "}",
             "local threads = 0",
             "function setup(thread) thread:set('tid', threads); threads = threads + 1 end",
             "local n = 0", "request = function()", "  n = n + 1",
             "  local t = targets[((n - 1) * 2 + tid) % #targets + 1]",  # two threads, never the same one
             "  return wrk.format(nil, t[1], nil, t[2])", "end"]
    lines[1:1] = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    paths.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{H1_SECONDS}s", "--latency", "-s", str(paths), url],
                         capture_output=True, text=True, timeout=H1_SECONDS + 30).stdout
    paths.unlink()

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else float("nan")

    rps = float(m.group(1)) if (m := re.search(r"Requests/sec:\s+([\d.]+)", out)) else 0.0
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return {"rps": round(rps, 1), "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non_2xx": errors}


def h1(platform: Platform, headers: dict[str, str], reference_rps: float | None, novices: int = 12_000
       ) -> dict[str, Any]:
    api = f"{platform.gateway_url}/api/v1/hr"
    with httpx.Client(headers=headers, timeout=60) as c:
        school = c.post(f"{api}/schools", json={"name": "H1 school"}).json()["id"]
        approver = c.post(f"{api}/educators", json={"given_name": "P", "family_name": "H1", "school_id": school,
                                                    "career_stage": "principal"}).json()["id"]
        ids: list[str] = []
        for b in range(0, novices, 1000):
            batch = [{"given_name": "N", "family_name": "H1", "staff_unique_id": f"H1-{i}", "school_id": school,
                      "career_stage": "novice_teacher"} for i in range(b, min(b + 1000, novices))]
            r = c.post(f"{api}/educators/bulk", json={"items": batch})
            r.raise_for_status()
            ids += [i["id"] for i in r.json()["items"]]
    body = json.dumps({"to_stage": "intermediate_teacher", "criteria_met": CRITERIA, "evidence": "bench",
                       "approver_id": approver})
    targets = [(f"/api/v1/hr/educators/{i}/transitions", body) for i in ids]
    result = _wrk_many(platform.gateway_url, targets, {**headers, "Content-Type": "application/json"})
    result["educators_available"] = len(ids)
    # the control in the same run: W1's write (create an educator) through the gateway, same concurrency
    from bench.__main__ import wrk
    create = wrk(f"{api}/educators", json.dumps({"given_name": "W", "family_name": "One", "school_id": school}),
                 {**headers, "Content-Type": "application/json"}, seconds=H1_SECONDS, connections=CONNECTIONS)
    result["create_educator_rps"] = create["rps"]
    if reference_rps:
        result["ratio_to_reference"] = round(result["rps"] / reference_rps, 2)
    return result


def run(platform: Platform, headers: dict[str, str], reference_rps: float | None = None,
        tenant: str = "bench") -> dict[str, Any]:
    return {"H1": h1(platform, headers, reference_rps), "H2": h2(platform, headers, tenant)}


def main() -> None:
    from bench.__main__ import reference, start_platform
    from improvenet.registry import ALL_SCOPES
    from libs.common.keys import mint_token

    state = Path(tempfile.mkdtemp(prefix="improvenet-hr-bench-")) / "state"
    platform = start_platform(state)
    try:
        token = mint_token((state / "keys" / "private.pem").read_bytes(), tenant="bench", issuer="improvenet",
                           audience="improvenet", scopes=ALL_SCOPES)
        ref = reference(platform, json.dumps({"given_name": "Bench", "family_name": "Mark"}))
        out = {"reference_rps": ref["rps"], **run(platform, {"Authorization": f"Bearer {token}"}, ref["rps"])}
        json.dump(out, sys.stdout, indent=2)
        print()
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
