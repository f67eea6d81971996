"""OneRoster 1.2 CSV imports as jobs on PostgreSQL: a bulk set then a delta set, each defect reported with
nothing written, a re-import that changes nothing, job listing and tenancy, and a job interrupted mid-apply."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from libs.common.db import ensure_database
from libs.common.settings import ServiceSettings, database_url_for
from libs.common.worker import run_worker
from services.hr.handlers import CONSUMERS
from services.hr.imports import service
from services.hr.worker import import_jobs
from tests.data.hr import sets
from tests.integration.hr.imports.conftest import Imports

BULK, DELTA = sets.oneroster("bulk"), sets.oneroster("delta")
KINDS = ("district", "school", "educator", "outbox")


async def one(imports: Imports, path: str, **query: str) -> Any:
    items = (await imports.api.ok("GET", path + "?" + "&".join(f"{k}={v}" for k, v in query.items())))["items"]
    assert len(items) <= 1, items
    return items[0] if items else None


async def counts(imports: Imports) -> dict[str, int]:
    return {k: await imports.api.count(k) for k in KINDS}


async def test_a_bulk_set_then_a_delta_set(imports: Imports) -> None:
    submitted = await imports.submit("oneroster", sets.zipped(BULK))
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert submitted.headers["location"] == f"/imports/{job['id']}"
    assert job["status"] == "queued" and job["progress"] == {"read": 0, "written": 0, "unchanged": 0, "failed": 0}
    assert await imports.run_all() == 1
    done = await imports.job(job["id"])
    assert done["status"] == "succeeded", done["report"]
    assert done["progress"] == {"read": 19, "written": 7, "unchanged": 0, "failed": 0}
    assert done["report"]["outcomes"]["educators"]["created"] == 4 and done["report"]["ignored"] == 7

    district = await one(imports, "/districts", sourced_id="dist-1")
    hamilton = await one(imports, "/schools", sourced_id="sch-1")
    assert district["name"] == "North District" and hamilton["district_id"] == district["id"]
    maria = await one(imports, "/educators", sourced_id="t-1")
    assert (maria["given_name"], maria["school_id"], maria["career_stage"]) == ("Maria", hamilton["id"],
                                                                                 "novice_teacher")
    principal = await one(imports, "/educators", sourced_id="p-1")
    assert principal["career_stage"] == "principal"  # the role's classification, through the tenant's ladder
    admin = await one(imports, "/educators", sourced_id="da-1")
    assert admin["school_id"] is None and admin["career_stage"] == "system_leader"  # a district-level role
    assert await one(imports, "/educators", sourced_id="s-1") is None  # students are never stored
    assert await imports.api.count("educator") == 4
    assert await imports.api.scalar("SELECT count(*) FROM import_upload WHERE content IS NOT NULL") == 0
    types = sorted(e["type"].removeprefix("org.improvenet.hr.") for e in await imports.api.events())
    assert types == ["district.registered"] + ["educator.registered"] * 4 + ["school.registered"] * 2

    delta = await imports.run("oneroster", sets.zipped(DELTA))
    assert delta["status"] == "succeeded", delta["report"]
    assert delta["report"]["outcomes"]["educators"] == {"created": 1, "updated": 1, "unchanged": 0, "removed": 1,
                                                        "stale": 0}
    assert delta["report"]["outcomes"]["schools"]["removed"] == 1
    renamed = await one(imports, "/educators", sourced_id="t-1")
    assert renamed["family_name"] == "Santos-Reyes" and renamed["school_id"] == hamilton["id"]  # school kept
    douglass = await one(imports, "/schools", sourced_id="sch-3")
    assert (await one(imports, "/educators", sourced_id="t-3"))["school_id"] == douglass["id"]
    assert await one(imports, "/educators", sourced_id="t-2") is None  # tobedeleted: removed
    assert await one(imports, "/schools", sourced_id="sch-2") is None
    assert await one(imports, "/educators", sourced_id="s-2") is None
    later = [e["type"].removeprefix("org.improvenet.hr.") for e in await imports.api.events()][7:]
    assert sorted(later) == ["educator.registered", "educator.removed", "educator.updated",
                             "school.registered", "school.removed"]


async def test_importing_the_same_set_twice_changes_nothing(imports: Imports) -> None:
    for files, written in ((BULK, 7), (DELTA, 5)):
        first = await imports.run("oneroster", sets.zipped(files))
        assert first["status"] == "succeeded" and first["progress"]["written"] == written, first
        before = await counts(imports)
        again = await imports.run("oneroster", sets.zipped(files))
        assert again["status"] == "succeeded", again["report"]
        assert again["progress"]["written"] == 0 and again["progress"]["unchanged"] > 0, again["progress"]
        assert await counts(imports) == before  # no row, no event


DEFECTS = [
    ("header typo", sets.with_cell(BULK, "users.csv", 1, "givenName", "givnName"),
     {"file": "users.csv", "line": 1, "column": "givnName", "value": "givnName",
      "expected": "a OneRoster 1.2 column of users.csv (did you mean 'givenName'?)"}),
    ("unknown enumeration value", sets.with_cell(BULK, "orgs.csv", 3, "type", "campus"),
     {"file": "orgs.csv", "line": 3, "column": "type", "value": "campus",
      "expected": "one of department, district, local, national, school, state (or ext:...)"}),
    ("dangling parentSourcedId", sets.with_cell(BULK, "orgs.csv", 4, "parentSourcedId", "dist-9"),
     {"file": "orgs.csv", "line": 4, "column": "parentSourcedId", "value": "dist-9",
      "expected": "the sourcedId of an org in orgs.csv or one hr already holds"}),
    ("non-ISO date", sets.with_cell(BULK, "roles.csv", 2, "beginDate", "8/20/2024"),
     {"file": "roles.csv", "line": 2, "column": "beginDate", "value": "8/20/2024",
      "expected": "an ISO 8601 date, YYYY-MM-DD"}),
    ("status the mode does not allow", sets.with_cell(BULK, "orgs.csv", 4, "status", "tobedeleted"),
     {"file": "orgs.csv", "line": 4, "column": "status", "value": "tobedeleted",
      "expected": "blank or active: a bulk file is the whole set (removals go in a delta file)"}),
]


@pytest.mark.parametrize(("defect", "files", "report"), DEFECTS, ids=[d[0] for d in DEFECTS])
async def test_each_defect_gives_its_report_and_nothing_is_written(imports: Imports, defect: str,
                                                                   files: dict[str, str],
                                                                   report: dict[str, Any]) -> None:
    job = await imports.run("oneroster", sets.zipped(files))
    assert job["status"] == "failed"
    assert job["report"]["issues"] == [report] and job["report"]["issue_count"] == 1
    assert job["progress"]["written"] == 0 and job["progress"]["failed"] == 1  # lines with an issue
    assert await counts(imports) == dict.fromkeys(KINDS, 0)


async def test_a_defect_in_a_delta_set_writes_nothing_of_it(imports: Imports) -> None:
    await imports.run("oneroster", sets.zipped(BULK))
    before = await counts(imports)
    bad = sets.with_cell(DELTA, "users.csv", 4, "dateLastModified", "2026-09-02")  # a date, not a date-time
    job = await imports.run("oneroster", sets.zipped(bad))
    assert job["status"] == "failed"
    assert [(i["file"], i["line"], i["column"], i["value"]) for i in job["report"]["issues"]] == [
        ("users.csv", 4, "dateLastModified", "2026-09-02")]
    assert await counts(imports) == before
    assert (await one(imports, "/educators", sourced_id="t-1"))["family_name"] == "Santos"  # line 2 not applied


async def test_a_personal_value_in_a_report_needs_hr_pii(imports: Imports) -> None:
    job = await imports.run("oneroster", sets.zipped(sets.with_cell(BULK, "users.csv", 2, "email", "maria-at-north")))
    assert job["report"]["issues"][0]["value"] == "maria-at-north"  # the fixture's token has hr:pii
    plain = await imports.job(job["id"], scopes=["hr:read"])
    assert plain["report"]["issues"][0]["value"] == "[personal data: hr:pii]"


async def test_jobs_are_listed_newest_first_paginated_and_tenant_scoped(imports: Imports) -> None:
    ids = []
    for _ in range(3):
        r = await imports.submit("oneroster", sets.zipped(BULK))
        ids.append(r.json()["id"])
    first = await imports.api.ok("GET", "/imports?page_size=2")
    assert [j["id"] for j in first["items"]] == ids[::-1][:2] and first["next_page_token"]
    rest = await imports.api.ok("GET", f"/imports?page_size=2&page_token={first['next_page_token']}")
    assert [j["id"] for j in rest["items"]] == ids[:1] and rest["next_page_token"] is None
    await imports.run_all()
    done = await imports.api.ok("GET", "/imports?status=succeeded&format=oneroster")
    assert len(done["items"]) == 3
    assert (await imports.api.ok("GET", "/imports", tenant="district-b"))["items"] == []
    other = await imports.api.get(f"/imports/{ids[0]}", tenant="district-b")
    assert other.status_code == 404 and other.headers["content-type"] == "application/problem+json"


async def test_submitting_needs_hr_write_and_a_readable_zip(imports: Imports) -> None:
    reader = await imports.submit("oneroster", sets.zipped(BULK), scopes=["hr:read"])
    assert reader.status_code == 403
    not_zip = await imports.submit("oneroster", b"propertyName,value\n")
    assert not_zip.status_code == 422 and not_zip.json()["errors"][0]["field"] == "file"
    wrong_type = await imports.api.client.post("/imports/oneroster", content=b"x",
                                               headers={**imports.api.auth(), "Content-Type": "text/csv"})
    assert wrong_type.status_code == 415
    form = await imports.api.client.post("/imports/oneroster", headers=imports.api.auth(),
                                         files={"file": ("roster.zip", sets.zipped(BULK), "application/zip")})
    assert form.status_code == 202, form.text
    school_scoped = await imports.api.client.post(
        "/imports/oneroster", content=sets.zipped(BULK),
        headers={**imports.api.auth(schools=[str(uuid.uuid4())]), "Content-Type": "application/zip"})
    assert school_scoped.status_code == 403  # an import changes the district's directory, not one school's
    assert await imports.api.count("import_job") == 1


async def test_a_job_interrupted_mid_apply_leaves_nothing_and_runs_again(imports: Imports,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real_apply = service.apply

    async def killed(*args: Any, **kwargs: Any) -> Any:
        await real_apply(*args, **kwargs)  # every row written and every event recorded, uncommitted
        raise asyncio.CancelledError  # what a worker stopped mid-job sees

    monkeypatch.setattr(service, "apply", killed)
    job = (await imports.submit("oneroster", sets.zipped(BULK))).json()
    with pytest.raises(asyncio.CancelledError):
        await imports.run_all()
    interrupted = await imports.job(job["id"])
    assert interrupted["status"] == "applying" and interrupted["attempts"] == 1
    assert await counts(imports) == dict.fromkeys(KINDS, 0)  # never half-applied
    await imports.runner._drop_holder()  # the dead process's connection: its lock goes with it

    monkeypatch.setattr(service, "apply", real_apply)
    assert await imports.run_all() == 1  # the restarted worker resumes it from the start
    resumed = await imports.job(job["id"])
    assert resumed["status"] == "succeeded" and resumed["attempts"] == 2
    assert resumed["progress"] == {"read": 19, "written": 7, "unchanged": 0, "failed": 0}
    assert await imports.api.count("educator") == 4 and len(await imports.api.events()) == 7  # events once


async def test_a_job_interrupted_too_often_fails_cleanly(imports: Imports) -> None:
    job = (await imports.submit("oneroster", sets.zipped(BULK))).json()
    await imports.api.scalar(f"UPDATE import_job SET status = 'applying', attempts = 3 WHERE id = '{job['id']}'")
    assert await imports.run_all() == 1
    failed = await imports.job(job["id"])
    assert failed["status"] == "failed" and "interrupted 3 times" in failed["report"]["error"]
    assert failed["progress"]["written"] == 0 and failed["finished_at"] is not None
    assert await counts(imports) == dict.fromkeys(KINDS, 0)
    assert await imports.api.scalar("SELECT count(*) FROM import_upload WHERE content IS NOT NULL") == 0
    assert await imports.run_all() == 0  # an ended job is never taken again


async def test_the_hr_worker_resumes_a_job_a_restart_left_applying(imports: Imports, pg_server: str) -> None:
    job = (await imports.submit("oneroster", sets.zipped(BULK))).json()
    await imports.api.scalar(f"UPDATE import_job SET status = 'applying', attempts = 1 WHERE id = '{job['id']}'")
    bus = f"bus_{uuid.uuid4().hex[:10]}"
    await ensure_database(pg_server, bus)
    settings = ServiceSettings(service="hr", database_url=pg_server, own_database_url=imports.api.url,
                               bus="postgres", bus_database_url=database_url_for(pg_server, bus), log_json=False)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(settings, CONSUMERS, stop, jobs=[import_jobs(settings)]))
    try:
        for _ in range(150):  # bounded: 30 s
            current = await imports.job(job["id"])
            if current["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(0.2)
        assert current["status"] == "succeeded" and current["attempts"] == 2, current
        assert await imports.api.count("educator") == 4
    finally:
        stop.set()
        await asyncio.wait_for(worker, 20)  # a requested stop: no WorkerFailed
