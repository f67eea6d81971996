"""hr's API on a real PostgreSQL: directory CRUD, concurrency, idempotency, tenancy, bulk and bad input."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.db import COPY_FROM, create_engine, session_factory, unit_of_work
from libs.common.outbox import record_events
from libs.common.settings import asyncpg_dsn
from libs.contracts.hr import EducatorRegistered
from services.hr import bulk
from services.hr.educators.service import EDUCATORS
from tests.conftest import build_component

PROBLEM = "application/problem+json"
EDUCATOR_ALL = ["hr:read", "hr:write", "hr:pii"]


class HR:
    def __init__(self, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.client = client
        self.url = url
        self.make_token = make_token

    def auth(self, tenant: str = "district-a", scopes: list[str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, scopes or EDUCATOR_ALL)}"}

    async def post(self, path: str, body: Any, tenant: str = "district-a", **kw: Any) -> httpx.Response:
        headers = {**self.auth(tenant), **kw.pop("headers", {})}
        return await self.client.post(path, json=body, headers=headers, **kw)

    async def school(self, tenant: str = "district-a", **fields: Any) -> dict[str, Any]:
        r = await self.post("/schools", {"name": "Hamilton Elementary", **fields}, tenant)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def count(self, table: str) -> int:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await conn.close()

    async def outbox(self, *, audit: bool = False) -> list[dict[str, Any]]:
        """Domain events (or, with audit=True, the audit events) this test's writes recorded."""
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            rows = await conn.fetch("SELECT type, topic, payload::text, headers::text FROM outbox ORDER BY seq")
            return [dict(r) for r in rows if (r["topic"] == "platform.audit") == audit]
        finally:
            await conn.close()

    async def domain_events(self) -> int:
        return len(await self.outbox())


@pytest.fixture
async def hr(hr_database: str, pg_server: str, keys_dir: Any, make_token: Callable[..., str],
             monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HR]:
    app = build_component("hr", pg_server, hr_database, keys_dir)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
            yield HR(client, hr_database, make_token)


async def test_school_and_educator_lifecycle_with_events_free_of_personal_data(hr: HR) -> None:
    school = await hr.school(sourced_id="sch-1")
    r = await hr.post("/educators", {"given_name": "Ana", "family_name": "Lopez", "email": "ana@example.org",
                                     "school_id": school["id"], "career_stage": "novice_teacher",
                                     "staff_unique_id": "S-1"})
    assert r.status_code == 201, r.text
    assert r.headers["etag"] == '"1"' and r.headers["location"].endswith(r.json()["id"])
    educator = r.json()
    got = await hr.client.get(f"/educators/{educator['id']}", headers=hr.auth())
    assert got.json()["given_name"] == "Ana" and got.headers["etag"] == '"1"'

    patched = await hr.client.patch(f"/educators/{educator['id']}", json={"career_stage": "intermediate_teacher"},
                                    headers={**hr.auth(), "If-Match": '"1"'})
    assert patched.status_code == 200 and patched.json()["version"] == 2 and patched.headers["etag"] == '"2"'
    deleted = await hr.client.delete(f"/educators/{educator['id']}", headers=hr.auth())
    assert deleted.status_code == 204
    assert (await hr.client.get(f"/educators/{educator['id']}", headers=hr.auth())).status_code == 404

    events = await hr.outbox()
    assert [e["type"].rsplit(".", 2)[-2:] for e in events] == [
        ["school", "registered"], ["educator", "registered"], ["educator", "updated"], ["educator", "removed"]]
    audit = [json.loads(e["payload"]) for e in await hr.outbox(audit=True)]
    # personal data created, read (with hr:pii) and deleted; the stage change touched none
    assert [a["action"] for a in audit] == ["create", "read", "delete"]
    assert all(a["object_ids"] == [educator["id"]] and a["object_type"] == "educator" for a in audit)
    for e in events + await hr.outbox(audit=True):
        for personal in ("Ana", "Lopez", "ana@example.org", "S-1"):
            assert personal not in e["payload"] and personal not in e["headers"]


