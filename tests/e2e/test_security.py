"""The security edge end to end, on the platform as `make up` starts it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from improvenet.launcher import Platform
from tests.e2e.conftest import outside_client

ALL = ["hr:read", "hr:write", "hr:pii", "observations:read", "observations:write", "observations:identify",
       "networks:read", "networks:write", "strategy:read", "strategy:write", "admin"]


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until `check` returns something truthy (events take milliseconds to replicate)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_readme_flow_bootstrap_client_then_a_district_client_limited_to_two_schools(platform: Platform) -> None:
    gw = platform.gateway_url
    creds = json.loads(platform.bootstrap_client_file.read_text())
    assert oct(platform.bootstrap_client_file.stat().st_mode & 0o777) == "0o600"
    with outside_client() as c:
        issued = c.post(f"{gw}/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(creds["client_id"], creds["client_secret"]))
        assert issued.status_code == 200, issued.text
        admin = bearer(issued.json()["access_token"])
        schools = []
        for n in range(3):
            r = c.post(f"{gw}/api/v1/hr/schools", json={"name": f"School {n}"}, headers=admin)
            assert r.status_code == 201, r.text
            schools.append(r.json()["id"])

        def create_district_client() -> httpx.Response | None:
            # the gateway learns of new schools from hr's events, milliseconds later
            r = c.post(f"{gw}/api/v1/admin/clients", headers=admin,
                       json={"name": "district SIS", "scopes": ["hr:read", "hr:write", "networks:read"],
                             "schools": schools[:2]})
            return r if r.status_code == 201 else None

        created = eventually(create_district_client)
        assert created is not None, "the district client could not be created"
        district = created.json()
        assert sorted(district["schools"]) == sorted(schools[:2]) and district["client_secret"]
        token = c.post(f"{gw}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(district["client_id"], district["client_secret"])).json()["access_token"]
        limited = bearer(token)

        listed = c.get(f"{gw}/api/v1/hr/schools", headers=limited).json()["items"]
        assert sorted(s["id"] for s in listed) == sorted(schools[:2])
        assert c.get(f"{gw}/api/v1/hr/schools/{schools[2]}", headers=limited).status_code == 404
        elsewhere = c.post(f"{gw}/api/v1/hr/educators", headers=limited,
                           json={"given_name": "A", "family_name": "B", "school_id": schools[2]})
        assert elsewhere.status_code == 403 and elsewhere.json()["errors"][0]["field"] == "school_id"
        here = c.post(f"{gw}/api/v1/hr/educators", headers=limited,
                      json={"given_name": "A", "family_name": "B", "school_id": schools[0]})
        assert here.status_code == 201
        assert eventually(lambda: c.get(f"{gw}/api/v1/networks/directory/schools/{schools[0]}",
                                        headers=limited).status_code == 200)
        assert c.get(f"{gw}/api/v1/networks/directory/schools/{schools[2]}", headers=limited).status_code == 404
        assert c.get(f"{gw}/api/v1/admin/clients", headers=limited).status_code == 403
        assert c.get(f"{gw}/api/v1/strategy/directory/schools/{schools[0]}", headers=limited).status_code == 403


def test_personal_data_reads_and_changes_are_audited(platform: Platform, token_for: Callable[..., str]) -> None:
    gw = platform.gateway_url
    reader = bearer(token_for("audited", ["hr:read", "hr:write", "hr:pii"], subject="cli_reader"))
    no_pii = bearer(token_for("audited", ["hr:read"], subject="cli_no_pii"))
    admin = bearer(token_for("audited", ["admin"]))
    with outside_client() as c:
        created = c.post(f"{gw}/api/v1/hr/educators", json={"given_name": "Ana", "family_name": "Lopez",
                                                            "email": "ana@example.org"},
                         headers={**reader, "X-Request-ID": "req-create"})
        educator = created.json()["id"]
        c.get(f"{gw}/api/v1/hr/educators/{educator}", headers={**reader, "X-Request-ID": "req-read"})
        c.get(f"{gw}/api/v1/hr/educators/{educator}", headers=no_pii)  # saw no personal data: not audited

        def records() -> list[dict[str, Any]]:
            r = c.get(f"{gw}/api/v1/audit", params={"object_id": educator}, headers=admin)
            items: list[dict[str, Any]] = r.json()["items"]
            return items if len(items) >= 2 else []

        found = eventually(records)
        assert [(r["action"], r["actor"], r["request_id"]) for r in found] == [
            ("read", "cli_reader", "req-read"), ("create", "cli_reader", "req-create")]
        assert all(r["service"] == "hr" and r["fields"] == ["given_name", "family_name", "email"] for r in found)
        time.sleep(0.5)
        assert len(c.get(f"{gw}/api/v1/audit", params={"object_id": educator}, headers=admin).json()["items"]) == 2
        everything = c.get(f"{gw}/api/v1/audit", headers=admin).text
        assert "Ana" not in everything and "ana@example.org" not in everything
        other_tenant = c.get(f"{gw}/api/v1/audit", params={"object_id": educator},
                             headers=bearer(token_for("someone-else", ["admin"])))
        assert other_tenant.json()["items"] == []
        assert c.get(f"{gw}/api/v1/audit", headers=reader).status_code == 403


def test_one_openapi_document_for_the_whole_platform(platform: Platform) -> None:
    with outside_client() as c:
        doc = c.get(f"{platform.gateway_url}/openapi.json").json()
        docs_page = c.get(f"{platform.gateway_url}/docs")
    paths = doc["paths"]
    for expected in ("/oauth/token", "/.well-known/jwks.json", "/api/v1/admin/clients", "/api/v1/audit",
                     "/api/v1/hr/educators", "/api/v1/hr/educators/bulk", "/api/v1/hr/schools/{record_id}",
                     "/api/v1/observations/directory/schools/{school_id}",
                     "/api/v1/strategy/directory/educators/{educator_id}"):
        assert expected in paths, expected
    ids = [op["operationId"] for item in paths.values() for op in item.values() if isinstance(op, dict)]
    assert len(ids) == len(set(ids))
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flows["tokenUrl"] == "/oauth/token" and "hr:pii" in flows["scopes"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(doc)))
    assert refs <= set(doc["components"]["schemas"]), refs - set(doc["components"]["schemas"])
    assert docs_page.status_code == 200 and "/openapi.json" in docs_page.text


SAMPLES = ["x", "en", "T1", "2026-27-T1", "a@example.org"]


def minimal(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest valid value of a JSON Schema (as FastAPI writes them): required fields only."""
    if "$ref" in schema:
        return minimal(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return minimal(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: minimal(v, components) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", [])}
    if kind == "array":
        return [minimal(schema["items"], components) for _ in range(schema.get("minItems", 0))]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "uuid":
        return "00000000-0000-4000-8000-000000000001"
    if fmt == "date":
        return "2026-11-24"
    if fmt == "date-time":
        return "2026-11-24T09:00:00Z"
    pattern = schema.get("pattern")
    return next((v for v in SAMPLES if not pattern or re.search(pattern, v)), "x")


def request_body(operation: dict[str, Any], components: dict[str, Any]) -> Any:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return minimal(schema, components) if schema else None


def _collection(path: str, param: str) -> str:
    """The collection a path parameter names an object of: /hr/schools/{record_id} -> schools."""
    before = path.split("{" + param + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    return before if not before.startswith("{") else param


def test_tenant_isolation_matrix_over_every_operation(platform: Platform, token_for: Callable[..., str]) -> None:
    """Tenant B, with every scope, on tenant A's objects: 404 or 403 and never A's data. Operations come
    from the merged OpenAPI document, so new endpoints are covered without editing this test."""
    gw = platform.gateway_url
    a, b = bearer(token_for("tenant-a", ALL)), bearer(token_for("tenant-b", ALL))
    with outside_client() as c:
        district = c.post(f"{gw}/api/v1/hr/districts", json={"name": "A District"}, headers=a).json()
        school = c.post(f"{gw}/api/v1/hr/schools", json={"name": "A School", "district_id": district["id"]},
                        headers=a).json()
        educator = c.post(f"{gw}/api/v1/hr/educators", headers=a, json={
            "given_name": "Secret", "family_name": "Teacher", "school_id": school["id"]}).json()
        client = c.post(f"{gw}/api/v1/admin/clients", json={"name": "A client", "scopes": ["hr:read"]},
                        headers=a).json()
        look_for = {"code": "T1", "description": "A look-for", "domain": "teacher"}
        protocol = c.post(f"{gw}/api/v1/observations/protocols", headers=a,
                          json={"name": "A protocol", "look_fors": [look_for]}).json()
        version = protocol["versions"][0]["id"]
        for service in ("observations", "networks", "strategy"):
            assert eventually(lambda s=service: c.get(f"{gw}/api/v1/{s}/directory/educators/{educator['id']}",
                                                      headers=a).status_code == 200)
        visit = c.post(f"{gw}/api/v1/observations/visits", headers=a, json={
            "school_id": school["id"], "visit_date": "2026-11-24", "protocol_version_id": version,
            "problem_of_practice": "A problem", "observer_ids": [educator["id"]],
            "classrooms": [{"grade": "4", "subject": "math", "room": "101", "teacher_id": educator["id"]}]}).json()
        record = c.post(f"{gw}/api/v1/observations/visits/{visit['id']}/records", headers=a, json={
            "classroom_id": visit["classrooms"][0]["id"], "observer_id": educator["id"],
            "notes": [{"observed_at": "2026-11-24T09:00:00Z", "text": "A secret note", "look_for_codes": ["T1"]}],
        }).json()
        calibration = c.post(f"{gw}/api/v1/observations/calibration-sessions", headers=a,
                             json={"protocol_version_id": version, "items": ["segment 1"]}).json()
        secrets = [district["id"], school["id"], educator["id"], client["client_id"], "A School", "Secret",
                   protocol["id"], visit["id"], record["id"], calibration["id"], "A secret note", "A problem"]
        objects = {"districts": district["id"], "schools": school["id"], "educators": educator["id"],
                   "clients": client["client_id"], "school_id": school["id"], "educator_id": educator["id"],
                   "protocols": protocol["id"], "visits": visit["id"], "records": record["id"],
                   "calibration-sessions": calibration["id"], "observers": educator["id"]}
        # parameters that name something of the caller's own tenant, not an object of A's
        own = {"lexicons": "en"}

        doc = c.get(f"{gw}/openapi.json").json()
        checked = 0
        for path, item in doc["paths"].items():
            if not path.startswith("/api/v1/"):
                continue
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                params = re.findall(r"{([^}]+)}", path)
                if not params:
                    if method == "get":
                        r = c.get(f"{gw}{path}", headers=b)
                        assert r.status_code in (200, 403), (path, r.status_code)
                        assert not any(s in r.text for s in secrets), f"GET {path} leaked tenant A's data"
                        checked += 1
                    continue
                url = path
                for p in params:
                    key = _collection(path, p)
                    assert key in objects or key in own, f"no tenant-A object known for {{{p}}} in {path}"
                    url = url.replace("{" + p + "}", objects.get(key) or own[key])
                body = request_body(operation, doc["components"]["schemas"])
                r = c.request(method.upper(), f"{gw}{url}", json=body, headers={**b, "If-Match": '"1"'})
                if not any(_collection(path, p) in objects for p in params):
                    assert not any(s in r.text for s in secrets), f"{method} {path} leaked A's data"
                    continue
                assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
                # the problem's `instance` echoes the caller's own URL; anything else of A's is a leak
                assert not any(s in r.text for s in secrets if s not in url), f"{method} {path} leaked A's data"
                checked += 1
        print(f"isolation matrix: {checked} operations checked with tenant B's token")
        assert checked >= 15, f"only {checked} operations checked"

        # and tenant A's objects are untouched
        assert c.get(f"{gw}/api/v1/hr/schools/{school['id']}", headers=a).json()["name"] == "A School"
        assert c.get(f"{gw}/api/v1/hr/educators/{educator['id']}", headers=a).json()["given_name"] == "Secret"
        assert c.get(f"{gw}/api/v1/admin/clients/{client['client_id']}", headers=a).json()["revoked_at"] is None
