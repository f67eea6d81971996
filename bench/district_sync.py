"""I1 and I2: what district IT runs against hr (issue 18), end to end through the gateway.

I1: a OneRoster 1.2 CSV bulk set (one district, 100 schools, 50,000 teachers with their roles and a school
year), zipped in memory and POSTed to `/api/v1/hr/imports/oneroster`; the job is followed until it ends
(it must succeed with 50,000 educators created), then every replica of hr's educator directory (the
`educator_directory` tables of observations, networks, strategy and the gateway, read straight from
PostgreSQL) until each holds all 50,000. Figure: 50,000 / seconds from the POST until the last replica
has them (target >= 10,000 rows/s); the detail times every phase: upload, queue, validation, apply,
commit to the outbox relay's last publish, and each replica's catch-up.
I2: a sync client's change query over 100,000 educators: I1's 50,000 plus 50,000 written straight into
hr's database with generate_series, numbered by the worker's sequencer; `GET /hr/educators` with
min/max_change_version and page_size=500, following next_page_token (target >= 20,000 rows/s).

Both run in a tenant of their own ("district-sync-<run>"), so H2's 50,000 educators in "bench" and these
never meet.

    .venv/bin/python -m bench.district_sync      # starts the platform, prints JSON
    run(platform, headers)                       # from `make bench`
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

from improvenet.launcher import Platform
from improvenet.registry import ALL_SCOPES
from libs.common.keys import mint_token
from libs.common.settings import asyncpg_dsn, database_url_for

USERS, SCHOOLS, EXTRA = 50_000, 100, 50_000
I1_TARGET, I2_TARGET = 10_000, 20_000  # rows/s
PAGE_SIZE = 500
REPLICAS = ("observations", "networks", "strategy", "gateway")  # each keeps educator_directory
POLL_S = 0.25
JOB_TIMEOUT_S, REPLICA_TIMEOUT_S, NUMBERING_TIMEOUT_S = 600.0, 900.0, 120.0

# --- the OneRoster 1.2 CSV set -----------------------------------------------------------------------------

USER_HEADER = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
               "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
               "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
               "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]
ROLE_HEADER = ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
               "endDate", "orgSourcedId", "userProfileSourcedId"]
ORG_HEADER = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
SESSION_HEADER = ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                  "parentSourcedId", "schoolYear"]
ABSENT = ("categories", "classes", "classResources", "courses", "courseResources", "demographics", "enrollments",
          "lineItemLearningObjectiveIds", "lineItems", "lineItemScoreScales", "resources",
          "resultLearningObjectiveIds", "results", "resultScoreScales", "scoreScales", "userProfiles",
          "userResources")
GIVEN = ("Maria", "James", "Amara", "Kenji", "Lucia", "Dara", "Noor", "Tomas", "Ines", "Samuel")
FAMILY = ("Santos", "Lee", "Okafor", "Tanaka", "Rossi", "Obi", "Haddad", "Novak", "Silva", "Mensah")


def _csv(header: list[str], rows: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def roster_files(users: int = USERS, schools: int = SCHOOLS) -> dict[str, str]:
    """A whole district's bulk set, name -> CSV text: every user a teacher with a primary role at a school."""
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2"),
                ("file.academicSessions", "bulk"), ("file.orgs", "bulk"), ("file.roles", "bulk"),
                ("file.users", "bulk"), *((f"file.{n}", "absent") for n in ABSENT),
                ("source.systemName", "Bench SIS"), ("source.systemCode", "bench-sis")]
    orgs = [("dist-1", "", "", "Bench Unified School District", "district", "BUSD", "")]
    orgs += [(f"sch-{s}", "", "", f"Bench School {s}", "school", f"S{s:03d}", "dist-1") for s in range(schools)]
    sessions = [("ay-2027", "", "", "2026-2027", "schoolYear", "2026-08-20", "2027-06-15", "", "2027")]
    people = []
    for n in range(users):
        given, family = GIVEN[n % 10], FAMILY[n // 10 % 10]
        people.append((f"t-{n}", "", "", "true", f"teacher{n}", f"{{ldap:teacher{n}}}", given, family, "",
                       f"E{n:06d}", f"teacher{n}@bench.example", "", "", "", "", "", "", "", "", "", "",
                       f"sch-{n % schools}", ""))
    roles = [(f"r-{n}", "", "", f"t-{n}", "primary", "teacher", "2026-08-20", "", f"sch-{n % schools}", "")
             for n in range(users)]
    return {"manifest.csv": _csv(["propertyName", "value"], manifest), "orgs.csv": _csv(ORG_HEADER, orgs),
            "academicSessions.csv": _csv(SESSION_HEADER, sessions), "users.csv": _csv(USER_HEADER, people),
            "roles.csv": _csv(ROLE_HEADER, roles)}


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- reading the databases ---------------------------------------------------------------------------------

def _dsn(platform: Platform, component: str) -> str:
    return asyncpg_dsn(database_url_for(platform.server_url, f"improvenet_{component}"))


REPLICA_COUNT = "SELECT count(*) FROM educator_directory WHERE tenant_id = $1 AND NOT removed"
UNPUBLISHED = "SELECT count(*) FROM outbox WHERE tenant_id = $1 AND published_at IS NULL"
OUTBOX_TOTAL = "SELECT count(*) FROM outbox WHERE tenant_id = $1"


class CpuMeter:
    """CPU seconds per platform process (and the embedded PostgreSQL's, backends included), and the machine's
    busy seconds: where a phase's time went, far less skewed by other load on the machine than wall time."""

    def __init__(self, platform: Platform) -> None:
        self.processes = {c.name: psutil.Process(c.process.pid) for c in platform.children
                          if c.process is not None and c.process.poll() is None}
        pgdata = str(platform.state_dir / "pgdata")  # the postmaster's `-D`; its backends do not carry it
        self.postmaster = next((p for p in psutil.process_iter(["name", "cmdline"])
                                if (p.info["name"] or "").startswith("postgres")
                                and pgdata in " ".join(p.info["cmdline"] or [])), None)

    def snapshot(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for name, proc in self.processes.items():
            try:
                t = proc.cpu_times()
                out[name] = t.user + t.system
            except psutil.Error:
                pass
        if self.postmaster is not None:
            try:  # live backends, plus what the ended ones used (counted in the postmaster's children_*)
                t = self.postmaster.cpu_times()
                total = t.user + t.system + t.children_user + t.children_system
                for child in self.postmaster.children(recursive=True):
                    try:
                        c = child.cpu_times()
                        total += c.user + c.system
                    except psutil.Error:
                        pass
                out["postgres"] = total
            except psutil.Error:
                pass
        m = psutil.cpu_times()
        out["machine"] = sum(m) - m.idle - getattr(m, "iowait", 0.0)
        return out

    @staticmethod
    def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: round(after[k] - before[k], 2) for k in after if k in before and after[k] - before[k] >= 0.05}


# --- I1 -----------------------------------------------------------------------------------------------------

async def _i1(platform: Platform, headers: dict[str, str], tenant: str, body: bytes) -> dict[str, Any]:
    api = f"{platform.gateway_url}/api/v1/hr"
    conns = {c: await asyncpg.connect(_dsn(platform, c)) for c in ("hr", *REPLICAS)}
    meter = CpuMeter(platform)
    try:
        cpu0 = meter.snapshot()
        async with httpx.AsyncClient(headers=headers, timeout=120) as client:
            t0 = time.monotonic()
            r = await client.post(f"{api}/imports/oneroster", content=body,
                                  headers={"Content-Type": "application/zip"})
            posted = time.monotonic() - t0
            if r.status_code != 202:
                return {"error": f"POST answered {r.status_code}: {r.text[:300]}", "post_s": round(posted, 2)}
            job_id = r.json()["id"]
            seen: dict[str, float] = {"queued": posted}  # status -> seconds after t0 it was first seen
            applying: list[tuple[float, int]] = []  # (seconds, rows written so far) while applying
            job: dict[str, Any] = r.json()
            while job["status"] not in ("succeeded", "failed") and time.monotonic() - t0 < JOB_TIMEOUT_S:
                await asyncio.sleep(POLL_S)
                got = await client.get(f"{api}/imports/{job_id}")
                got.raise_for_status()
                job = got.json()
                now = time.monotonic() - t0
                seen.setdefault(job["status"], now)
                if job["status"] == "applying":
                    applying.append((now, job["progress"]["written"]))
            job_done = time.monotonic() - t0
            cpu1 = meter.snapshot()
        outcomes = job["report"].get("outcomes", {})
        educators = outcomes.get("educators", {})
        detail: dict[str, Any] = {
            "tenant": tenant, "zip_bytes": len(body), "job_id": job_id, "job_status": job["status"],
            "rows_read": job["progress"]["read"], "rows_written": job["progress"]["written"],
            "rows_unchanged": job["progress"]["unchanged"], "rows_failed": job["progress"]["failed"],
            "educators_created": educators.get("created"), "outcomes": outcomes,
            "post_s": round(posted, 2), "job_done_s": round(job_done, 2),
            "status_first_seen_s": {k: round(v, 2) for k, v in seen.items()},
            "server_job_s": _server_phases(job), "cpu_s_until_job_done": CpuMeter.used(cpu0, cpu1)}
        if applying:
            detail["apply_progress"] = [(round(t, 1), w) for t, w in applying[:: max(1, len(applying) // 10)]]
        if job["status"] != "succeeded":
            detail["error"] = f"the job {job['status']}" if job["status"] == "failed" else "the job did not end"
            detail["report_issues"] = job["report"].get("issues", [])[:5]
            detail["report_error"] = job["report"].get("error")
            return detail
        if (educators.get("created", 0) + educators.get("updated", 0)) != USERS:
            detail["error"] = f"the job wrote {educators} educators, not {USERS:,}"
            return detail

        # Then the replicas (and the relay, which must have published every event of the commit first).
        caught: dict[str, float] = {}
        counts: dict[str, int] = {}
        relay_done: float | None = None
        outbox_events = int(await conns["hr"].fetchval(OUTBOX_TOTAL, tenant))
        samples: list[dict[str, Any]] = []
        while time.monotonic() - t0 < JOB_TIMEOUT_S + REPLICA_TIMEOUT_S:
            now = time.monotonic() - t0
            if relay_done is None and int(await conns["hr"].fetchval(UNPUBLISHED, tenant)) == 0:
                relay_done = now
            for name in REPLICAS:
                if name not in caught:
                    counts[name] = int(await conns[name].fetchval(REPLICA_COUNT, tenant))
                    if counts[name] >= USERS:
                        caught[name] = now
            if len(samples) < 400 and (not samples or now - samples[-1]["t"] >= 2):
                samples.append({"t": round(now, 1), **{n: counts.get(n) for n in REPLICAS}})
            if len(caught) == len(REPLICAS) and relay_done is not None:
                break
            await asyncio.sleep(POLL_S)
        detail |= {"outbox_events": outbox_events,
                   "relay_published_all_s": None if relay_done is None else round(relay_done, 2),
                   "replica_caught_up_s": {n: round(caught[n], 2) if n in caught else None for n in REPLICAS},
                   "replica_counts": counts, "replica_progress": samples[::max(1, len(samples) // 15)]}
        if len(caught) < len(REPLICAS):
            detail["error"] = f"replicas behind after {REPLICA_TIMEOUT_S:.0f} s: {counts}"
            return detail
        last = max(caught.values())
        replicated = CpuMeter.used(cpu1, meter.snapshot())
        detail["cpu_s_job_done_to_last_replica"] = replicated
        # per event applied, each replica's worker (the gateway's also feeds partners and the audit log)
        detail["worker_cpu_ms_per_event"] = {n: round(replicated.get(f"{n}-worker", 0) * 1000 / USERS, 2)
                                             for n in REPLICAS}
        detail |= {"end_to_end_s": round(last, 2), "hr_only_rows_per_s": round(USERS / job_done),
                   "replica_lag_after_job_s": {n: round(caught[n] - job_done, 2) for n in REPLICAS},
                   "replica_events_per_s": {n: round(USERS / max(caught[n] - job_done, 1e-3)) for n in REPLICAS}}
        detail["rows_per_s"] = round(USERS / last)
        # Not part of the figure: the other consumers of the same events (the gateway's partner feed, the
        # audit log) finish their share too before I2 reads, so I2 does not compete with I1's tail.
        detail["bus_drained_s"] = await _drain(platform, t0)
        return detail
    finally:
        for conn in conns.values():
            await conn.close()


BUS_LAG = ("SELECT COALESCE(sum(GREATEST(t.head - o.committed, 0)), 0) FROM bus_offsets o "
           "JOIN bus_topics t ON t.topic = o.topic")


async def _drain(platform: Platform, t0: float) -> float | None:
    """Seconds after t0 at which every consumer group of the embedded bus had read everything (None on Kafka,
    or if it did not within the timeout)."""
    if platform.config.bus != "postgres":
        return None
    conn = await asyncpg.connect(_dsn(platform, "bus"))
    try:
        deadline = time.monotonic() + REPLICA_TIMEOUT_S
        while time.monotonic() < deadline:
            if int(await conn.fetchval(BUS_LAG)) == 0:
                return round(time.monotonic() - t0, 2)
            await asyncio.sleep(POLL_S)
        return None
    finally:
        await conn.close()


def _server_phases(job: dict[str, Any]) -> dict[str, float | None]:
    """The job's own clock: created -> started (the runner's poll) -> finished (commit included)."""
    def at(key: str) -> float | None:
        value = job.get(key)
        return None if value is None else _ts(value)

    created, started, finished = at("created_at"), at("started_at"), at("finished_at")
    return {"queued_s": None if started is None or created is None else round(started - created, 2),
            "ran_s": None if finished is None or started is None else round(finished - started, 2)}


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def i1(platform: Platform, headers: dict[str, str], tenant: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    body = zipped(roster_files())
    built = time.perf_counter() - t0
    detail = asyncio.run(_i1(platform, headers, tenant, body))
    detail["zip_built_in_bench_s"] = round(built, 2)
    value = detail.pop("rows_per_s", None)
    ok = value is not None and "error" not in detail and value >= I1_TARGET
    return {"scenario": f"I1 OneRoster import of {USERS:,} users, end to end, replicas included", "value": value,
            "unit": "rows/s", "target": f">= {I1_TARGET:,} rows/s", "ok": ok, "detail": detail}


# --- I2 -----------------------------------------------------------------------------------------------------

SEED_MORE = """
INSERT INTO educator (id, tenant_id, school_id, given_name, family_name, email, position, career_stage, stage,
                      stage_since, sourced_id, version, created_at, updated_at)
SELECT gen_random_uuid(), $1, s.ids[1 + g % array_length(s.ids, 1)], 'G' || g, 'Seeded',
       'seeded' || g || '@bench.example', 'teacher', 'novice_teacher', 'novice_teacher', date '2026-08-20',
       'x-' || g, 1, now(), now()
FROM generate_series(1, $2) g
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM school WHERE tenant_id = $1) s
"""
NUMBERING = ("SELECT count(*) FILTER (WHERE change_version IS NULL), count(*), max(change_version) "
             "FROM educator WHERE tenant_id = $1")
IN_WINDOW = "SELECT count(*) FROM educator WHERE tenant_id = $1 AND change_version BETWEEN $2 AND $3"


async def _seed_and_number(platform: Platform, tenant: str, extra: int) -> dict[str, Any]:
    conn = await asyncpg.connect(_dsn(platform, "hr"))
    try:
        t0 = time.monotonic()
        if extra:
            await conn.execute(SEED_MORE, tenant, extra)
            await conn.execute("ANALYZE educator")
        seeded = time.monotonic() - t0
        while True:  # the worker's sequencer numbers committed rows every second
            unnumbered, total, newest = await conn.fetchrow(NUMBERING, tenant)
            if unnumbered == 0 or time.monotonic() - t0 > NUMBERING_TIMEOUT_S:
                break
            await asyncio.sleep(POLL_S)
        return {"seeded_rows": extra, "seed_s": round(seeded, 2), "numbered_after_s": round(time.monotonic() - t0, 2),
                "educators_in_tenant": int(total), "unnumbered": int(unnumbered),
                "newest_in_database": None if newest is None else int(newest)}
    finally:
        await conn.close()


async def _in_window(platform: Platform, tenant: str, low: int, high: int) -> int:
    conn = await asyncpg.connect(_dsn(platform, "hr"))
    try:
        return int(await conn.fetchval(IN_WINDOW, tenant, low, high))
    finally:
        await conn.close()


def i2(platform: Platform, headers: dict[str, str], tenant: str, since: int, extra: int = EXTRA) -> dict[str, Any]:
    """`since`: the newest change version the client held before I1 (its last sync)."""
    name = f"I2 change-feed read of {USERS + extra:,} changes through the gateway"
    prep = asyncio.run(_seed_and_number(platform, tenant, extra))
    api = f"{platform.gateway_url}/api/v1/hr"
    with httpx.Client(headers=headers, timeout=60) as c:
        deadline = time.monotonic() + NUMBERING_TIMEOUT_S
        while True:  # what the client sees: the numbered changes, through the gateway
            available = c.get(f"{api}/available-change-versions")
            available.raise_for_status()
            newest = int(available.json()["newest_change_version"])
            if newest >= (prep["newest_in_database"] or 0) or time.monotonic() > deadline:
                break
            time.sleep(POLL_S)
        window = {"min_change_version": since + 1, "max_change_version": newest, "page_size": PAGE_SIZE}
        ids: set[str] = set()
        rows, pages, page_bytes = 0, 0, 0
        latencies: list[float] = []
        token: str | None = None
        meter = CpuMeter(platform)
        cpu0 = meter.snapshot()
        t0 = time.perf_counter()
        while True:
            t1 = time.perf_counter()
            r = c.get(f"{api}/educators", params={**window, **({"page_token": token} if token else {})})
            r.raise_for_status()
            page = r.json()
            latencies.append((time.perf_counter() - t1) * 1000)
            pages += 1
            page_bytes = max(page_bytes, len(r.content))
            rows += len(page["items"])
            ids.update(item["id"] for item in page["items"])
            if not (token := page["next_page_token"]):
                break
        seconds = time.perf_counter() - t0
        cpu = CpuMeter.used(cpu0, meter.snapshot())
        # The same read straight to hr (not through the gateway): what the gateway's hop costs.
        direct_rows, t0 = 0, time.perf_counter()
        token = None
        while True:
            r = c.get(f"{platform.service_url('hr')}/educators",
                      params={**window, **({"page_token": token} if token else {})})
            r.raise_for_status()
            page = r.json()
            direct_rows += len(page["items"])
            if not (token := page["next_page_token"]):
                break
        direct_s = time.perf_counter() - t0
    expected = asyncio.run(_in_window(platform, tenant, since + 1, newest))
    latencies.sort()
    value = round(rows / seconds) if seconds > 0 else None
    detail = {"tenant": tenant, **prep, "window": [since + 1, newest], "rows": rows, "distinct_ids": len(ids),
              "expected_in_window": expected, "pages": pages,
              "page_size": PAGE_SIZE, "seconds": round(seconds, 2),
              "page_p50_ms": round(statistics.median(latencies), 1),
              "page_p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1),
              "page_max_ms": round(latencies[-1], 1), "page_bytes": page_bytes,
              "cpu_ms_per_page": {k: round(v * 1000 / pages, 1) for k, v in cpu.items()},
              "machine_busy_cores": round(cpu.get("machine", 0) / seconds, 2),
              "direct_to_hr": {"rows": direct_rows, "seconds": round(direct_s, 2),
                               "rows_per_s": round(direct_rows / direct_s) if direct_s > 0 else None}}
    # The items do not show their change_version: the window is hr's to apply, and what it held is counted
    # in its database (numbered in the window, this tenant) to compare with what the client received.
    complete = rows == expected == len(ids) == USERS + extra and prep["unnumbered"] == 0
    if not complete:
        detail["error"] = (f"read {rows:,} rows ({len(ids):,} distinct), {expected:,} in the window, "
                           f"{USERS + extra:,} wanted")
    return {"scenario": name, "value": value, "unit": "rows/s", "target": f">= {I2_TARGET:,} rows/s",
            "ok": complete and value is not None and value >= I2_TARGET, "detail": detail}


# --- both ---------------------------------------------------------------------------------------------------

def tenant_headers(platform: Platform, tenant: str) -> dict[str, str]:
    """A token of the scenarios' own tenant, every scope (hr:pii too: a sync client reads names)."""
    token = mint_token((platform.state_dir / "keys" / "private.pem").read_bytes(), tenant=tenant,
                       issuer="improvenet", audience="improvenet", subject="district-it", scopes=ALL_SCOPES)
    return {"Authorization": f"Bearer {token}"}


def run(platform: Platform, headers: dict[str, str] | None = None, tenant: str | None = None
        ) -> list[dict[str, Any]]:
    """I1 then I2, in a tenant of their own (`headers`, the suite's "bench" token, is not used for that
    reason: H2's 50,000 educators stay alone in their tenant)."""
    tenant = tenant or f"district-sync-{uuid.uuid4().hex[:8]}"
    own = tenant_headers(platform, tenant)
    with httpx.Client(headers=own, timeout=30) as c:
        before = c.get(f"{platform.gateway_url}/api/v1/hr/available-change-versions")
        before.raise_for_status()
        since = int(before.json()["newest_change_version"])  # the client's last sync (0: a new tenant)
    # Start from a quiet platform: what earlier scenarios left on the bus is consumed first, not timed in I1.
    t0 = time.monotonic()
    quiet = asyncio.run(_drain(platform, t0))
    first = i1(platform, own, tenant)
    first["detail"]["bus_quiet_before_s"] = quiet
    out = [first]
    if first["detail"].get("job_status") == "succeeded":
        try:
            out.append(i2(platform, own, tenant, since))
        except Exception as exc:
            out.append({"scenario": "I2 change-feed read (failed)", "value": None, "unit": "",
                        "target": f">= {I2_TARGET:,} rows/s", "ok": False, "detail": {"error": repr(exc)[:500]}})
    else:
        out.append({"scenario": "I2 change-feed read (skipped: I1's import failed)", "value": None, "unit": "",
                    "target": f">= {I2_TARGET:,} rows/s", "ok": False, "detail": {"error": "no import"}})
    return out


def main() -> None:
    from bench.__main__ import start_platform

    state = Path(tempfile.mkdtemp(prefix="improvenet-district-bench-")) / "state"
    platform = start_platform(state)
    try:
        json.dump(run(platform), sys.stdout, indent=2)
        print()
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