async def test_update_needs_current_etag(hr: HR) -> None:
    school = await hr.school()
    path = f"/schools/{school['id']}"
    missing = await hr.client.patch(path, json={"name": "New"}, headers=hr.auth())
    assert missing.status_code == 428 and missing.headers["content-type"] == PROBLEM
    ok = await hr.client.patch(path, json={"name": "New"}, headers={**hr.auth(), "If-Match": '"1"'})
    assert ok.status_code == 200
    stale = await hr.client.patch(path, json={"name": "Older"}, headers={**hr.auth(), "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.headers["etag"] == '"2"'
    assert (await hr.client.get(path, headers=hr.auth())).json()["name"] == "New"


async def test_idempotency_key_replays_the_first_answer(hr: HR) -> None:
    body = {"given_name": "Ana", "family_name": "Lopez"}
    first = await hr.post("/educators", body, headers={"Idempotency-Key": "load-7"})
    again = await hr.post("/educators", body, headers={"Idempotency-Key": "load-7"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    other = await hr.post("/educators", {**body, "given_name": "Bea"}, headers={"Idempotency-Key": "load-7"})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert await hr.count("educator") == 1
    assert await hr.domain_events() == 1


async def test_tenants_never_meet(hr: HR) -> None:
    school = await hr.school("district-a")
    path = f"/schools/{school['id']}"
    for method in ("GET", "PATCH", "DELETE"):
        r = await hr.client.request(method, path, json={"name": "x"} if method == "PATCH" else None,
                                    headers={**hr.auth("district-b"), "If-Match": '"1"'})
        assert r.status_code == 404, method
        assert "Hamilton" not in r.text
    listed = await hr.client.get("/schools", headers=hr.auth("district-b"))
    assert listed.json()["items"] == []
    foreign = await hr.post("/educators", {"given_name": "A", "family_name": "B", "school_id": school["id"]},
                            "district-b")
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "school_id"
    assert (await hr.client.get(path, headers=hr.auth("district-a"))).json()["name"] == "Hamilton Elementary"


BAD_INPUT = [
    ("malformed JSON", b'{"given_name": "Ana",', 400, "body"),
    ("unknown field", {"given_name": "A", "family_name": "B", "salary": 1}, 422, "salary"),
    ("wrong type", {"given_name": "A", "family_name": "B", "career_stage": 5}, 422, "career_stage"),
    ("not a uuid", {"given_name": "A", "family_name": "B", "school_id": "room-12"}, 422, "school_id"),
    ("missing required", {"given_name": "A"}, 422, "family_name"),
    ("bad email", {"given_name": "A", "family_name": "B", "email": "not-an-email"}, 422, "email"),
    ("unknown school", {"given_name": "A", "family_name": "B", "school_id": str(uuid.uuid4())}, 422, "school_id"),
    ("empty name", {"given_name": " ", "family_name": "B"}, 422, "given_name"),
    ("NUL character", {"given_name": "A\u0000", "family_name": "B"}, 422, "given_name"),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
async def test_bad_input_names_the_field_and_writes_nothing(hr: HR, case: str, body: Any, status: int,
                                                            field: str) -> None:
    headers = {**hr.auth(), "content-type": "application/json"}
    if isinstance(body, bytes):
        r = await hr.client.post("/educators", content=body, headers=headers)
    else:
        r = await hr.client.post("/educators", json=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == status and problem["title"]
    assert field in [e["field"] for e in problem["errors"]]
    assert await hr.count("educator") == 0
    assert await hr.count("outbox") == 0


# Below COPY_FROM a batch is one parameterised statement; from it, COPY into a staging table: both paths.
@pytest.mark.parametrize("size", [50, 3 * COPY_FROM], ids=["statement", "copy"])
async def test_bulk_upsert_by_external_id_is_idempotent(hr: HR, size: int) -> None:
    school = await hr.school()
    items = [{"given_name": f"G{i}", "family_name": f"F{i}", "staff_unique_id": f"S{i}", "school_id": school["id"],
              "career_stage": "novice_teacher"} for i in range(size)]
    first = await hr.post("/educators/bulk", {"items": items})
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["updated"], first.json()["unchanged"]) == (size, 0, 0)
    assert [i["external_id"] for i in first.json()["items"]] == [f"S{i}" for i in range(size)]
    events_after_first = await hr.domain_events()
    assert events_after_first == size + 1  # the school's, and one registered event per educator

    again = await hr.post("/educators/bulk", {"items": items})
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, size)
    assert [i["id"] for i in again.json()["items"]] == [i["id"] for i in first.json()["items"]]
    assert await hr.domain_events() == events_after_first

    items[3]["career_stage"] = "teacher_leader"
    items[7]["family_name"] = "Changed"
    changed = await hr.post("/educators/bulk", {"items": items})
    assert (changed.json()["created"], changed.json()["updated"], changed.json()["unchanged"]) == (0, 2, size - 2)
    assert await hr.domain_events() == events_after_first + 2
    assert await hr.count("educator") == size
    held = await hr.client.get(f"/educators/{first.json()['items'][7]['id']}", headers=hr.auth())
    assert (held.json()["family_name"], held.json()["version"]) == ("Changed", 2)


async def test_copy_batches_in_one_transaction_all_land_or_none(hr_database: str) -> None:
    """An import applies many chunks in one transaction: the staging table holds one chunk at a time, and a
    rollback leaves neither rows nor events (nor a staging table that a later transaction trips on)."""
    engine = create_engine(hr_database)
    factory = session_factory(engine)
    now = datetime.now(UTC)
    chunk = [[(n, {"staff_unique_id": f"T{b}-{n}", "given_name": "G", "family_name": "F",
                   "career_stage": "novice_teacher"}) for n in range(COPY_FROM)] for b in range(3)]
    try:
        with pytest.raises(RuntimeError):
            async with unit_of_work(factory) as session:
                await bulk.upsert(session, EDUCATORS, "district-a", "staff_unique_id", [((), chunk[0])], now)
                raise RuntimeError("the import fails half way")
        async with unit_of_work(factory) as session:
            for rows in chunk:
                written = await bulk.upsert(session, EDUCATORS, "district-a", "staff_unique_id", [((), rows)], now)
                assert [w.outcome for w in written] == ["created"] * COPY_FROM
            await record_events(session, [EducatorRegistered(educator_id=w.id, school_id=None,
                                                             career_stage="novice_teacher", version=1)
                                          for w in written], service="hr", tenant_id="district-a")
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(asyncpg_dsn(hr_database))
    try:
        keys = {r[0] for r in await conn.fetch("SELECT staff_unique_id FROM educator")}
        assert keys == {f"T{b}-{n}" for b in range(3) for n in range(COPY_FROM)}
        assert await conn.fetchval("SELECT count(*) FROM outbox") == COPY_FROM  # by COPY, committed with them
    finally:
        await conn.close()


async def test_partly_bad_batch_is_refused_whole_with_per_item_errors(hr: HR) -> None:
    items = [{"given_name": "A", "family_name": "B", "staff_unique_id": "S1"},
             {"given_name": "C", "family_name": "D", "staff_unique_id": "S1"},
             {"given_name": "E", "family_name": "F", "staff_unique_id": "S3", "school_id": str(uuid.uuid4())},
             {"given_name": "G", "family_name": "H"}]
    r = await hr.post("/educators/bulk", {"items": items})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"items[1].staff_unique_id", "items[2].school_id", "items[3].staff_unique_id"}
    assert await hr.count("educator") == 0 and await hr.count("outbox") == 0


async def test_pages_and_filters(hr: HR) -> None:
    a, b = await hr.school(sourced_id="a"), await hr.school(sourced_id="b")
    for i in range(7):
        await hr.post("/educators", {"given_name": f"G{i}", "family_name": "F",
                                     "school_id": (a if i < 5 else b)["id"]})
    seen, token = [], None
    while True:
        params = {"page_size": 3, **({"page_token": token} if token else {})}
        page = (await hr.client.get("/educators", params=params, headers=hr.auth())).json()
        seen += [e["id"] for e in page["items"]]
        token = page["next_page_token"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 7
    in_a = (await hr.client.get("/educators", params={"school_id": a["id"]}, headers=hr.auth())).json()
    assert len(in_a["items"]) == 5
    bad = await hr.client.get("/educators", params={"page_token": "!!"}, headers=hr.auth())
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "page_token"


async def test_scopes_and_personal_data(hr: HR) -> None:
    created = await hr.post("/educators", {"given_name": "Ana", "family_name": "Lopez", "email": "a@b.org"})
    path = f"/educators/{created.json()['id']}"
    without_pii = await hr.client.get(path, headers=hr.auth(scopes=["hr:read"]))
    assert without_pii.status_code == 200
    assert (without_pii.json()["given_name"], without_pii.json()["email"]) == (None, None)
    read_only = await hr.post("/educators", {"given_name": "X", "family_name": "Y"},
                              headers=hr.auth(scopes=["hr:read"]))
    assert read_only.status_code == 403 and read_only.headers["content-type"] == PROBLEM
    assert (await hr.client.get(path)).status_code == 401
    token = hr.make_token("district-a", EDUCATOR_ALL)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await hr.client.get(path, headers={"Authorization": f"Bearer {tampered}"})).status_code == 401


async def test_school_scoped_token_reaches_only_its_schools(hr: HR) -> None:
    mine, other = await hr.school(sourced_id="mine"), await hr.school(sourced_id="other")
    in_other = await hr.post("/educators", {"given_name": "O", "family_name": "T", "school_id": other["id"]})
    scoped = {"Authorization": f"Bearer {hr.make_token('district-a', EDUCATOR_ALL, schools=[mine['id']])}"}
    assert (await hr.client.get(f"/schools/{other['id']}", headers=scoped)).status_code == 404
    assert (await hr.client.get(f"/educators/{in_other.json()['id']}", headers=scoped)).status_code == 404
    assert (await hr.client.get(f"/schools/{mine['id']}", headers=scoped)).status_code == 200
    listed = (await hr.client.get("/schools", headers=scoped)).json()["items"]
    assert [s["id"] for s in listed] == [mine["id"]]
    moved = await hr.client.post("/educators", json={"given_name": "A", "family_name": "B", "school_id": other["id"]},
                                 headers=scoped)
    assert moved.status_code == 403 and moved.json()["errors"][0]["field"] == "school_id"
    ok = await hr.client.post("/educators", json={"given_name": "A", "family_name": "B", "school_id": mine["id"]},
                              headers=scoped)
    assert ok.status_code == 201
    assert (await hr.client.post("/schools", json={"name": "New"}, headers=scoped)).status_code == 403


async def test_conditional_reads_answer_304_while_the_version_holds(hr: HR) -> None:
    school = await hr.school()
    path = f"/schools/{school['id']}"
    first = await hr.client.get(path, headers=hr.auth())
    tag = first.headers["etag"]
    for held in (tag, f"W/{tag}", f'"nope", {tag}', "*"):
        r = await hr.client.get(path, headers={**hr.auth(), "If-None-Match": held})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == tag, held
        assert "content-type" not in r.headers and r.headers["x-request-id"], held
    stale = await hr.client.get(path, headers={**hr.auth(), "If-None-Match": '"0"'})
    assert stale.status_code == 200 and stale.json()["name"] == school["name"]
    changed = await hr.client.patch(path, json={"name": "Renamed"}, headers={**hr.auth(), "If-Match": tag})
    assert changed.status_code == 200, changed.text
    after = await hr.client.get(path, headers={**hr.auth(), "If-None-Match": tag})
    assert after.status_code == 200 and after.json()["name"] == "Renamed" and after.headers["etag"] != tag
    # a condition never hides an error: another tenant's school is still 404
    foreign = await hr.client.get(path, headers={**hr.auth("district-b"), "If-None-Match": "*"})
    assert foreign.status_code == 404


async def test_total_count_on_request_and_an_unknown_query_parameter_refused(hr: HR) -> None:
    a, b = await hr.school(), await hr.school()
    for i in range(5):
        await hr.post("/educators", {"given_name": f"G{i}", "family_name": "F", "school_id": (a if i < 3 else b)["id"]})
    plain = await hr.client.get("/educators", params={"page_size": 2}, headers=hr.auth())
    assert "total-count" not in plain.headers  # a count costs a query: only when asked
    counted = await hr.client.get("/educators", params={"page_size": 2, "totalCount": "true"}, headers=hr.auth())
    assert counted.headers["total-count"] == "5" and len(counted.json()["items"]) == 2
    second = await hr.client.get("/educators", headers=hr.auth(), params={
        "page_size": 2, "totalCount": "true", "page_token": counted.json()["next_page_token"]})
    assert second.headers["total-count"] == "5"  # the whole listing's, whatever the page
    filtered = await hr.client.get("/educators", params={"school_id": a["id"], "totalCount": "true"},
                                   headers=hr.auth())
    assert filtered.headers["total-count"] == "3"
    limited = {"Authorization": f"Bearer {hr.make_token('district-a', EDUCATOR_ALL, schools=[b['id']])}"}
    scoped = await hr.client.get("/schools", params={"totalCount": "true"}, headers=limited)
    assert scoped.headers["total-count"] == "1"  # what the token may see, not the tenant's
    typo = await hr.client.get("/educators", params={"schoolId": a["id"]}, headers=hr.auth())
    assert typo.status_code == 400 and typo.headers["content-type"] == PROBLEM
    problem = typo.json()
    assert problem["type"].endswith("/unknown-query-parameter") and problem["errors"][0]["field"] == "schoolId"
    assert "school_id" in problem["detail"] and "page_size" in problem["detail"]
    on_one = await hr.client.get(f"/schools/{a['id']}", params={"expand": "all"}, headers=hr.auth())
    assert on_one.status_code == 400 and on_one.json()["errors"][0]["field"] == "expand"


async def test_put_by_external_id_creates_then_updates_idempotently(hr: HR) -> None:
    school_path = "/schools/by-external-id/ed-fi/255901001"
    first = await hr.client.put(school_path, json={"name": "Alder Creek Elementary"}, headers=hr.auth())
    assert first.status_code == 201, first.text
    school = first.json()
    assert school["ed_fi_id"] == "255901001" and first.headers["location"].endswith(f"/schools/{school['id']}")
    again = await hr.client.put(school_path, json={"name": "Alder Creek Elementary"}, headers=hr.auth())
    assert again.status_code == 200 and again.json()["id"] == school["id"]
    assert again.json()["version"] == school["version"]  # nothing changed: no new version, no event
    events_before = await hr.domain_events()

    path = "/educators/by-external-id/oneroster/t-5f1a22"
    body = {"given_name": "Amara", "family_name": "Okafor", "school_id": school["id"],
            "staff_classification": "Teacher"}
    made = await hr.client.put(path, json=body, headers=hr.auth())
    assert made.status_code == 201, made.text
    educator = made.json()
    assert educator["sourced_id"] == "t-5f1a22" and made.headers["etag"] == f'"{educator["version"]}"'
    same = await hr.client.put(path, json=body, headers=hr.auth())
    assert same.status_code == 200 and same.json()["version"] == educator["version"]
    moved = await hr.client.put(path, json={**body, "position": "Grade 4 teacher"}, headers=hr.auth())
    assert moved.status_code == 200 and moved.json()["position"] == "Grade 4 teacher"
    assert moved.json()["version"] == educator["version"] + 1 and moved.json()["id"] == educator["id"]
    assert await hr.domain_events() == events_before + 2  # registered once, updated once

    other_key = await hr.client.put(path, json={**body, "sourced_id": "t-other"}, headers=hr.auth())
    assert other_key.status_code == 422 and other_key.json()["errors"][0]["field"] == "sourced_id"
    dangling = await hr.client.put("/educators/by-external-id/ed-fi/E-1", headers=hr.auth(),
                                   json={**body, "school_id": str(uuid.uuid4())})
    assert dangling.status_code == 422 and dangling.json()["errors"][0]["field"] == "school_id"
    unknown = await hr.client.put("/educators/by-external-id/sif/E-1", json=body, headers=hr.auth())
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "system"
    assert await hr.domain_events() == events_before + 2  # refusals write nothing
    elsewhere = await hr.client.put(path, json={"given_name": "A", "family_name": "B"},
                                    headers=hr.auth("district-b"))
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != educator["id"]  # tenants never meet
