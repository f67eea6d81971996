"""The event envelope: CloudEvents 1.0, carried in binary mode (attributes as `ce_*` headers)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from libs.contracts.base import EventPayload

SPECVERSION = "1.0"
TENANT_HEADER = "ce_tenantid"  # CloudEvents extension attribute: lower-case alphanumerics only
TRACE_HEADERS = ("traceparent", "tracestate")


@dataclass(frozen=True)
class Event:
    """One event as it travels: attributes, the JSON payload, and trace context."""

    id: uuid.UUID
    type: str
    source: str
    subject: str
    tenant_id: str
    time: datetime
    data: dict[str, Any]
    dataschema: str | None = None
    trace: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        headers = {
            "ce_specversion": SPECVERSION,
            "ce_id": str(self.id),
            "ce_type": self.type,
            "ce_source": self.source,
            "ce_subject": self.subject,
            "ce_time": self.time.isoformat(),
            TENANT_HEADER: self.tenant_id,
            "content-type": "application/json",
        }
        if self.dataschema:
            headers["ce_dataschema"] = self.dataschema
        headers.update(self.trace)
        return headers

    def value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":")).encode()


class MalformedEvent(ValueError):
    """A message that is not a CloudEvent we can read (goes straight to the dead-letter topic)."""


def new_event(payload: EventPayload, *, service: str, tenant_id: str) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=payload.event_type,
        source=f"/improvenet/{service}",
        subject=payload.subject,
        tenant_id=tenant_id,
        time=datetime.now(UTC),
        data=payload.model_dump(mode="json"),
        dataschema=payload.dataschema(),
    )


def event_from_message(headers: dict[str, str], value: bytes) -> Event:
    try:
        return Event(
            id=uuid.UUID(headers["ce_id"]),
            type=headers["ce_type"],
            source=headers["ce_source"],
            subject=headers.get("ce_subject", ""),
            tenant_id=headers[TENANT_HEADER],
            time=datetime.fromisoformat(headers["ce_time"]),
            data=json.loads(value) if value else {},
            dataschema=headers.get("ce_dataschema"),
            trace={k: headers[k] for k in TRACE_HEADERS if k in headers},
        )
    except (KeyError, ValueError) as exc:
        raise MalformedEvent(f"not a readable CloudEvent: {exc!r}") from exc
