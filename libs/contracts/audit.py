"""Audit events: a read or change of personal data, recorded by the service that did it.

Who (the client), what (action, object type, which fields), which objects (ids), when (the event
time), the tenant (header) and the request id. Never the personal data itself.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from libs.contracts.base import EventPayload, event

AUDIT_TOPIC = "platform.audit"


class PersonalDataAccessed(EventPayload):
    record_id: UUID
    actor: str
    action: Literal["read", "create", "update", "delete"]
    object_type: str
    object_ids: list[UUID]
    fields: list[str]
    request_id: str | None = None


@event("org.improvenet.hr.personal-data.accessed", topic=AUDIT_TOPIC, subject="record_id")
class HRPersonalDataAccessed(PersonalDataAccessed):
    """Educators' personal fields (names, email) were read or changed."""
