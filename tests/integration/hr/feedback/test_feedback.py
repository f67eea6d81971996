"""Feedback on PostgreSQL: two domains, audited text, and rounds evidence that never feeds it."""

from __future__ import annotations

import json

from libs.contracts.observations import RECORD_TOPIC
from services.hr.handlers import CONSUMERS
from tests.integration.hr.conftest import Pipeline


async def test_feedback_in_both_domains_text_only_with_pii(api: Pipeline) -> None:
    mentor = await api.educator("teacher_leader")
    novice = await api.educator("novice_teacher")
    path = f"/educators/{novice['id']}/feedback"
    for domain in ("instruction", "improvement_practice"):
        r = await api.post(path, {"domain": domain, "source_role": "mentor", "author_id": mentor["id"],
                                  "body": f"notes on {domain}"})
        assert r.status_code == 201, r.text
    full = await api.ok("GET", path)
    assert [f["domain"] for f in full] == ["instruction", "improvement_practice"]
    assert full[0]["body"] == "notes on instruction"
    plain = await api.get(path, scopes=["hr:read"])
    assert [f["body"] for f in plain.json()] == [None, None]
    assert "notes on" not in str(await api.events())
    audited = await api.scalar("SELECT count(*) FROM outbox WHERE topic = 'platform.audit' "
                               "AND payload->>'object_type' = 'feedback'")
    assert audited == 3  # two created, one read with hr:pii (the read without it saw no text)


async def test_unknown_domain_or_author_is_refused_and_writes_nothing(api: Pipeline) -> None:
    novice = await api.educator("novice_teacher")
    path = f"/educators/{novice['id']}/feedback"
    bad = await api.post(path, {"domain": "charisma", "source_role": "peer", "body": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "domain"
    role = await api.post(path, {"domain": "instruction", "source_role": "parent", "body": "x"})
    assert role.status_code == 422 and role.json()["errors"][0]["field"] == "source_role"
    foreign = await api.educator("principal", tenant="district-b")
    author = await api.post(path, {"domain": "instruction", "source_role": "peer", "body": "x",
                                   "author_id": foreign["id"]})
    assert author.status_code == 422 and author.json()["errors"][0]["field"] == "author_id"
    assert await api.count("feedback") == 0


async def test_rounds_evidence_never_feeds_evaluation(api: Pipeline) -> None:
    """A feedback entry cannot cite an observation record, and hr consumes no observation events."""
    novice = await api.educator("novice_teacher")
    cites = await api.post(f"/educators/{novice['id']}/feedback",
                           {"domain": "instruction", "source_role": "supervisor", "body": "from the visit",
                            "observation_record_id": "5b0f6c1e-8f7e-4b0e-9d57-0c5f1f1f1f1f"})
    assert cites.status_code == 422
    assert [e["field"] for e in cites.json()["errors"]] == ["observation_record_id"]
    assert await api.count("feedback") == 0
    topics = {t for c in CONSUMERS for t in c.topics}
    assert not any(t.startswith("observations.") for t in topics) and RECORD_TOPIC not in topics
    columns = json.dumps(await api.scalar(
        "SELECT json_agg(column_name) FROM information_schema.columns WHERE table_name = 'feedback'"))
    assert "observation" not in columns and "record" not in columns
