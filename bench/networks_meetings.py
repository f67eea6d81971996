"""N2: create-meeting writes through the gateway, with the ratio to the reference app's writes.

Each write is a use case in one transaction: the meeting, its `meeting.held` event (outbox), the
co-attendance ties of six attendees (15 pairs), and the graph projection's queue rows for the network and
the attendees' schools; networks' worker recomputes those graphs after the commit. The figure's detail
says how long after the load the network's graph was settled (no longer `refresh_pending`).

Called from bench/__main__.py with the running platform, a token's headers and the reference figure:

    from bench.networks_meetings import run as networks_meetings
    figures += networks_meetings(platform, headers, reference_rps=ref["rps"], wrk=wrk)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from improvenet.launcher import Platform

SCHOOLS = 4
PEOPLE = 12
ATTENDEES = 6


def seed(platform: Platform, headers: dict[str, str]) -> dict[str, Any]:
    """Schools and educators through hr, replicated to networks; a mixed network with every one a member."""
    gw = f"{platform.gateway_url}/api/v1"
    with httpx.Client(timeout=30, headers=headers) as c:
        schools = [c.post(f"{gw}/hr/schools", json={"name": f"N2 school {n}"}).json()["id"] for n in range(SCHOOLS)]
        people = [c.post(f"{gw}/hr/educators", json={"given_name": f"N{n}", "family_name": "Bench",
                                                     "school_id": schools[n % SCHOOLS]}).json()["id"]
                  for n in range(PEOPLE)]
        deadline = time.monotonic() + 30
        while any(c.get(f"{gw}/networks/directory/educators/{p}").status_code != 200 for p in people[-1:]):
            if time.monotonic() > deadline:
                raise RuntimeError("hr's directory did not reach networks")
            time.sleep(0.1)
        network = c.post(f"{gw}/networks/networks", json={"name": "N2", "kind": "mixed", "focus": "bench",
                                                           "school_ids": schools}).json()["id"]
        for n, person in enumerate(people):
            r = c.post(f"{gw}/networks/networks/{network}/members", json={
                "educator_id": person, "school_id": schools[n % SCHOOLS], "tags": ["talk"] if n == 4 else [],
                "starts_on": "2026-09-01"})
            r.raise_for_status()
    return {"network": network, "people": people}


def settled_after(platform: Platform, headers: dict[str, str], network: str, timeout: float = 60) -> float | None:
    """Seconds from the end of the load until the worker has recomputed the network's graph."""
    started = time.monotonic()
    with httpx.Client(timeout=30, headers=headers) as c:
        while time.monotonic() - started < timeout:
            graph = c.get(f"{platform.gateway_url}/api/v1/networks/networks/{network}/graph").json()
            if graph.get("refresh_pending") is False and graph.get("measures"):
                return round(time.monotonic() - started, 2)
            time.sleep(0.05)
    return None


def run(platform: Platform, headers: dict[str, str], *, reference_rps: float | None = None,
        wrk: Callable[..., dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    if wrk is None:  # the load generator bench/__main__.py uses (wrk, a second process on loopback)
        from bench.__main__ import wrk as default_wrk
        wrk = default_wrk
    seeded = seed(platform, headers)
    attendees = seeded["people"][:ATTENDEES]
    body = json.dumps({"network_id": seeded["network"], "meeting_date": "2026-11-15",
                       "meeting_type": "learning_session",
                       "agenda": [{"title": "Comparing strategies", "tags": ["talk"]}],
                       "attendee_ids": attendees, "chair_id": attendees[4], "chair_reason": "expertise"})
    result = wrk(f"{platform.gateway_url}/api/v1/networks/meetings", body,
                 {**headers, "Content-Type": "application/json"})
    result["graph_settled_after_s"] = settled_after(platform, headers, seeded["network"])
    ratio = round(result["rps"] / reference_rps, 3) if reference_rps else None
    return [{"scenario": "N2 create meeting through the gateway (the graph projection queued)",
             "value": result["rps"], "unit": "req/s", "target": "all 2xx; ratio to reference reported",
             "ok": result["non_2xx"] == 0, "detail": {**result, "ratio_to_reference": ratio,
                                                      "attendees": ATTENDEES, "pairs_per_meeting": 15}}]
