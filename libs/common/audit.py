"""Record a read or change of personal data, in the same transaction as the read or change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_event
from libs.contracts.audit import PersonalDataAccessed

Action = Literal["read", "create", "update", "delete"]


def personal_data_accessed(payload_type: type[PersonalDataAccessed], *, principal: Principal,
                           request_id: str | None, action: Action, object_type: str,
                           object_ids: Sequence[uuid.UUID], fields: Sequence[str]) -> PersonalDataAccessed | None:
    """The audit event of a read or change (None when no object was touched), for a caller that writes it
    with its other events in one outbox statement."""
    if not object_ids:
        return None
    return payload_type(record_id=uuid.uuid4(), actor=principal.subject, action=action, object_type=object_type,
                        object_ids=list(object_ids), fields=list(fields), request_id=request_id)


async def record_personal_data_access(session: AsyncSession, payload_type: type[PersonalDataAccessed], *,
                                      service: str, principal: Principal, request_id: str | None, action: Action,
                                      object_type: str, object_ids: Sequence[uuid.UUID],
                                      fields: Sequence[str]) -> None:
    payload = personal_data_accessed(payload_type, principal=principal, request_id=request_id, action=action,
                                     object_type=object_type, object_ids=object_ids, fields=fields)
    if payload is not None:
        await record_event(session, payload, service=service, tenant_id=principal.tenant_id)
