"""Partner delivery through the platform as `make up` starts it: a partner registered by a tenant
admin receives signed webhooks and reads the feed for writes made through the public API, with the
other tenant's partner receiving none of them and no personal data in anything delivered.

Needs the lead's wiring (docs/partners.md, "Wiring"): the partners router in gateway/app.py, the
partner consumer and the webhook dispatcher in gateway/worker.py, the tables in gateway/models.py and
the scope `events:read` in improvenet/registry.py. Before that wiring this module fails (the routes
answer 404), and that is the expected state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from improvenet.launcher import LaunchConfig, Platform
from improvenet.registry import SERVICE_NAMES as SERVICES
from libs.common.testing.kafka_broker import free_port
from libs.contracts import REGISTRY
from tests.e2e.conftest import outside_client
from tests.integration.partners.receiver import Receiver

# values, not field names: audit events name the fields that were touched (given_name, ...), never their values
PERSONAL = ("Maria", "Santos", "@example.org")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    ports = {name: free_port() for name in ("gateway", *SERVICES)}
    config = LaunchConfig(state_dir=tmp_path_factory.mktemp("partners") / ".improvenet", ports=ports,
                          extra_env={"RATE_LIMIT_PER_SECOND": "1000", "RATE_LIMIT_BURST": "2000",
                                     "PARTNERS_ALLOW_INSECURE_URLS": "true"})  # receivers on http://127.0.0.1
    p = Platform(config)
    p.prepare()
    p.start()
    try:
        p.wait_ready(timeout=90)
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def gw(platform: Platform) -> Iterator[httpx.Client]:
    with outside_client() as client:
        client.base_url = httpx.URL(platform.gateway_url)
        yield client


def partner(gw: httpx.Client, token_for: Callable[..., str], tenant: str, receiver: Receiver | None
            ) -> dict[str, Any]:
    admin = {"Authorization": f"Bearer {token_for(tenant, ['admin'])}"}
    r = gw.post("/api/v1/admin/clients", json={"name": "analytics vendor", "scopes": ["events:read"]}, headers=admin)
    assert r.status_code == 201, r.text
    client = r.json()
    body = {"name": "vendor", "client_id": client["client_id"], "types": ["*"]}
    hook = gw.post("/api/v1/partners/subscriptions", headers=admin,
                   json={**body, "url": receiver.url} if receiver else {**body, "mode": "feed"})
    assert hook.status_code == 201, hook.text
    if receiver is not None:
        receiver.secrets.append(hook.json()["secret"])
    token = gw.post("/oauth/token", data={"grant_type": "client_credentials"},
                    auth=(client["client_id"], client["client_secret"]))
    assert token.status_code == 200, token.text
    return {"auth": {"Authorization": f"Bearer {token.json()['access_token']}"}, **client}


def test_a_partner_gets_its_tenants_events_by_webhook_and_feed(platform: Platform, gw: httpx.Client,
                                                                token_for: Callable[..., str]) -> None:
    a_hook, b_hook = Receiver().start(), Receiver().start()
    try:
        partner(gw, token_for, "hamilton", a_hook)
        a_feed = partner(gw, token_for, "hamilton", None)
        partner(gw, token_for, "lakeside", b_hook)
        b_feed = partner(gw, token_for, "lakeside", None)

        writer = {"Authorization": f"Bearer {token_for('hamilton')}"}
        school = gw.post("/api/v1/hr/schools", json={"name": "Hamilton Elementary"}, headers=writer)
        assert school.status_code == 201, school.text
        educators = []
        for n in range(3):
            e = gw.post("/api/v1/hr/educators", headers=writer, json={
                "given_name": "Maria", "family_name": "Santos", "email": f"maria{n}@example.org",
                "school_id": school.json()["id"], "career_stage": "novice_teacher"})
            assert e.status_code == 201, e.text
            educators.append(e.json())
        for e in educators:
            r = gw.patch(f"/api/v1/hr/educators/{e['id']}", json={"career_stage": "intermediate_teacher"},
                         headers={**writer, "If-Match": f'"{e["version"]}"'})
            assert r.status_code == 200, r.text
        subjects = {school.json()["id"], *(e["id"] for e in educators)}

        def domain(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [ce for ce in events if ce["subject"] in subjects]

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(domain(a_hook.events())) < 7:
            time.sleep(0.1)
        delivered = domain(a_hook.events())
        assert len({ce["id"] for ce in delivered}) == 7, [ce["type"] for ce in delivered]  # 1 school, 3 + 3
        assert a_hook.rejected == [] and all(a.verified_with == [0] for a in a_hook.arrivals)
        for e in educators:
            versions = [ce["data"]["version"] for ce in delivered if ce["subject"] == e["id"]]
            assert versions == sorted(versions) and versions[0] == 1
        for arrival in a_hook.arrivals:
            for personal in PERSONAL:
                assert personal not in arrival.body.decode(), personal
            dataschema = arrival.event["dataschema"]  # a link to this gateway, as `make up` configures it
            assert dataschema.startswith(platform.gateway_url + "/schemas/events/"), dataschema
            assert httpx.get(dataschema, timeout=10).status_code == 200  # and it resolves

        fed = gw.get("/api/v1/events", params={"after": "0", "wait": 5, "limit": 1000}, headers=a_feed["auth"])
        assert fed.status_code == 200, fed.text
        assert {ce["id"] for ce in domain(fed.json()["items"])} == {ce["id"] for ce in delivered}

        time.sleep(1.0)
        assert domain(b_hook.events()) == []  # lakeside's partner: none of hamilton's events
        b_fed = gw.get("/api/v1/events", params={"after": "0", "wait": 0}, headers=b_feed["auth"])
        assert b_fed.status_code == 200 and domain(b_fed.json()["items"]) == []
    finally:
        a_hook.stop()
        b_hook.stop()


def test_the_asyncapi_document_and_page_are_served(gw: httpx.Client) -> None:
    doc = gw.get("/asyncapi.json")
    assert doc.status_code == 200 and doc.json()["asyncapi"] == "3.0.0"
    assert {m["name"] for m in doc.json()["components"]["messages"].values()} == set(REGISTRY)
    assert gw.get("/asyncapi").status_code == 200
