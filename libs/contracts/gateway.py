"""Events published by the gateway (identity: client revocations; partner delivery: disabled subscriptions).

Every service's verifier applies `ClientRevoked`, so a revoked client's unexpired tokens fail at a
service reached directly too, not only at the gateway.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from libs.contracts.base import EventPayload, event

IDENTITY_TOPIC = "gateway.identity"
PARTNERS_TOPIC = "gateway.partners"


@event("org.improvenet.gateway.client.revoked", topic=IDENTITY_TOPIC, subject="client_id")
class ClientRevoked(EventPayload):
    """An OAuth2 client was revoked: its secret and every token it holds stop working."""

    client_id: str
    issuer: str
    revoked_at: datetime


@event("org.improvenet.gateway.partner-subscription.disabled", topic=PARTNERS_TOPIC, subject="subscription_id")
class PartnerSubscriptionDisabled(EventPayload):
    """A webhook subscription was disabled after its deliveries kept failing (or by its admin).

    Recorded in the gateway's outbox in the transaction that disables it; `reason` is the machine's
    account (status codes, how long), never a person's words.
    """

    subscription_id: uuid.UUID
    client_id: str
    reason: str
    disabled_at: datetime
