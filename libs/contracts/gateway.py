"""Events published by the gateway (identity: client revocations).

Every service's verifier applies `ClientRevoked`, so a revoked client's unexpired tokens fail at a
service reached directly too, not only at the gateway.
"""

from __future__ import annotations

from datetime import datetime

from libs.contracts.base import EventPayload, event

IDENTITY_TOPIC = "gateway.identity"


@event("org.improvenet.gateway.client.revoked", topic=IDENTITY_TOPIC, subject="client_id")
class ClientRevoked(EventPayload):
    """An OAuth2 client was revoked: its secret and every token it holds stop working."""

    client_id: str
    issuer: str
    revoked_at: datetime
