"""hr's pipeline end to end, through the gateway, on the platform as `make up` starts it.

An applicant rated for leadership potential is hired as a novice at Hamilton; the mentoring alert opens
and closes when a mentor is assigned; feedback in both domains; promotions to intermediate and teacher
leader with criteria, evidence and approver; a network meeting chaired (networks' `meeting held`, published
on the platform's bus as networks' relay would) shows as a responsibility; a principal residency at
another school; Hamilton's principal post goes from succession risk to bench strength 1 when the resident
is marked ready now.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import asyncpg
import httpx

from improvenet.launcher import Platform
from libs.common.bus import Message
from libs.common.events import new_event
from libs.common.postgres_bus import PostgresBus
from libs.common.settings import asyncpg_dsn, database_url_for
from libs.contracts.networks import ChairReason, MeetingHeld
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import ALL, bearer, eventually

TENANT = "hamilton"


def publish_as_networks(platform: Platform, payload: MeetingHeld) -> None:
    """What networks' outbox relay does: the CloudEvent on its topic, keyed by its subject."""
    event = new_event(payload, service="networks", tenant_id=TENANT)

    async def send() -> None:
        bus = PostgresBus(database_url_for(platform.server_url, "improvenet_bus"))
        try:
            (error,) = await bus.publish([Message(payload.topic, event.subject, event.value(), event.headers())])
            assert error is None, error
        finally:
            await bus.close()

    asyncio.run(send())


