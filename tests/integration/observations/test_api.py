"""observations' API on a real PostgreSQL: protocol versions, bad input writes nothing, calibration, lexicons."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.settings import asyncpg_dsn
from tests.conftest import build_component, new_database

SCOPES = ["observations:read", "observations:write"]
LOOK_FORS = [{"code": "T1", "description": "Open questions", "domain": "teacher"},
             {"code": "S1", "description": "Students explain", "domain": "students"}]


class Obs:
    def __init__(self, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.client, self.url, self.make_token = client, url, make_token
        self.school, self.educators = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
        self.foreign_educator = uuid.uuid4()

    def auth(self, tenant: str = "district-a") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, SCOPES)}"}

    async def sql(self, query: str, *args: Any) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    async def seed_directory(self) -> None:
        """What the directory consumer writes from hr's events."""
        await self.sql("INSERT INTO school_directory (tenant_id, school_id, name, version) VALUES ($1, $2, 'H', 1)",
                       "district-a", self.school)
        for tenant, educator in [("district-a", e) for e in self.educators] + [("district-b", self.foreign_educator)]:
            await self.sql("INSERT INTO educator_directory (tenant_id, educator_id, school_id, career_stage, version) "
                           "VALUES ($1, $2, NULL, 'teacher_leader', 1)", tenant, educator)

    async def protocol(self) -> dict[str, Any]:
        r = await self.client.post("/protocols", json={"name": "Rounds", "look_fors": LOOK_FORS}, headers=self.auth())
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def visit_body(self, version: str, **overrides: Any) -> dict[str, Any]:
        return {"school_id": str(self.school), "visit_date": "2026-11-24", "protocol_version_id": version,
                "problem_of_practice": "Explaining reasoning", "observer_ids": [str(e) for e in self.educators[:2]],
                "classrooms": [{"grade": "3", "subject": "math", "room": "12"}], **overrides}


@pytest.fixture
async def obs(pg_server: str, keys_dir: Any, make_token: Callable[..., str],
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Obs]:
    url = await new_database(pg_server, "obs", service="observations")
    app = build_component("observations", pg_server, url, keys_dir)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://obs") as client:
            o = Obs(client, url, make_token)
            await o.seed_directory()
            yield o


async def test_a_new_protocol_version_leaves_old_records_alone(obs: Obs) -> None:
    protocol = await obs.protocol()
    v1 = protocol["versions"][0]["id"]
    visit = (await obs.client.post("/visits", json=obs.visit_body(v1), headers=obs.auth())).json()
    record = await obs.client.post(f"/visits/{visit['id']}/records", headers=obs.auth(), json={
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]),
        "notes": [{"observed_at": "2026-11-24T09:00:00Z", "text": "Student explains", "look_for_codes": ["S1"]}]})
    assert record.status_code == 201
    v2 = await obs.client.post(f"/protocols/{protocol['id']}/versions", headers=obs.auth(), json={
        "look_fors": [{"code": "E1", "description": "Anchor charts", "domain": "environment"}]})
    assert [v["number"] for v in v2.json()["versions"]] == [1, 2]
    assert v2.json()["versions"][0]["look_fors"] == LOOK_FORS
    # the visit still pins version 1: S1 is still a look-for there, E1 is not
    bad = await obs.client.patch(f"/records/{record.json()['id']}", headers={**obs.auth(), "If-Match": '"1"'}, json={
        "notes": [{"observed_at": "2026-11-24T09:01:00Z", "text": "Chart on wall", "look_for_codes": ["E1"]}]})
    assert bad.status_code == 422


BAD_VISITS = [
    ("observer from another tenant", {"observer_ids": ["FOREIGN"]}, "observer_ids[0]"),
    ("unknown school", {"school_id": str(uuid.uuid4())}, "school_id"),
    ("teacher from another tenant", {"classrooms": [{"grade": "3", "subject": "m", "room": "1",
                                                     "teacher_id": "FOREIGN"}]}, "classrooms[0].teacher_id"),
    ("no classrooms", {"classrooms": []}, "classrooms"),
    ("unknown protocol version", {"protocol_version_id": str(uuid.uuid4())}, "protocol_version_id"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_VISITS, ids=[c[0] for c in BAD_VISITS])
async def test_bad_visits_name_the_field_and_write_nothing(obs: Obs, case: str, overrides: dict[str, Any],
                                                           field: str) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    body = obs.visit_body(version, **overrides)
    body = {k: ([str(obs.foreign_educator) if x == "FOREIGN" else x for x in v] if k == "observer_ids" else v)
            for k, v in body.items()}
    for room in body["classrooms"]:
        if room.get("teacher_id") == "FOREIGN":
            room["teacher_id"] = str(obs.foreign_educator)
    r = await obs.client.post("/visits", json=body, headers=obs.auth())
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert await obs.sql("SELECT count(*) FROM visits") == 0
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'observations.visit'") == 0


async def test_calibration_through_the_api(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    session = await obs.client.post("/calibration-sessions", json={"protocol_version_id": version,
                                                                   "items": ["seg 1", "seg 2"]}, headers=obs.auth())
    assert session.status_code == 201
    sid = session.json()["id"]
    codings = [{"seg 1": ["T1"], "seg 2": ["S1"]}, {"seg 1": ["T1"], "seg 2": ["S1"]}, {"seg 1": ["T1"], "seg 2": []}]
    for educator, codes in zip(obs.educators, codings, strict=True):
        r = await obs.client.post(f"/calibration-sessions/{sid}/codings", headers=obs.auth(),
                                  json={"observer_id": str(educator), "codes": codes})
        assert r.status_code == 200, r.text
    result = (await obs.client.get(f"/calibration-sessions/{sid}", headers=obs.auth())).json()
    by_code = {a["code"]: a for a in result["look_fors"]}
    assert by_code["T1"]["percent_agreement"] == 1.0 and by_code["T1"]["method"] == "fleiss"
    assert by_code["S1"]["percent_agreement"] == pytest.approx((1 / 3 + 1) / 2)
    assert result["observer_agreement"][str(obs.educators[2])] < 1.0
    unknown = await obs.client.post(f"/calibration-sessions/{sid}/codings", headers=obs.auth(),
                                    json={"observer_id": str(obs.educators[0]), "codes": {"seg 9": ["Z"]}})
    assert unknown.status_code == 422
    assert (await obs.client.get(f"/calibration-sessions/{sid}", headers=obs.auth("district-b"))).status_code == 404


async def test_a_tenant_lexicon_changes_verdicts(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    visit = (await obs.client.post("/visits", json=obs.visit_body(version), headers=obs.auth())).json()
    note = {"observed_at": "2026-11-24T09:00:00Z", "text": "El ritmo fue lento", "look_for_codes": [],
            "language": "es"}
    r = await obs.client.post(f"/visits/{visit['id']}/records", headers=obs.auth(), json={
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]), "notes": [note]})
    assert r.json()["notes"][0]["descriptive"] is True
    put = await obs.client.put("/lexicons/es", json={"judgement": ["lento"]}, headers=obs.auth())
    assert put.status_code == 204
    again = await obs.client.patch(f"/records/{r.json()['id']}", headers={**obs.auth(), "If-Match": '"1"'},
                                   json={"notes": [note]})
    assert again.json()["notes"][0]["descriptive"] is False
    assert again.json()["notes"][0]["flags"][0]["term"] == "lento"
