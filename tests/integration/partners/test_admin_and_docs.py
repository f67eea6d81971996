"""Subscriptions administration (tenant admins only, problems naming the field, another tenant's is a
404), the published documents (AsyncAPI, its page, every dataschema URL), and the migration."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from gateway.partners.models import PARTNER_TABLES, include_partner_tables
from libs.common.db import create_engine
from libs.contracts import REGISTRY
from libs.contracts._asyncapi import build_document
from tests.integration.partners.conftest import Rig

SCHEMAS = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "schemas"


async def test_subscription_admin_validates_and_keeps_tenants_apart(rig: Rig) -> None:
    partner = await rig.partner_client("district-a")
    hr_only = await rig.partner_client("district-a", scopes=["hr:read"])
    other_tenants = await rig.partner_client("district-b")
    post = "/api/v1/partners/subscriptions"
    admin = rig.admin("district-a")
    base = {"name": "vendor", "client_id": partner["client_id"], "url": "http://127.0.0.1:9/hook"}

    unknown = await rig.http.post(post, json={**base, "types": ["org.improvenet.hr.school.registered", "x.y"]},
                                  headers=admin)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "types[1]"
    no_scope = await rig.http.post(post, json={**base, "types": ["*"], "client_id": hr_only["client_id"]},
                                   headers=admin)
    assert no_scope.status_code == 422 and no_scope.json()["errors"][0]["field"] == "client_id"
    foreign = await rig.http.post(post, json={**base, "types": ["*"], "client_id": other_tenants["client_id"]},
                                  headers=admin)
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "client_id"
    no_url = await rig.http.post(post, json={**base, "types": ["*"], "url": None}, headers=admin)
    assert no_url.status_code == 422 and no_url.json()["errors"][0]["field"] == "url"
    ftp = await rig.http.post(post, json={**base, "types": ["*"], "url": "ftp://127.0.0.1/x"}, headers=admin)
    assert ftp.status_code == 422 and ftp.json()["errors"][0]["field"] == "url"
    feed_url = await rig.http.post(post, json={**base, "types": ["*"], "mode": "feed"}, headers=admin)
    assert feed_url.status_code == 422 and feed_url.json()["errors"][0]["field"] == "url"
    not_admin = await rig.http.post(post, json={**base, "types": ["*"]}, headers=partner["auth"])
    assert not_admin.status_code == 403

    created = await rig.http.post(post, json={**base, "types": ["*"]}, headers=admin)
    assert created.status_code == 201 and created.headers["location"].endswith(created.json()["id"])
    sub = created.json()
    assert sub["types"] == sorted(REGISTRY) and sub["status"] == "active" and sub["secret"].startswith("whsec_")
    path = f"{post}/{sub['id']}"
    listed = (await rig.http.get(post, headers=admin)).json()
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    assert (await rig.http.get(post, headers=rig.admin("district-b"))).json() == []
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/enable"), ("POST", "/secret"),
                           ("POST", "/replay"), ("GET", "/deliveries"), ("POST", "/disable")):
        body = {"since": "2026-01-01T00:00:00Z"} if suffix == "/replay" else {"name": "x"} if method == "PATCH" \
            else None
        r = await rig.http.request(method, path + suffix, json=body, headers=rig.admin("district-b"))
        assert r.status_code == 404, (method, suffix, r.text)

    disabled = await rig.http.post(path + "/disable", headers=admin)
    assert disabled.json()["status"] == "disabled" and "disabled by" in disabled.json()["disabled_reason"]
    assert (await rig.http.delete(path, headers=admin)).status_code == 204
    assert (await rig.http.get(path, headers=admin)).status_code == 404


async def test_asyncapi_document_page_and_every_dataschema_are_served(rig: Rig) -> None:
    doc = await rig.http.get("/asyncapi.json")
    assert doc.status_code == 200 and doc.json() == json.loads(json.dumps(build_document()))
    page = await rig.http.get("/asyncapi")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert all(t in page.text for t in REGISTRY) and "<script" not in page.text
    index = (await rig.http.get("/schemas/events")).json()
    assert set(index) == set(REGISTRY)
    for event_type, model in REGISTRY.items():
        r = await rig.http.get(model.dataschema().removeprefix("https://improvenet.org"))
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/schema+json")
        assert r.json() == json.loads((SCHEMAS / f"{event_type}.json").read_text())
    assert (await rig.http.get("/schemas/events/org.improvenet.hr.school.registered/v9.json")).status_code == 404
    assert (await rig.http.get("/schemas/events/no.such.type/v1.json")).status_code == 404


async def test_the_migration_creates_exactly_the_partner_tables(rig: Rig) -> None:
    target = MetaData()
    include_partner_tables(target)
    assert set(target.tables) == {t.name for t in PARTNER_TABLES}
    engine = create_engine(rig.gateway_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True,
                                                       "include_name": lambda name, type_, parent: (
                                                           type_ != "table" or name in target.tables)}), target))
    finally:
        await engine.dispose()
    assert diff == [], diff
