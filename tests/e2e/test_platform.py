"""The platform as `make up` starts it (embedded PostgreSQL and bus, nine processes), end to end."""

from __future__ import annotations

import secrets
import signal
import time

import httpx

from improvenet.launcher import Platform
from libs.common.testing.otlp_collector import OTLPCollector

REPLICAS = ("observations", "networks", "strategy")


def wait_visible(api: httpx.Client, path: str, timeout: float) -> dict[str, float]:
    """Seconds until each replica shows `path`."""
    t0 = time.monotonic()
    seen: dict[str, float] = {}
    while len(seen) < len(REPLICAS) and time.monotonic() - t0 < timeout:
        for service in REPLICAS:
            if service not in seen and api.get(f"/{service}{path}").status_code == 200:
                seen[service] = time.monotonic() - t0
        time.sleep(0.02)
    return seen


def test_educator_created_through_the_gateway_reaches_every_replica_within_2s(api: httpx.Client) -> None:
    school = api.post("/hr/schools", json={"name": "Hamilton Elementary", "sourced_id": "ham-1"})
    assert school.status_code == 201, school.text
    assert school.headers["location"].startswith("/api/v1/hr/schools/")
    educator = api.post("/hr/educators", json={"given_name": "Maria", "family_name": "Santos",
                                                "school_id": school.json()["id"], "career_stage": "teacher_leader"})
    assert educator.status_code == 201, educator.text
    seen = wait_visible(api, f"/directory/educators/{educator.json()['id']}", timeout=5)
    assert set(seen) == set(REPLICAS), f"replicas that never saw it: {set(REPLICAS) - set(seen)}"
    assert max(seen.values()) < 2.0, seen
    replica = api.get(f"/networks/directory/educators/{educator.json()['id']}").json()
    assert replica["school_id"] == school.json()["id"] and replica["career_stage"] == "teacher_leader"
    assert "Maria" not in str(replica)
    assert api.get(f"/strategy/directory/schools/{school.json()['id']}").json()["name"] == "Hamilton Elementary"


def test_one_trace_covers_gateway_hr_relay_and_consumers(api: httpx.Client, collector: OTLPCollector) -> None:
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    r = api.post("/hr/schools", json={"name": "Traced School"}, headers={"traceparent": traceparent})
    assert r.status_code == 201
    wanted = {"improvenet-gateway", "improvenet-hr", "improvenet-hr-worker",
              *(f"improvenet-{s}-worker" for s in REPLICAS)}
    deadline = time.monotonic() + 15
    services: set[str] = set()
    while time.monotonic() < deadline and not wanted <= services:
        services = {s["service"] for s in collector.spans if s["trace_id"] == trace_id}
        time.sleep(0.1)
    assert wanted <= services, f"missing from the trace: {wanted - services}"
    names = {s["name"] for s in collector.spans if s["trace_id"] == trace_id}
    assert "publish hr.organisation" in names
    assert "consume org.improvenet.hr.school.registered" in names


def test_request_id_is_echoed_and_unknown_service_is_a_problem(api: httpx.Client) -> None:
    r = api.get("/hr/schools", headers={"X-Request-ID": "req-42"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "req-42"
    unknown = api.get("/payroll/anything")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert r.headers.get_list("date") and len(r.headers.get_list("date")) == 1


def test_upstream_down_gives_503_problem_with_retry_after(platform: Platform, api: httpx.Client) -> None:
    hr = next(c for c in platform.children if c.name == "hr")
    assert hr.process is not None
    hr.process.send_signal(signal.SIGTERM)
    hr.process.wait(15)
    r = api.get("/hr/schools")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"]
    assert r.json()["title"] == "Service unavailable"
    assert api.get("/networks/directory/schools/00000000-0000-0000-0000-000000000000").status_code == 404
