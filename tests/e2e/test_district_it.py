"""District IT on the running platform, through the gateway: a sync client that follows the change queries
(the worker numbers changes), and the full tenant export: one call, a job in the gateway's worker reading
every service, a zip with a manifest; personal data only when asked for, and then in the audit trail."""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

import httpx

from improvenet.launcher import Platform
from tests.data.hr.sets import oneroster, zipped
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import eventually

LOOK_FORS = [{"code": "T1", "description": "Open questions", "domain": "teacher"}]


def finished(api: httpx.Client, location: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(location.removeprefix("/api/v1")).json()
        if job["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return job  # type: ignore[no-any-return]
        time.sleep(0.2)


def archive_of(api: httpx.Client, job: dict[str, Any]) -> dict[str, bytes]:
    r = api.get(job["download"].removeprefix("/api/v1"))
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip", r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rows(files: dict[str, bytes], path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files[path].decode().splitlines()]


def every(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = api.get(path, params={**params, "page_size": 2, **({"page_token": token} if token else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not (token := page.json()["next_page_token"]):
            return items


def newest(api: httpx.Client, service: str) -> int:
    r = api.get(f"/{service}/available-change-versions")
    assert r.status_code == 200, r.text
    return int(r.json()["newest_change_version"])


def test_a_sync_client_follows_every_services_changes_and_deletes(platform: Platform,
                                                                   token_for: Callable[..., str]) -> None:
    with outside_client() as api:  # a district of its own: the export tests below count the rows they wrote
        api.base_url = httpx.URL(platform.gateway_url + "/api/v1")
        api.headers["Authorization"] = f"Bearer {token_for('sync-district')}"
        sync_every_service(api)


def sync_every_service(api: httpx.Client) -> None:
    school = api.post("/hr/schools", json={"name": "Cedar Ridge", "sourced_id": "s-cedar"}).json()["id"]
    people = [api.post("/hr/educators", json={"given_name": f"T{i}", "family_name": "Sync", "school_id": school,
                                              "staff_unique_id": f"SYNC-{i}"}).json() for i in range(3)]
    protocol = api.post("/observations/protocols", json={"name": "Sync rounds", "look_fors": LOOK_FORS}).json()
    # 1. the first sync: note N once the worker has numbered everything (within a second or so), load up to it
    def numbered() -> dict[str, int] | None:
        versions = {s: newest(api, s) for s in ("hr", "observations")}
        loaded = {e["id"] for e in every(api, "/hr/educators", max_change_version=versions["hr"])}
        return versions if {p["id"] for p in people} <= loaded and versions["observations"] > 0 else None

    first = eventually(numbered, timeout=30)
    assert first, "the worker did not number the new educators"
    assert protocol["id"] in {p["id"] for p in api.get("/observations/protocols").json()}

    # 2. one educator changed, one deleted: the next sync gets exactly those
    changed, deleted = people[0], people[1]
    assert api.patch(f"/hr/educators/{changed['id']}", json={"position": "Coach"},
                     headers={"If-Match": f'"{changed["version"]}"'}).status_code == 200
    assert api.delete(f"/hr/educators/{deleted['id']}").status_code == 204

    def both_numbered() -> int | None:
        version = newest(api, "hr")
        if version <= first["hr"]:
            return None
        window = {"min_change_version": first["hr"] + 1, "max_change_version": version}
        seen = every(api, "/hr/educators", **window) and every(api, "/hr/educators/deletes", **window)
        return version if seen else None

    second = eventually(both_numbered, timeout=30)
    assert second, "the worker did not number the change and the delete"
    window = {"min_change_version": first["hr"] + 1, "max_change_version": second}
    assert [e["id"] for e in every(api, "/hr/educators", **window)] == [changed["id"]]
    tombstones = every(api, "/hr/educators/deletes", **window)
    assert [(t["id"], t["external_ids"]) for t in tombstones] == [(deleted["id"], {"staff_unique_id": "SYNC-1"})]

    # 3. the sync after that: nothing, on every service
    for service, resource in (("hr", "educators"), ("observations", "visits"), ("networks", "networks"),
                              ("strategy", "plans")):
        since = {"min_change_version": newest(api, service) + 1}
        assert every(api, f"/{service}/{resource}", **since) == []
        assert every(api, f"/{service}/{resource}/deletes", **since) == []


def test_a_tenant_exports_everything_it_holds_and_nothing_of_anyone_else(
        platform: Platform, api: httpx.Client, token_for: Callable[..., str]) -> None:
    school = api.post("/hr/schools", json={"name": "Alder Creek", "ed_fi_id": "255901001"}).json()["id"]
    people = [api.post("/hr/educators", json={"given_name": f"Amara{i}", "family_name": "Okafor",
                                              "email": f"amara{i}@example.org", "school_id": school}).json()["id"]
              for i in range(2)]
    protocol = api.post("/observations/protocols", json={"name": "Math rounds", "look_fors": LOOK_FORS})
    assert protocol.status_code == 201, protocol.text
    other = {"Authorization": f"Bearer {token_for('elsewhere')}"}
    assert api.post("/hr/schools", json={"name": "Somebody Else's School"}, headers=other).status_code == 201

    started = api.post("/exports", json={})
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued" and started.json()["download"] is None
    job = finished(api, started.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    files = archive_of(api, job)

    manifest = json.loads(files["manifest.json"])
    assert manifest["tenant"] == "hamilton" and manifest["personal_data"] is False
    assert {f["service"] for f in manifest["files"]} == {"hr", "observations", "networks", "strategy"}
    for f in manifest["files"]:  # the manifest tells the truth about every file
        assert hashlib.sha256(files[f["path"]]).hexdigest() == f["sha256"]
        assert len(files[f["path"]].splitlines()) == f["rows"]
    assert set(files) == {"manifest.json", *(f["path"] for f in manifest["files"])}
    assert job["files"] == manifest["files"]

    educators = rows(files, "hr/educator.jsonl")
    assert sorted(e["id"] for e in educators) == sorted(people)
    assert all("given_name" not in e and "email" not in e for e in educators)
    assert [p["name"] for p in rows(files, "observations/protocols.jsonl")] == ["Math rounds"]
    assert [s["name"] for s in rows(files, "hr/school.jsonl")] == ["Alder Creek"]
    everything = b"".join(files.values())
    assert b"Somebody Else" not in everything and b"elsewhere" not in everything and b"Amara" not in everything

    # another tenant cannot see the job or its archive; a school-limited admin cannot start one
    assert api.get(f"/exports/{job['id']}", headers=other).status_code == 404
    assert api.get(f"/exports/{job['id']}/archive", headers=other).status_code == 404
    limited = {"Authorization": f"Bearer {token_for(schools=[school])}"}
    assert api.post("/exports", json={}, headers=limited).status_code == 403
    assert api.post("/exports", json={"personal": True}).status_code == 422  # a misspelt option is refused
    listed = api.get("/exports", params={"status": "succeeded"}).json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_personal_data_is_exported_only_when_asked_for_and_hr_audits_it(api: httpx.Client) -> None:
    school = api.post("/hr/schools", json={"name": "Birch Hollow"}).json()["id"]
    person = api.post("/hr/educators", json={"given_name": "Kwame", "family_name": "Mensah",
                                             "school_id": school}).json()["id"]
    started = api.post("/exports", json={"personal_data": True})
    assert started.status_code == 202, started.text
    job = finished(api, started.headers["location"])
    assert job["status"] == "succeeded", job["error"]
    files = archive_of(api, job)
    educators = {e["id"]: e for e in rows(files, "hr/educator.jsonl")}
    assert educators[person]["given_name"] == "Kwame" and educators[person]["family_name"] == "Mensah"
    listed = {f["resource"]: f for f in job["files"] if f["service"] == "hr"}
    assert listed["educator"]["personal_fields_included"] == ["given_name", "family_name", "email"]

    def audited() -> bool:
        records = api.get("/audit", params={"object_id": person, "action": "read"}).json()["items"]
        return any(r["object_type"] == "educator" and r["actor"] == job["requested_by"] for r in records)

    assert eventually(audited, timeout=20)


def test_the_sdk_imports_a_oneroster_set_syncs_it_and_exports_it(platform: Platform,
                                                                  token_for: Callable[..., str]) -> None:
    """District IT's routine with the Python SDK (libs/client), through the gateway, in a district of its own."""
    from improvenet_client import Client, ProblemError

    with Client(platform.gateway_url, token=token_for("sdk-district")) as api:
        job = api.import_oneroster(zipped(oneroster("bulk")))
        assert job["status"] == "queued"
        states: list[str] = []
        done = api.wait_for_import(job["id"], timeout=60, poll=0.2, progress=lambda j: states.append(j["status"]))
        assert done["status"] == "succeeded", done["report"]
        assert done["progress"]["written"] > 0 and states[-1] == "succeeded"
        assert [j["id"] for j in api.iter_imports()] == [job["id"]]

        def synced() -> Any:
            versions = api.available_change_versions("hr")
            names = {s["sourced_id"] for s in api.iter_changed("hr", "schools",
                                                               max_change_version=versions["newest_change_version"])}
            return versions if names else None

        versions = eventually(synced, timeout=30)
        assert versions, "the imported schools never entered the change queries"
        educators = list(api.iter_changed("hr", "educators", max_change_version=versions["newest_change_version"]))
        assert educators and all(e["sourced_id"] for e in educators)
        after = versions["newest_change_version"] + 1
        assert list(api.iter_changed("hr", "educators", min_change_version=after)) == []
        assert list(api.iter_deleted("hr", "educators", min_change_version=after)) == []
        assert list(api.iter_changed("observations", "protocols", min_change_version=after)) == []

        export = api.start_export()
        finished_export = api.wait_for_export(export["id"], timeout=60, poll=0.2)
        assert finished_export["status"] == "succeeded", finished_export["error"]
        with zipfile.ZipFile(io.BytesIO(api.download_export(export["id"]))) as z:
            exported = [json.loads(line) for line in z.read("hr/educator.jsonl").splitlines()]
        assert sorted(e["id"] for e in exported) == sorted(e["id"] for e in educators)
        missing = "00000000-0000-4000-8000-000000000009"
        try:
            api.download_export(missing)
            raise AssertionError("an unknown export downloaded")
        except ProblemError as problem:
            assert problem.status == 404
