"""The security edge end to end, on the platform as `make up` starts it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
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


def test_a_revoked_clients_token_fails_at_a_service_reached_directly(platform: Platform,
                                                                     token_for: Callable[..., str]) -> None:
    """Revocation reaches every service: the gateway publishes it, each service's verifier applies it."""
    gw = platform.gateway_url
    admin = bearer(token_for("revoking", ["admin"]))
    with outside_client() as c:
        made = c.post(f"{gw}/api/v1/admin/clients", headers=admin,
                      json={"name": "to revoke", "scopes": ["hr:read", "networks:read", "strategy:read",
                                                            "observations:read"]}).json()
        issued = c.post(f"{gw}/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(made["client_id"], made["client_secret"])).json()["access_token"]
        probes = {"hr": "/schools", "networks": "/networks", "observations": "/protocols",
                  "strategy": "/reciprocity/weights"}
        direct = {s: platform.service_url(s) + path for s, path in probes.items()}
        for service, url in direct.items():
            r = c.get(url, headers=bearer(issued))
            assert r.status_code == 200, (service, r.status_code, r.text)
        assert c.delete(f"{gw}/api/v1/admin/clients/{made['client_id']}", headers=admin).status_code == 204
        started = time.monotonic()
        for service, url in direct.items():
            refused = eventually(lambda u=url: c.get(u, headers=bearer(issued)).status_code == 401, timeout=10)
            assert refused, f"{service} still accepts a revoked client's token"
        took = time.monotonic() - started
        print(f"revocation reached every service directly within {took:.2f}s")
        assert took < 10
        assert c.get(f"{gw}/api/v1/hr/schools", headers=bearer(issued)).status_code == 401
        assert c.get(direct["hr"], headers=bearer(token_for("revoking", ["hr:read"]))).status_code == 200


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


# Body and path fields that name a person or a school by their role, not by their collection's name.
PEOPLE = {"teacher", "observer", "mentor", "mentee", "author", "approver", "owner", "resident", "supervisor",
          "incumbent", "chair", "attendee", "contributor", "facilitator", "educator", "member"}
ALIASES: dict[str, str | None] = {
    "host_school": "schools", "origin_school": "schools", "protocol_version": "versions",
    "problem": "problems-of-practice", "problem_of_practice": "problems-of-practice",
    "session": "calibration-sessions", "language": None}
OBJECT_ID_KEYS = ("id", "client_id")
# Fields a minimal body cannot guess, for the creations whose rules need them ("@x": tenant A's object x).
SEED_OVERRIDES: dict[str, dict[str, Any]] = {
    "/api/v1/hr/mentorships": {"mentor_id": "@leaders", "mentee_id": "@educators"},
    "/api/v1/hr/residencies": {"resident_id": "@residents", "supervisor_id": "@principals", "starts_on": "2026-09-01",
                               "school_id": "@placement"},  # a residency is served away from one's own school
    "/api/v1/strategy/plans/{plan_id}/goals": {"baseline": 1, "target": 1000},
    "/api/v1/partners/subscriptions": {"mode": "feed", "client_id": "@clients"},  # a feed needs no public URL
}
# Public documents (no token needed, the same for everyone): their text is not tenant data.
PUBLIC_DOCUMENTS = ("/asyncapi", "/schemas/")


def collection_of(name: str) -> str:
    """The collection an id field or parameter names: school_id -> schools, observer_ids -> educators."""
    stem = re.sub(r"_ids?$", "", name)
    alias = ALIASES.get(stem)
    if alias:
        return alias
    if stem in PEOPLE:
        return "educators"
    plural = stem.replace("_", "-")
    if plural.endswith("s"):
        return plural
    if re.search(r"[^aeiou]y$", plural):
        return plural[:-1] + "ies"  # residency -> residencies
    return plural + ("es" if plural.endswith(("ch", "sh", "x")) else "s")


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            if options:
                return resolve(options[0], components)
    return schema


def is_uuid(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    return resolve(schema, components).get("format") == "uuid"


def is_uuid_list(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    s = resolve(schema, components)
    return s.get("type") == "array" and is_uuid(s.get("items", {}), components)


def with_references(body: Any, schema: dict[str, Any] | None, components: dict[str, Any],
                    objects: dict[str, str]) -> tuple[Any, list[str]]:
    """The minimal body with every id field (required or not) naming one of tenant A's objects;
    returns the body and the fields filled."""
    if schema is None or not isinstance(body, dict):
        return body, []
    s = resolve(schema, components)
    filled: list[str] = []
    for name, prop in s.get("properties", {}).items():
        target = objects.get(collection_of(name))
        if is_uuid(prop, components) and target:
            body[name] = target
            filled.append(name)
        elif is_uuid_list(prop, components) and target:
            body[name] = [target]
            filled.append(name)
        elif name in body and isinstance(body[name], dict):
            body[name], inner = with_references(body[name], prop, components, objects)
            filled += [f"{name}.{f}" for f in inner]
        elif name in body and isinstance(body[name], list) and body[name] and isinstance(body[name][0], dict):
            items = resolve(prop, components).get("items", {})
            body[name][0], inner = with_references(body[name][0], items, components, objects)
            filled += [f"{name}[0].{f}" for f in inner]
    return body, filled


def path_values(path: str, operation: dict[str, Any], components: dict[str, Any],
                objects: dict[str, str]) -> tuple[str, list[str]] | None:
    """The URL with tenant A's objects in its id parameters (own values in the others), and the
    collections it names; None when tenant A has no object for some id parameter."""
    params = {p["name"]: p for p in operation.get("parameters", []) if p.get("in") == "path"}
    url, named = path, []
    for name in re.findall(r"{([^}]+)}", path):
        schema = params.get(name, {}).get("schema", {})
        if not is_uuid(schema, components):
            value = str(minimal(schema, components))  # a language, a measure: the caller's own
        else:
            before = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
            key = before if before in objects else collection_of(name)
            if key not in objects:
                return None
            value = objects[key]
            named.append(key)
        url = url.replace("{" + name + "}", value)
    return url, named


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation in the document: changes first (a sub-resource such as a debrief exists only
    once written), then reads, deletions last (they remove objects that later probes need)."""
    order = {"post": 0, "put": 0, "patch": 0, "get": 1, "head": 1, "delete": 2}
    ops = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()
           if isinstance(op, dict) and method in order]
    return sorted(ops, key=lambda o: order[o[1]])


def creates(operation: dict[str, Any]) -> str | None:
    """The collection a creating POST (one documenting 201) adds to, named by its response model:
    `NetworksMembershipPublic` -> memberships."""
    if "201" not in operation.get("responses", {}):
        return None
    schema = operation["responses"]["201"].get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "").rsplit("/", 1)[-1]
    name = re.sub(r"^(Hr|Observations|Networks|Strategy)", "", ref)
    name = re.sub(r"(Public|WithSecret|Out|Response)$", "", name)
    if not name:
        return None
    return collection_of(re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())


def harvest(body: Any, objects: dict[str, str]) -> list[str]:
    """Objects created inside another (a protocol's versions, a visit's classrooms, its notes)."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                if isinstance(value[0].get("id"), str) and key not in objects:
                    objects[key] = value[0]["id"]
                    found.append(value[0]["id"])
                for item in value:
                    found += harvest(item, objects)
    return found


def created_id(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in OBJECT_ID_KEYS:
            if isinstance(body.get(key), str):
                return body[key]  # type: ignore[no-any-return]
    return None


def refused_on(r: httpx.Response, fields: list[str]) -> bool:
    """Was the request refused because of one of these (reference) fields?"""
    if r.status_code in (403, 404):
        return True
    if r.status_code != 422 or not r.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    named = [e.get("field", "") for e in r.json().get("errors", [])]
    return any(n == f or n.startswith(f + "[") or n.startswith(f + ".") or f.startswith(n + ".")
               for n in named for f in fields)


# Operations a person reads about themself (and nobody else of the tenant): path -> where the person's id is
# in the URL (issue 10: an observer's figures are the observer's and their calibration facilitator's)
READ_BY_THE_PERSON_ONLY = {"/api/v1/observations/observers/{observer_id}/evidence-quality": -2}


def test_isolation_matrix_over_every_operation(platform: Platform, token_for: Callable[..., str]) -> None:
    """Every operation of the merged OpenAPI document, three callers on the same request:

    - tenant B (every scope) on tenant A's objects, in paths and in bodies (creating and bulk calls
      that reference A's ids): refused (403/404/422 on the reference), never a success, never A's data;
    - a tenant-A admin limited to another school: refused on school-bound objects, never their data;
    - tenant A itself: the positive control, not refused on those ids (so B's refusal proves isolation).

    Everything is derived from the document (tenant A's objects are created through its creating
    POSTs), so new operations are covered without editing this test; the floor is every operation.
    """
    gw = platform.gateway_url
    a = bearer(token_for("tenant-a", ALL, subject="cli_tenant_a"))
    b = bearer(token_for("tenant-b", ALL, subject="cli_tenant_b"))
    with outside_client() as c:
        c.timeout = httpx.Timeout(60)  # hundreds of calls on a loaded CI machine: patience, not flakiness
        doc = c.get(f"{gw}/openapi.json").json()
        assert "x-unavailable-services" not in doc["info"], doc["info"]
        components = doc["components"]["schemas"]
        district = c.post(f"{gw}/api/v1/hr/districts", json={"name": "A District"}, headers=a).json()
        school = c.post(f"{gw}/api/v1/hr/schools", json={"name": "A School", "district_id": district["id"]},
                        headers=a).json()
        other_school = c.post(f"{gw}/api/v1/hr/schools", json={"name": "Elsewhere", "district_id": district["id"]},
                              headers=a).json()
        # A third school of A's, for a residency away from both the resident's school and the limited token's.
        placement = c.post(f"{gw}/api/v1/hr/schools", json={"name": "Placement", "district_id": district["id"]},
                           headers=a).json()
        educator = c.post(f"{gw}/api/v1/hr/educators", headers=a, json={
            "given_name": "Secret", "family_name": "Teacher", "school_id": school["id"]}).json()
        for service in ("observations", "networks", "strategy"):
            assert eventually(lambda s=service: c.get(f"{gw}/api/v1/{s}/directory/educators/{educator['id']}",
                                                      headers=a).status_code == 200)
        assert eventually(lambda: c.post(f"{gw}/api/v1/admin/clients", headers=a, json={
            "name": "probe", "scopes": ["hr:read"], "schools": [other_school["id"]]}).status_code == 201)
        limited = bearer(token_for("tenant-a", ALL, subject="cli_limited", schools=[other_school["id"]]))
        client = c.post(f"{gw}/api/v1/admin/clients", json={"name": "A client", "scopes": ["hr:read", "events:read"]},
                        headers=a).json()
        objects: dict[str, str] = {"districts": district["id"], "schools": school["id"],
                                   "educators": educator["id"], "clients": client["client_id"]}
        school_bound = {"schools", "educators"}  # objects of A's school: a school-limited token elsewhere sees none
        secrets = {district["id"], school["id"], educator["id"], client["client_id"], "A School", "Secret"}
        school_secrets = {school["id"], educator["id"], "A School", "Secret"}

        # Realistic bodies for the objects whose rules a minimal body cannot meet (look-fors, classrooms).
        look_for = {"code": "T1", "description": "A look-for", "domain": "teacher"}
        protocol = c.post(f"{gw}/api/v1/observations/protocols", headers=a,
                          json={"name": "A protocol", "look_fors": [look_for]}).json()
        visit = c.post(f"{gw}/api/v1/observations/visits", headers=a, json={
            "school_id": school["id"], "visit_date": "2026-11-24", "protocol_version_id": protocol["versions"][0]["id"],
            "problem_of_practice": "A problem", "observer_ids": [educator["id"]],
            "classrooms": [{"grade": "4", "subject": "math", "room": "101", "teacher_id": educator["id"]}]}).json()
        record = c.post(f"{gw}/api/v1/observations/visits/{visit['id']}/records", headers=a, json={
            "classroom_id": visit["classrooms"][0]["id"], "observer_id": educator["id"],
            "notes": [{"observed_at": "2026-11-24T09:00:00Z", "text": "A secret note", "look_for_codes": ["T1"]}],
        }).json()
        calibration = c.post(f"{gw}/api/v1/observations/calibration-sessions", headers=a,
                             json={"protocol_version_id": protocol["versions"][0]["id"], "items": ["segment 1"]}).json()
        for stage in ("system_leader", "principal_resident", "principal"):
            person = c.post(f"{gw}/api/v1/hr/educators", headers=a, json={
                "given_name": "Secret", "family_name": stage, "school_id": school["id"], "career_stage": stage}).json()
            role = {"system_leader": "leaders", "principal_resident": "residents"}.get(stage, "principals")
            objects[role] = person["id"]
            secrets.add(person["id"])
            school_secrets.add(person["id"])
        # An import job (its body is a file, not JSON: the document cannot seed it).
        staff = (Path(__file__).parents[1] / "data" / "hr" / "edfi" / "staff.json").read_bytes()
        job = c.post(f"{gw}/api/v1/hr/imports/edfi", content=staff,
                     headers={**a, "Content-Type": "application/json"})
        assert job.status_code == 202, job.text
        objects["imports"] = job.json()["id"]
        secrets.add(job.json()["id"])
        # A tenant export (202, a job: the document's creating-POST seeding expects 201), written before the probes
        export = c.post(f"{gw}/api/v1/exports", json={}, headers=a)
        assert export.status_code == 202, export.text
        objects["exports"] = export.json()["id"]
        secrets.add(export.json()["id"])
        assert eventually(lambda: c.get(f"{gw}/api/v1/exports/{objects['exports']}", headers=a).json()["status"]
                          == "succeeded", timeout=60)
        for key, made in (("protocols", protocol), ("visits", visit), ("records", record),
                          ("calibration-sessions", calibration)):
            objects[key] = made["id"]
            secrets.update(harvest(made, objects))
        # a person invited to sign in (gateway's people admin)
        invited = c.post(f"{gw}/api/v1/admin/people", headers=a, json={
            "email": "secret.person@tenant-a.example", "role": "observer", "display_name": "Secret Person"})
        assert invited.status_code == 201, invited.text
        objects["people"] = invited.json()["id"]
        secrets |= {invited.json()["id"], "secret.person@tenant-a.example"}
        objects["observers"] = educator["id"]
        objects["elsewhere"] = other_school["id"]
        objects["placement"] = placement["id"]
        school_bound |= {"visits", "records", "classrooms", "notes"}
        secrets |= {protocol["id"], visit["id"], record["id"], calibration["id"], "A secret note", "A problem"}
        school_secrets |= {visit["id"], record["id"], "A secret note", "A problem"}

        # Tenant A's objects for every other collection the document can create (until nothing new comes).
        seed_errors: dict[str, str] = {}
        for _round in range(6):
            grew = False
            for path, method, op in operations(doc):
                collection = creates(op) if method == "post" and path.startswith("/api/v1/") else None
                segment = path.rstrip("/").rsplit("/", 1)[-1]
                if collection is None or "/admin/" in path or (collection in objects and segment in objects):
                    continue
                target = path_values(path, op, components, objects)
                if target is None:
                    continue
                url, named = target
                schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                body, filled = with_references(request_body(op, components), schema, components, objects)
                if isinstance(body, dict):
                    for field, value in SEED_OVERRIDES.get(path, {}).items():
                        body[field] = objects.get(value[1:]) if isinstance(value, str) and value[:1] == "@" else value
                r = c.post(f"{gw}{url}", json=body, headers=a)
                new = created_id(r.json()) if r.status_code in (200, 201) else None
                if not new:
                    seed_errors[collection] = f"POST {path} answered {r.status_code}: {r.text[:160]}"
                else:
                    seed_errors.pop(collection, None)
                    bound = {collection_of(f.split(".")[-1].split("[")[0]) for f in filled} | set(named)
                    for key in {collection, segment}:
                        objects.setdefault(key, new)
                        if bound & school_bound:
                            school_bound.add(key)
                    secrets.add(new)
                    secrets.update(harvest(r.json(), objects))
                    if bound & school_bound:
                        school_secrets.add(new)
                    grew = True
            if not grew:
                break

        def self_control(path: str, url: str) -> dict[str, str] | None:
            """Figures about a person are read only by that person: tenant A's control is the person's token."""
            if path not in READ_BY_THE_PERSON_ONLY:
                return None
            person = url.split("/")[READ_BY_THE_PERSON_ONLY[path]]
            return bearer(token_for("tenant-a", ALL, subject=person))

        checked: list[str] = []
        unchecked: list[str] = []
        for path, method, op in operations(doc):
            label = f"{method.upper()} {path}"
            target = path_values(path, op, components, objects)
            if target is None:
                why = "; ".join(e for k, e in seed_errors.items() if k in path) or f"known: {sorted(objects)}"
                unchecked.append(f"{label}: tenant A has no object for its path ({why})")
                continue
            url, named = target
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body, filled = with_references(request_body(op, components), schema, components, objects)
            kw: dict[str, Any] = {"json": body} if schema else {}

            def call(who: dict[str, str], u: str = url, m: str = method, k: dict[str, Any] = kw) -> httpx.Response:
                return c.request(m.upper(), f"{gw}{u}", headers={**who, "If-Match": '"1"'}, **k)

            foreign, school_limited = call(b), call(limited)
            control = call(self_control(path, url) or a)
            wrong: list[str] = []
            for who, r in (("tenant B", foreign), ("school-limited", school_limited), ("tenant A", control)):
                if r.status_code >= 500:
                    wrong.append(f"{who} got {r.status_code}: {r.text[:300]}")
            echoed = {x for x in secrets if x in url}
            if path.startswith(PUBLIC_DOCUMENTS):
                echoed = set(secrets)
            if any(x in foreign.text for x in secrets - echoed):
                wrong.append("leaked tenant A's data to tenant B")
            if any(x in school_limited.text for x in school_secrets - echoed):
                wrong.append("leaked another school's data to a school-limited token")
            refs_school = {collection_of(f.split(".")[-1].split("[")[0]) for f in filled} & school_bound
            if named or filled:
                if 200 <= foreign.status_code < 300:
                    wrong.append(f"tenant B succeeded ({foreign.status_code}) on A's ids")
                elif named and foreign.status_code not in (403, 404):
                    wrong.append(f"tenant B got {foreign.status_code} on A's object, not 403/404")
                elif not named and not refused_on(foreign, filled):
                    wrong.append(f"tenant B not refused on {filled}: {foreign.status_code} {foreign.text[:200]}")
                # a read of another school's object is not found; a change may be refused on any ground
                refusals = (403, 404) if method in ("get", "head", "delete") else (403, 404, 409, 412, 422, 428)
                if set(named) & school_bound and school_limited.status_code not in refusals:
                    wrong.append(f"school-limited token got {school_limited.status_code} on another school's object")
                elif refs_school and 200 <= school_limited.status_code < 300:
                    wrong.append("school-limited token succeeded referencing another school's objects")
                # the control: tenant A is not refused on the same ids
                if control.status_code in (401, 403, 404) or (filled and not named and control.status_code == 422
                                                              and refused_on(control, filled)):
                    wrong.append(f"no positive control: tenant A got {control.status_code}: {control.text[:200]}")
            if wrong:
                unchecked += [f"{label}: {w}" for w in wrong]
            else:
                checked.append(label)
        total = len(operations(doc))
        print(f"isolation matrix: {len(checked)} of {total} operations checked with tenant B's token, a "
              f"school-limited token and tenant A's control; {len(objects)} kinds of tenant-A objects")
        assert len(checked) == total, f"{total - len(checked)} operations unchecked:\n" + "\n".join(unchecked)

        # and tenant A's objects B touched are untouched
        assert c.get(f"{gw}/api/v1/admin/clients/{client['client_id']}", headers=b).status_code == 404
