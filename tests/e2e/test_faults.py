"""Faults survived by the platform as `make up` runs it (supervised, embedded PostgreSQL and bus):
SIGKILL of every kind of process while a writer works, the platform's PostgreSQL restarted mid-load,
a service's own database away for 30 s, and every topic replayed from offset 0 into every group.

Figures (kills, restarts, changes, losses, duplicates, recovery times) are printed as `FAULT-FIGURES`
lines (`pytest -s` shows them) and appended to $FAULT_FIGURES_FILE when set.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from improvenet.launcher import LaunchConfig, Platform
from improvenet.registry import ALL_SCOPES
from improvenet.registry import SERVICE_NAMES as SERVICES
from libs.common.keys import mint_token
from libs.common.settings import asyncpg_dsn, database_url_for
from libs.common.testing.kafka_broker import free_port

# The figure: 5,000 changes while processes are killed (about 200 s of writing on 2 cores);
# FAULT_CHANGES scales it down for a quick local run.
CHANGES = int(os.environ.get("FAULT_CHANGES", "5000"))
# A busy 2-core machine starts ten processes slowly: more than the default 300 s per test.
pytestmark = pytest.mark.timeout(600)
WRITERS = 6
KILL_INTERVAL = 1.0
DB_OUTAGE_SECONDS = 30
REPLICAS = ("observations", "networks", "strategy", "gateway")


def figures(line: str, **values: Any) -> None:
    text = f"FAULT-FIGURES {line}: " + ", ".join(f"{k}={v}" for k, v in values.items())
    print(text)
    if path := os.environ.get("FAULT_FIGURES_FILE"):
        with open(path, "a") as f:
            f.write(text + "\n")


def start_supervised(state_dir: Path, **config: Any) -> Platform:
    ports = {name: free_port() for name in ("gateway", *SERVICES)}
    extra_env = {"RATE_LIMIT_PER_SECOND": "100000", "RATE_LIMIT_BURST": "100000", "LOG_LEVEL": "WARNING",
                 "METRICS_REFRESH_SECONDS": "1", **config.pop("extra_env", {})}
    p = Platform(LaunchConfig(state_dir=state_dir, ports=ports, supervise=True, min_uptime=2.0,
                              restart_backoff=0.1, max_restart_backoff=2.0, extra_env=extra_env, **config))
    p.on_event = lambda line: None  # kept in p.events and logs/launcher.log
    p.prepare()
    p.start()
    try:
        p.wait_ready(timeout=120)
    except BaseException:
        p.stop()
        raise
    return p


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    p = start_supervised(tmp_path_factory.mktemp("faults") / ".improvenet")
    yield p
    p.stop()


def token(platform: Platform, tenant: str) -> str:
    private = (platform.state_dir / "keys" / "private.pem").read_bytes()
    return mint_token(private, tenant=tenant, issuer="improvenet", audience="improvenet", scopes=list(ALL_SCOPES),
                      ttl_seconds=3600)


def client(platform: Platform, tenant: str) -> httpx.Client:
    return httpx.Client(base_url=platform.gateway_url + "/api/v1", timeout=10,
                        headers={"Authorization": f"Bearer {token(platform, tenant)}"})


def wait_all_ready(platform: Platform, timeout: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if all(ok for ok, _ in platform.readiness().values()):
            return time.monotonic() - t0
        time.sleep(0.2)
    raise AssertionError(f"not every process ready after {timeout}s: {platform.readiness()}")


def is_ready(port: int | None) -> bool:
    try:
        return port is not None and httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def create_school(api: httpx.Client, name: str, deadline: float) -> str:
    key = uuid.uuid4().hex
    while time.monotonic() < deadline:
        try:
            r = api.post("/hr/schools", json={"name": name}, headers={"Idempotency-Key": key})
            if r.status_code in (200, 201):
                return str(r.json()["id"])
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"could not create school {name}")


class Writer:
    """Creates `total` educators through the gateway; each change keeps its Idempotency-Key across
    retries, so a retry after a lost answer can never create a second educator."""

    def __init__(self, platform: Platform, tenant: str, school_id: str, total: int, threads: int = WRITERS) -> None:
        self.platform, self.tenant, self.school_id = platform, tenant, school_id
        self.total, self.threads = total, threads
        self.run = uuid.uuid4().hex[:8]
        self.created: dict[int, str] = {}
        self.retries: Counter[str] = Counter()
        self.failed: list[str] = []
        self._next = 0
        self._lock = threading.Lock()
        self.done = threading.Event()
        self.elapsed = 0.0

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self.total:
                return None
            self._next += 1
            return self._next - 1

    def _one(self, api: httpx.Client, i: int, deadline: float) -> None:
        body = {"given_name": f"G{i}", "family_name": f"F{i}", "school_id": self.school_id,
                "career_stage": "novice_teacher", "staff_unique_id": f"{self.run}-{i}"}
        headers = {"Idempotency-Key": f"{self.run}-{i}"}
        delay = 0.05
        while time.monotonic() < deadline:
            try:
                r = api.post("/hr/educators", json=body, headers=headers)
            except httpx.HTTPError as exc:
                self.retries[type(exc).__name__] += 1
            else:
                if r.status_code in (200, 201):
                    try:
                        self.created[i] = str(r.json()["id"])
                        return
                    except (ValueError, KeyError):
                        # A success whose body was cut (hr killed mid-answer, the gateway relaying it): ask
                        # again with the same key, the stored answer comes back.
                        self.retries["2xx-without-body"] += 1
                elif r.status_code in (409, 429, 500, 502, 503, 504):
                    self.retries[str(r.status_code)] += 1
                else:
                    self.failed.append(f"{i}: {r.status_code} {r.text[:200]}")
                    return
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        self.failed.append(f"{i}: gave up at the deadline (retries so far: {dict(self.retries)})")

    def _work(self, deadline: float) -> None:
        with client(self.platform, self.tenant) as api:
            while (i := self._take()) is not None:
                self._one(api, i, deadline)

    def start(self, timeout: float) -> threading.Thread:
        deadline = time.monotonic() + timeout

        def run() -> None:
            t0 = time.monotonic()
            workers = [threading.Thread(target=self._work, args=(deadline,)) for _ in range(self.threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            self.elapsed = time.monotonic() - t0
            self.done.set()

        t = threading.Thread(target=run, name="writer")
        t.start()
        return t


def query(platform: Platform, database: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(asyncpg_dsn(database_url_for(platform.server_url, database)), timeout=10)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def replicated_educators(platform: Platform, tenant: str) -> dict[str, int]:
    return {svc: query(platform, f"improvenet_{svc}",
                       "SELECT count(*) AS n FROM educator_directory WHERE tenant_id = $1", tenant)[0]["n"]
            for svc in REPLICAS}


def wait_replicated(platform: Platform, tenant: str, count: int, timeout: float) -> tuple[float, dict[str, int]]:
    t0 = time.monotonic()
    seen: dict[str, int] = {}
    while time.monotonic() - t0 < timeout:
        seen = replicated_educators(platform, tenant)
        if all(n >= count for n in seen.values()):
            return time.monotonic() - t0, seen
        time.sleep(0.5)
    return time.monotonic() - t0, seen


def audited_creates(platform: Platform, tenant: str) -> Counter[str]:
    rows = query(platform, "improvenet_gateway", "SELECT unnest(object_ids) AS id FROM audit_log "
                 "WHERE tenant_id = $1 AND action = 'create' AND object_type = 'educator'", tenant)
    return Counter(r["id"] for r in rows)


def assert_nothing_lost_nothing_twice(platform: Platform, writer: Writer, label: str,
                                      recovery_start: float) -> dict[str, Any]:
    assert not writer.failed, f"{len(writer.failed)} changes failed: {writer.failed[:5]}"
    assert len(writer.created) == writer.total
    hr_rows = query(platform, "improvenet_hr", "SELECT id::text AS id, staff_unique_id FROM educator "
                    "WHERE tenant_id = $1", writer.tenant)
    ids = {r["id"] for r in hr_rows}
    assert len(hr_rows) == writer.total, f"hr holds {len(hr_rows)} educators for {writer.total} changes"
    assert ids == set(writer.created.values()), "an answer named an educator hr does not hold"
    events = query(platform, "improvenet_hr", "SELECT count(*) AS n FROM outbox WHERE tenant_id = $1 AND "
                   "type = 'org.improvenet.hr.educator.registered'", writer.tenant)[0]["n"]
    assert events == writer.total, f"{events} registered events for {writer.total} educators"
    _took, seen = wait_replicated(platform, writer.tenant, writer.total, 90)
    assert all(n == writer.total for n in seen.values()), f"replicas: {seen} of {writer.total}"
    audits: Counter[str] = Counter()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        audits = audited_creates(platform, writer.tenant)
        if set(audits) >= ids:
            break
        time.sleep(0.5)
    twice = [i for i, n in audits.items() if n > 1]
    assert not twice, f"{len(twice)} changes audited more than once"
    assert set(audits) == ids, f"{len(ids - set(audits))} changes never audited"
    return {"changes": writer.total, "lost": writer.total - min(seen.values()), "applied_twice": len(twice),
            "audited_once": sum(1 for n in audits.values() if n == 1),
            "replicated_within_s": round(time.monotonic() - recovery_start, 1), "retries": dict(writer.retries)}


@pytest.mark.timeout(300 + int(CHANGES * 0.12) + 240)  # start, the writing, then replication and the audit
def test_sigkill_of_every_kind_of_process_while_writing_loses_nothing(supervised: Platform) -> None:
    platform = supervised
    tenant = f"kill-{uuid.uuid4().hex[:6]}"
    with client(platform, tenant) as api:
        school = create_school(api, "Killed School", time.monotonic() + 30)
    writer = Writer(platform, tenant, school, CHANGES)
    restarts_before = {c.name: c.restarts for c in platform.children}
    kills: Counter[str] = Counter()
    names = [c.name for c in platform.children]
    rng = random.Random(14)
    writing = writer.start(timeout=max(300, CHANGES * 0.12))  # 5,000 took 196 s here: a 3x margin
    t0 = time.monotonic()
    queue: list[str] = []
    while not writer.done.is_set():
        if not queue:
            queue = rng.sample(names, len(names))  # every kind of process, in a random order, again and again
        victim = platform.child(queue[0])
        # Only a process that is up and ready: killing one still starting proves nothing more and, on a
        # slow machine, would keep the platform from ever coming up between kills.
        if victim.state == "running" and victim.pid and is_ready(victim.port):
            queue.pop(0)
            try:
                os.kill(victim.pid, 9)
                kills[victim.name] += 1
            except ProcessLookupError:
                pass
        writer.done.wait(KILL_INTERVAL)
    writing.join()
    write_seconds = time.monotonic() - t0
    ready_after = wait_all_ready(platform, 60)
    recovery_start = time.monotonic()
    result = assert_nothing_lost_nothing_twice(platform, writer, "sigkill", recovery_start)
    restarts = {c.name: c.restarts - restarts_before[c.name] for c in platform.children}
    never_killed = set(names) - set(kills)
    assert not never_killed, f"the writer finished before these were killed: {never_killed}"
    not_restarted = [n for n in names if restarts[n] < kills[n]]
    assert not not_restarted, f"killed but not restarted: {not_restarted} ({restarts} vs {kills})"
    assert not platform.given_up()
    figures("sigkill[postgres]", kills=sum(kills.values()), killed_processes=len(kills),
            restarts=sum(restarts.values()), write_seconds=round(write_seconds, 1),
            all_ready_after_s=round(ready_after, 1), **result)


def test_service_database_unavailable_30s_answers_503_and_worker_waits(supervised: Platform) -> None:
    platform = supervised
    tenant = f"dbdown-{uuid.uuid4().hex[:6]}"
    hr, hr_worker = platform.child("hr"), platform.child("hr-worker")
    pids = (hr.pid, hr_worker.pid)
    restarts = (hr.restarts, hr_worker.restarts)
    headers = {"Authorization": f"Bearer {token(platform, tenant)}"}
    with client(platform, tenant) as api:
        before = [create_school(api, f"before-{i}", time.monotonic() + 30) for i in range(20)]

        async def outage(allow: bool) -> None:
            admin = await asyncpg.connect(asyncpg_dsn(platform.server_url))
            try:
                await admin.execute(f'ALTER DATABASE improvenet_hr WITH ALLOW_CONNECTIONS {str(allow).lower()}')
                if not allow:
                    await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE datname = 'improvenet_hr'")
            finally:
                await admin.close()

        asyncio.run(outage(False))
        t0 = time.monotonic()
        statuses: Counter[int] = Counter()
        retry_after: set[str] = set()
        worker_states: Counter[int] = Counter()
        key = uuid.uuid4().hex
        try:
            while time.monotonic() - t0 < DB_OUTAGE_SECONDS:
                direct = httpx.get(f"{platform.service_url('hr')}/schools", headers=headers, timeout=10)
                statuses[direct.status_code] += 1
                if direct.status_code == 503:
                    retry_after.add(direct.headers.get("retry-after", ""))
                    assert direct.headers["content-type"] == "application/problem+json"
                through = api.post("/hr/schools", json={"name": "during"}, headers={"Idempotency-Key": key})
                statuses[through.status_code] += 1
                if time.monotonic() - t0 > 12:  # its readiness reflects a database check at most ~10 s old
                    worker_states[httpx.get(f"http://127.0.0.1:{hr_worker.port}/readyz",
                                            timeout=5).status_code] += 1
                time.sleep(1)
        finally:
            asyncio.run(outage(True))
        recovered = time.monotonic()
        during = create_school(api, "during", time.monotonic() + 60)  # the same request, retried
        back_after = time.monotonic() - recovered
        after = create_school(api, "after", time.monotonic() + 30)
    assert set(statuses) == {503}, f"answers during the outage: {statuses}"
    assert retry_after and "" not in retry_after, "a 503 without Retry-After"
    assert worker_states[503] > 0 and worker_states[200] == 0, f"worker readiness during the outage: {worker_states}"
    assert (hr.pid, hr_worker.pid) == pids and (hr.restarts, hr_worker.restarts) == restarts, \
        "a process was restarted: it should have waited"
    wanted = {*before, during, after}
    deadline = time.monotonic() + 60
    seen: set[str] = set()
    while time.monotonic() < deadline and not wanted <= seen:
        seen = {str(r["school_id"]) for r in query(platform, "improvenet_networks",
                "SELECT school_id FROM school_directory WHERE tenant_id = $1", tenant)}
        time.sleep(0.3)
    assert wanted <= seen, f"{len(wanted - seen)} schools never reached networks"
    names = [r["name"] for r in query(platform, "improvenet_hr", "SELECT name FROM school WHERE tenant_id = $1",
                                      tenant)]
    assert names.count("during") == 1, "the request retried through the outage created two schools"
    figures("own-database-down[postgres]", outage_s=DB_OUTAGE_SECONDS, answers=dict(statuses),
            retry_after=sorted(retry_after), worker_readyz=dict(worker_states), restarts=0,
            writes_back_after_s=round(back_after, 1), lost=len(wanted - seen))


def test_postgres_restarted_mid_load_recovers_by_itself(supervised: Platform) -> None:
    platform = supervised
    assert platform.pg is not None, "this test restarts the embedded server"
    tenant = f"pgrestart-{uuid.uuid4().hex[:6]}"
    with client(platform, tenant) as api:
        school = create_school(api, "Restarted School", time.monotonic() + 30)
    writer = Writer(platform, tenant, school, 400, threads=4)
    restarts_before = sum(c.restarts for c in platform.children)
    writing = writer.start(timeout=180)
    time.sleep(2)
    url = platform.server_url
    t0 = time.monotonic()
    platform.pg.stop()
    assert platform.pg.start() == url, "the server came back elsewhere"
    restart_seconds = time.monotonic() - t0
    writing.join()
    ready_after = wait_all_ready(platform, 90)
    assert writer.created, "nothing was written"
    result = assert_nothing_lost_nothing_twice(platform, writer, "pg-restart", time.monotonic())
    assert not platform.given_up()
    figures("postgres-restart[postgres]", server_restart_s=round(restart_seconds, 1),
            all_ready_after_s=round(ready_after, 1),
            restarts=sum(c.restarts for c in platform.children) - restarts_before, **result)


def metric(platform: Platform, name: str, text: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def snapshot(platform: Platform) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for svc in REPLICAS:
        for table in ("school_directory", "educator_directory"):
            out[f"{svc}.{table}"] = [tuple(r) for r in query(platform, f"improvenet_{svc}",
                                                              f"SELECT * FROM {table} ORDER BY 1, 2")]
    out["gateway.audit_log"] = [tuple(r) for r in query(platform, "improvenet_gateway",
                                                         "SELECT * FROM audit_log ORDER BY seq")]
    return out


def test_every_topic_replayed_from_offset_0_into_every_group_changes_nothing(supervised: Platform) -> None:
    platform = supervised
    tenant = f"replay-{uuid.uuid4().hex[:6]}"
    with client(platform, tenant) as api:
        school = create_school(api, "Replayed School", time.monotonic() + 30)
    writer = Writer(platform, tenant, school, 100, threads=2)
    writer.start(timeout=60).join()
    assert not writer.failed
    wait_replicated(platform, tenant, 100, 60)
    workers = [c.name for c in platform.children if c.kind == "worker"]
    for name in workers:
        platform.hold(name)
    groups = query(platform, "improvenet_bus", "SELECT group_id, topic, committed FROM bus_offsets")
    before = snapshot(platform)
    replayed = 0

    async def rewind() -> None:
        from libs.common.postgres_bus import PostgresBus

        bus = PostgresBus(database_url_for(platform.server_url, "improvenet_bus"))
        try:
            for g in {r["group_id"] for r in groups}:
                await bus.rewind(g, [r["topic"] for r in groups if r["group_id"] == g])
        finally:
            await bus.close()

    asyncio.run(rewind())
    replayed = sum(r["committed"] for r in groups)
    for name in workers:
        platform.release(name)
    wait_all_ready(platform, 60)
    t0 = time.monotonic()
    duplicates = 0.0
    while time.monotonic() - t0 < 90:
        lag = query(platform, "improvenet_bus", "SELECT sum(t.head - o.committed) AS lag FROM bus_offsets o "
                    "JOIN bus_topics t USING (topic)")[0]["lag"]
        if lag == 0:
            break
        time.sleep(0.5)
    assert lag == 0, f"the replay did not catch up: lag {lag}"
    catch_up = time.monotonic() - t0
    applied = 0.0
    for c in platform.children:
        if c.kind == "worker":
            text = httpx.get(f"http://127.0.0.1:{c.port}/metrics", timeout=5).text
            duplicates += metric(platform, "improvenet_consumer_events_total", text, outcome="duplicate")
            applied += metric(platform, "improvenet_consumer_events_total", text, outcome="applied")
    assert duplicates >= replayed, f"{duplicates} duplicates seen for {replayed} replayed deliveries"
    assert applied == 0, f"{applied} events applied a second time"
    assert snapshot(platform) == before, "state changed when the topics were replayed"
    figures("replay-from-0[postgres]", groups=len({r['group_id'] for r in groups}), deliveries_replayed=replayed,
            duplicates=int(duplicates), applied=int(applied), state_changes=0, caught_up_s=round(catch_up, 1))


def test_status_lists_every_process_with_pid_uptime_restarts_and_readiness(supervised: Platform) -> None:
    import subprocess
    import sys

    platform = supervised
    platform.write_status()
    r = subprocess.run([sys.executable, "-c", "from improvenet.admin import main; main()", "status", "--json",
                        "--state-dir", str(platform.state_dir)], capture_output=True, text=True, timeout=60,
                       cwd=str(Path(__file__).resolve().parents[2]))
    assert r.returncode == 0, r.stdout + r.stderr
    status = json.loads(r.stdout)
    assert status["instance_id"] == platform.instance_id
    rows = {p["name"]: p for p in status["processes"]}
    assert set(rows) == {c.name for c in platform.children}
    for c in platform.children:
        row = rows[c.name]
        assert row["pid"] == c.pid and row["ready"] is True and row["restarts"] == c.restarts
        assert row["uptime_seconds"] is not None and row["uptime_seconds"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", status["instance_id"])


def admin(platform: Platform, *args: str) -> tuple[int, str, str]:
    """`improvenet-admin ...` in a shell with no platform variables: (status, stdout, stdout + stderr)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BUS", "KAFKA_BOOTSTRAP_SERVERS")}
    r = subprocess.run([sys.executable, "-c", "from improvenet.admin import main; main()", *args,
                        "--state-dir", str(platform.state_dir)], capture_output=True, text=True, timeout=120,
                       cwd=str(Path(__file__).resolve().parents[2]), env=env)
    return r.returncode, r.stdout, r.stdout + r.stderr