def hr_events(platform: Platform) -> list[str]:
    async def fetch() -> list[str]:
        conn = await asyncpg.connect(asyncpg_dsn(database_url_for(platform.server_url, "improvenet_hr")))
        try:
            return [r["type"] for r in await conn.fetch(
                "SELECT type FROM outbox WHERE topic <> 'platform.audit' ORDER BY seq")]
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_one_pipeline_from_applicant_to_principal_successor(platform: Platform,
                                                           token_for: Callable[..., str]) -> None:
    hr = f"{platform.gateway_url}/api/v1/hr"
    auth = bearer(token_for(TENANT, ALL))

    with outside_client() as c:
        def ok(method: str, path: str, body: Any = None, **headers: str) -> Any:
            r = c.request(method, f"{hr}{path}", json=body, headers={**auth, **headers})
            assert r.status_code in (200, 201), r.text
            return r.json()

        def call(method: str, path: str, body: Any = None) -> httpx.Response:
            return c.request(method, f"{hr}{path}", json=body, headers=auth)

        hamilton = ok("POST", "/schools", {"name": "Hamilton Elementary"})["id"]
        lincoln = ok("POST", "/schools", {"name": "Lincoln Middle"})["id"]
        principal = ok("POST", "/educators", {"given_name": "Pat", "family_name": "Principal",
                                              "career_stage": "principal", "school_id": hamilton})["id"]
        supervisor = ok("POST", "/educators", {"given_name": "Lee", "family_name": "Lincoln",
                                               "career_stage": "principal", "school_id": lincoln})["id"]
        mentor = ok("POST", "/educators", {"given_name": "Mo", "family_name": "Mentor",
                                           "career_stage": "teacher_leader", "school_id": hamilton})["id"]
        ladder = ok("GET", "/ladder")
        version = ladder.pop("version")
        ok("PUT", "/ladder", {**ladder, "mentoring_grace_days": 0}, **{"If-Match": f'"{version}"'})

        # recruitment: rated for leadership potential, hired as a novice at Hamilton in one transaction
        posting = ok("POST", "/postings", {"school_id": hamilton, "title": "Grade 2 teacher"})
        application = ok("POST", f"/postings/{posting['id']}/applications",
                         {"given_name": "Ana", "family_name": "Lopez", "qualifications": "MA Teaching",
                          "leadership_potential": 5})
        etag = f'"{application["version"]}"'
        for status in ("screened", "interviewed", "offered"):
            r = c.patch(f"{hr}/applications/{application['id']}", json={"status": status},
                        headers={**auth, "If-Match": etag})
            assert r.status_code == 200, r.text
            etag = r.headers["etag"]
        hired = ok("POST", f"/applications/{application['id']}/hire")
        ana = hired["educator_id"]
        assert ok("GET", f"/educators/{ana}")["career_stage"] == "novice_teacher"

        # mentoring: the alert opens, and closes when a mentor is assigned
        assert [a["educator_id"] for a in ok("GET", "/mentoring/alerts")] == [ana]
        assert [a["educator_id"] for a in ok("POST", "/mentoring/gaps")] == [ana]
        ok("POST", "/mentorships", {"mentor_id": mentor, "mentee_id": ana})
        assert ok("GET", "/mentoring/alerts") == []
        assert ok("GET", "/mentoring/coverage")["schools"][hamilton]["coverage"] == 1.0

        # feedback on practice in both domains
        for domain, source, author in (("instruction", "mentor", mentor),
                                       ("improvement_practice", "supervisor", principal)):
            ok("POST", f"/educators/{ana}/feedback", {"domain": domain, "source_role": source,
                                                       "author_id": author, "body": f"{domain}: next steps"})
        assert {f["domain"] for f in ok("GET", f"/educators/{ana}/feedback")} == {"instruction",
                                                                                  "improvement_practice"}

        # promotions with criteria, evidence and approver
        moves = [("intermediate_teacher", ["induction completed", "mentor recommendation"]),
                 ("teacher_leader", ["leads colleagues' learning", "supervisor recommendation"])]
        for stage, criteria in moves:
            ok("POST", f"/educators/{ana}/transitions", {"to_stage": stage, "criteria_met": criteria,
                                                          "evidence": f"portfolio for {stage}",
                                                          "approver_id": principal})
        illegal = call("POST", f"/educators/{ana}/transitions", {"to_stage": "system_leader",
                                                                 "approver_id": principal})
        assert illegal.status_code == 409 and illegal.json()["allowed"] == ["principal_resident"]

        # a network meeting chaired, from networks' event on the bus
        meeting = MeetingHeld(meeting_id=uuid.uuid4(), network_id=uuid.uuid4(), meeting_date=date.today(),
                              meeting_type="network", chair_id=uuid.UUID(ana), chair_reason=ChairReason.expertise,
                              attendee_ids=[uuid.UUID(mentor)])
        publish_as_networks(platform, meeting)
        chaired = eventually(lambda: [r for r in ok("GET", f"/educators/{ana}/responsibilities")
                                      if r["source"] == "network_meeting"], timeout=30)
        assert chaired and chaired[0]["source_id"] == str(meeting.meeting_id)

        # a principal residency at another school (the resident's own is refused)
        ok("POST", f"/educators/{ana}/transitions", {"to_stage": "principal_resident",
                                                      "criteria_met": ["leadership potential",
                                                                       "admitted to residency"],
                                                      "approver_id": principal})
        residency = {"resident_id": ana, "supervisor_id": supervisor, "starts_on": date.today().isoformat(),
                     "goals": "lead a cycle of inquiry"}
        own = call("POST", "/residencies", {**residency, "school_id": hamilton})
        assert own.status_code == 409
        ok("POST", "/residencies", {**residency, "school_id": lincoln})

        # Hamilton's principal post: succession risk, then bench strength 1 once the resident is ready now
        post = ok("POST", "/posts", {"school_id": hamilton, "stage": "principal", "title": "Principal",
                                     "incumbent_id": principal})
        before = ok("GET", "/pipeline/analytics")
        assert post["id"] in before["succession_risk"]
        ok("PUT", f"/educators/{ana}/readiness", {"target_stage": "principal", "estimate": "ready_now",
                                                   "approver_id": principal})
        after = ok("GET", "/pipeline/analytics")
        assert post["id"] not in after["succession_risk"]
        assert [b["ready_now"] for b in after["bench_strength"] if b["post_id"] == post["id"]] == [1]

        history = ok("GET", f"/educators/{ana}/transitions")
        assert [h["seq"] for h in history] == [1, 2, 3, 4]
        assert [h["to_stage"] for h in history] == ["novice_teacher", "intermediate_teacher", "teacher_leader",
                                                    "principal_resident"]

    types = [t.removeprefix("org.improvenet.hr.") for t in hr_events(platform)]
    for expected in ("application.received", "application.hired", "mentoring-gap.opened", "mentor.assigned",
                     "mentoring-gap.closed", "stage.changed", "residency.started"):
        assert expected in types, expected
