"""The full tenant export on the running platform: one call, a job in the gateway's worker reading every
service, a zip with a manifest; personal data only when asked for, and then in hr's audit trail."""

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