def test_dlq_list_show_and_replay_through_the_inbox(supervised: Platform) -> None:
    """An event every directory consumer refuses (its version is not a number): dead-lettered once per group;
    `dlq list/show` find it from the running platform alone; `dlq replay --all` re-drives it through each
    group's inbox, where it fails again and is dead-lettered again (still pending), never applied."""
    from datetime import UTC, datetime

    from libs.common.bus import Message
    from libs.common.postgres_bus import PostgresBus

    platform = supervised
    event_id, educator = str(uuid.uuid4()), str(uuid.uuid4())
    headers = {"ce_specversion": "1.0", "ce_id": event_id, "ce_type": "org.improvenet.hr.educator.registered",
               "ce_source": "/improvenet/hr", "ce_subject": educator, "ce_time": datetime.now(UTC).isoformat(),
               "ce_tenantid": f"dlq-{uuid.uuid4().hex[:6]}"}
    value = json.dumps({"educator_id": educator, "school_id": None, "career_stage": "novice_teacher",
                        "version": "not-a-number"}).encode()

    async def publish() -> None:
        bus = PostgresBus(database_url_for(platform.server_url, "improvenet_bus"))
        try:
            assert await bus.publish([Message("hr.educator", educator, value, headers)]) == [None]
        finally:
            await bus.close()

    asyncio.run(publish())
    groups = {f"{s}.directory" for s in REPLICAS}
    mine: list[dict[str, Any]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        code, out, everything = admin(platform, "dlq", "list", "--json")
        assert code == 0, everything
        # the replicas' groups; the gateway's partner store refuses it too, and is not what this test follows
        mine = [e for e in json.loads(out) if e["event_id"] == event_id and e["group"] in groups]
        if {e["group"] for e in mine} >= groups:
            break
        time.sleep(1)
    assert {e["group"] for e in mine} == groups, mine
    assert all(e["state"] == "pending" and e["attempts"] == "5" for e in mine), mine
    code, out, everything = admin(platform, "dlq", "show", mine[0]["id"])
    assert code == 0, everything
    shown = json.loads(out)
    assert shown["payload"]["version"] == "not-a-number" and "version" in shown["error"]
    code, _, everything = admin(platform, "dlq", "replay", *[e["id"] for e in mine])
    assert code == 0 and f"{len(mine)} event(s) re-driven" in everything, everything
    deadline = time.monotonic() + 90
    again: list[dict[str, Any]] = []
    while time.monotonic() < deadline:  # each group tried it again through its inbox, and gave up again
        code, out, everything = admin(platform, "dlq", "list", "--json")
        assert code == 0, everything
        again = [e for e in json.loads(out) if e["event_id"] == event_id and e["group"] in groups]
        if len(again) >= 2 * len(groups):
            break
        time.sleep(1)
    assert len(again) == 2 * len(groups), again
    assert all(e["state"] == "pending" for e in again)
    for svc in REPLICAS:
        assert not query(platform, f"improvenet_{svc}", "SELECT 1 FROM educator_directory WHERE educator_id = $1",
                         uuid.UUID(educator))
    figures("dlq-replay[postgres]", dead_letters=len(mine), replayed=len(mine), applied=0,
            dead_lettered_again=len(again) - len(mine))
