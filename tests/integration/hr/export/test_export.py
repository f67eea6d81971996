"""hr's part of the tenant export (libs/common/export.py) on a real PostgreSQL: every tenant table as JSON
lines, personal data only with hr:pii and then audited, nothing of another tenant's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.change_queries import Sync, sync_client

READER = ["hr:read", "hr:write"]


@pytest.fixture
async def hr(hr_database: str, pg_server: str, keys_dir: Path, make_token: Callable[..., str]
             ) -> AsyncIterator[Sync]:
    async with sync_client("hr", pg_server, hr_database, keys_dir, make_token, [], READER) as client:
        yield client


def lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines()]


async def audited(hr: Sync) -> int:
    async with hr.app.state.engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM outbox WHERE type LIKE '%personal-data.accessed'")))


async def test_every_resource_streams_as_json_lines_without_personal_data_unless_hr_pii(hr: Sync) -> None:
    school = await hr.create("/schools", {"name": "Alder Creek", "ed_fi_id": "255901001"})
    people = [await hr.create("/educators", {"given_name": f"Ada{i}", "family_name": "Okafor",
                                             "school_id": school["id"], "email": f"ada{i}@example.org"})
              for i in range(3)]
    await hr.create("/schools", {"name": "Elsewhere"}, headers=hr.auth("district-b"))

    index = await hr.client.get("/export", headers=hr.headers)
    assert index.status_code == 200, index.text
    resources = {r["name"]: r for r in index.json()["resources"]}
    assert resources["educator"]["rows"] == 3 and resources["school"]["rows"] == 1
    assert resources["educator"]["personal_fields"] == ["given_name", "family_name", "email"]
    assert not resources["educator"]["personal_included"]
    assert {"import_upload", "change_tombstone", "change_horizon"}.isdisjoint(resources)
    assert {"district", "application", "stage_transition", "mentorship", "import_job"} <= set(resources)

    before = await audited(hr)
    plain = await hr.client.get("/export/educator", headers=hr.headers)
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("application/x-ndjson")
    rows = lines(plain.content)
    assert sorted(r["id"] for r in rows) == sorted(p["id"] for p in people)
    assert all("given_name" not in r and "email" not in r and r["school_id"] == school["id"] for r in rows)
    assert all(r["tenant_id"] == "district-a" for r in rows)
    assert await audited(hr) == before  # no personal data left, nothing to audit

    with_pii = {"Authorization": f"Bearer {hr.make_token('district-a', [*READER, 'hr:pii'])}"}
    personal = await hr.client.get("/export/educator", headers=with_pii)
    named = lines(personal.content)
    assert sorted(r["given_name"] for r in named) == ["Ada0", "Ada1", "Ada2"]
    assert await audited(hr) == before + 1

    schools = lines((await hr.client.get("/export/school", headers=hr.headers)).content)
    assert [s["name"] for s in schools] == ["Alder Creek"]  # district-b's school is not here


async def test_an_export_is_refused_to_school_limited_tokens_and_names_what_exists(hr: Sync) -> None:
    school = await hr.create("/schools", {"name": "Birch Hollow"})
    limited = hr.auth(schools=[school["id"]])
    for path in ("/export", "/export/educator"):
        r = await hr.client.get(path, headers=limited)
        assert r.status_code == 403 and "not limited to some schools" in r.json()["detail"]
    for hidden in ("import_upload", "change_tombstone", "nothing"):
        r = await hr.client.get(f"/export/{hidden}", headers=hr.headers)
        assert r.status_code == 404 and "GET /export lists them" in r.json()["detail"]
    none = await hr.client.get("/export/educator", headers=hr.headers)
    assert none.status_code == 200 and none.content == b""
