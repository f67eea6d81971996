"""Recruitment on PostgreSQL: postings, applications rated for leadership potential, hiring in one transaction."""

from __future__ import annotations

import uuid

from tests.integration.hr.conftest import Pipeline


async def _offered(api: Pipeline, school: str) -> tuple[dict, dict]:  # type: ignore[type-arg]
    posting = await api.ok("POST", "/postings", {"school_id": school, "title": "Grade 3 teacher"})
    app = await api.ok("POST", f"/postings/{posting['id']}/applications",
                       {"given_name": "Rosa", "family_name": "Diaz", "email": "rosa@example.org",
                        "qualifications": "BA Education", "leadership_potential": 4})
    version = app["version"]
    for status in ("screened", "interviewed", "offered"):
        r = await api.request("PATCH", f"/applications/{app['id']}", {"status": status},
                              headers={"If-Match": f'"{version}"'})
        assert r.status_code == 200, r.text
        version = r.json()["version"]
    return posting, r.json()


async def test_hiring_creates_the_novice_in_the_same_transaction(api: Pipeline) -> None:
    school = await api.school()
    _, app = await _offered(api, school)
    hired = await api.ok("POST", f"/applications/{app['id']}/hire")
    assert hired["status"] == "hired" and hired["educator_id"]
    educator = await api.ok("GET", f"/educators/{hired['educator_id']}")
    assert (educator["career_stage"], educator["school_id"], educator["given_name"]) == (
        "novice_teacher", school, "Rosa")
    history = await api.ok("GET", f"/educators/{hired['educator_id']}/transitions")
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [("applicant", "novice_teacher")]
    types = [e["type"].removeprefix("org.improvenet.hr.") for e in await api.events()]
    assert types[-3:] == ["application.received", "educator.registered", "application.hired"]
    events = str(await api.events())
    for secret in ("Rosa", "Diaz", "rosa@example.org", "BA Education"):
        assert secret not in events
    assert '"leadership_potential"' not in events
    again = await api.post(f"/applications/{app['id']}/hire", {})
    assert again.status_code == 409 and await api.count("educator") == 1


async def test_ratings_and_names_only_with_pii(api: Pipeline) -> None:
    school = await api.school()
    _, app = await _offered(api, school)
    plain = await api.get(f"/applications/{app['id']}", scopes=["hr:read"])
    assert plain.status_code == 200
    assert (plain.json()["leadership_potential"], plain.json()["given_name"]) == (None, None)
    full = await api.ok("GET", f"/applications/{app['id']}")
    assert full["leadership_potential"] == 4


async def test_bad_input_writes_nothing(api: Pipeline) -> None:
    school = await api.school()
    before = await api.count("outbox")
    unknown = await api.post("/postings", {"school_id": str(uuid.uuid4()), "title": "T"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "school_id"
    stage = await api.post("/postings", {"school_id": school, "title": "T", "stage": "wizard"})
    assert stage.status_code == 422 and stage.json()["errors"][0]["field"] == "stage"
    posting = await api.ok("POST", "/postings", {"school_id": school, "title": "Teacher"})
    rating = await api.post(f"/postings/{posting['id']}/applications",
                            {"given_name": "A", "family_name": "B", "leadership_potential": 9})
    assert rating.status_code == 422 and rating.json()["errors"][0]["field"] == "leadership_potential"
    app = await api.ok("POST", f"/postings/{posting['id']}/applications", {"given_name": "A", "family_name": "B"})
    early = await api.post(f"/applications/{app['id']}/hire", {})
    assert early.status_code == 409 and early.json()["allowed"] == ["screened", "declined"]
    skip = await api.request("PATCH", f"/applications/{app['id']}", {"status": "offered"},
                             headers={"If-Match": '"1"'})
    assert skip.status_code == 409 and await api.count("educator") == 0
    assert await api.count("outbox") - before == 2  # the application received, and its audit record
