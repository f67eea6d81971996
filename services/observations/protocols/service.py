"""Protocols: publish a protocol and new versions of its look-fors; a version never changes (a new one
changes the protocol, as listed with its versions)."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.problems import Problem, field_error
from libs.common.repository import get_or_404
from services.observations.models import protocol_versions, protocols
from services.observations.protocols.schemas import LookFor, ProtocolPublic


def check_look_fors(look_fors: Sequence[LookFor]) -> None:
    seen: dict[str, int] = {}
    for n, lf in enumerate(look_fors):
        if lf.code in seen:
            raise field_error(f"look_fors[{n}].code", f"{lf.code!r} appears twice (also look_fors[{seen[lf.code]}])")
        seen[lf.code] = n


async def create_protocol(session: AsyncSession, principal: Principal, name: str, purpose: str,
                          look_fors: Sequence[LookFor]) -> uuid.UUID:
    check_look_fors(look_fors)
    protocol_id = uuid.uuid4()
    await session.execute(insert(protocols).values(id=protocol_id, tenant_id=principal.tenant_id, name=name,
                                                   purpose=purpose))
    await publish_version(session, principal, protocol_id, look_fors)
    return protocol_id


async def publish_version(session: AsyncSession, principal: Principal, protocol_id: uuid.UUID,
                          look_fors: Sequence[LookFor]) -> uuid.UUID:
    check_look_fors(look_fors)
    await get_or_404(session, protocols, protocol_id, principal.tenant_id, label="protocol", for_update=True)
    # the protocol as listed carries its versions: number it again, so change queries return it
    await session.execute(update(protocols).where(protocols.c.id == protocol_id).values(change_version=None))
    number = await session.scalar(select(func.coalesce(func.max(protocol_versions.c.number), 0) + 1).where(
        protocol_versions.c.protocol_id == protocol_id))
    version_id = uuid.uuid4()
    await session.execute(insert(protocol_versions).values(
        id=version_id, tenant_id=principal.tenant_id, protocol_id=protocol_id, number=number,
        look_fors=[lf.model_dump() for lf in look_fors]))
    return version_id


async def get_protocol(session: AsyncSession, principal: Principal, protocol_id: uuid.UUID) -> ProtocolPublic:
    row = await get_or_404(session, protocols, protocol_id, principal.tenant_id, label="protocol")
    versions = (await session.execute(select(protocol_versions).where(protocol_versions.c.protocol_id == protocol_id)
                                      .order_by(protocol_versions.c.number))).mappings().all()
    return ProtocolPublic.model_validate({**row, "versions": [dict(v) for v in versions]})


async def list_protocols(session: AsyncSession, principal: Principal, changes: ChangeWindow) -> list[ProtocolPublic]:
    ids = (await session.execute(select(protocols.c.id).where(
        protocols.c.tenant_id == principal.tenant_id,
        *await window_clauses(session, principal.tenant_id, changes, protocols.c.change_version))
        .order_by(protocols.c.created_at))).scalars().all()
    return [await get_protocol(session, principal, i) for i in ids]


# A protocol version never changes once written (a change is a new version), so its look-fors are kept
# per process: every note saved checks its codes against them, and autosave is the hot path.
_LOOK_FORS: OrderedDict[tuple[str, uuid.UUID], list[dict[str, Any]]] = OrderedDict()
_LOOK_FORS_KEPT = 1024


async def look_fors_of(session: AsyncSession, principal: Principal, version_id: uuid.UUID,
                       field: str = "protocol_version_id") -> list[dict[str, Any]]:
    """A version's look-fors (each with its weight); an unknown version is a 422 naming `field`."""
    key = (principal.tenant_id, version_id)
    found = _LOOK_FORS.get(key)
    if found is None:
        found = await session.scalar(select(protocol_versions.c.look_fors).where(
            protocol_versions.c.id == version_id, protocol_versions.c.tenant_id == principal.tenant_id))
        if found is None:
            raise Problem(422, "Invalid reference", f"{field}: no such protocol version in your organisation",
                          slug="invalid-reference", errors=[{"field": field, "message": "no such protocol version"}])
        _LOOK_FORS[key] = found
        if len(_LOOK_FORS) > _LOOK_FORS_KEPT:
            _LOOK_FORS.popitem(last=False)
    else:
        _LOOK_FORS.move_to_end(key)
    return [{"weight": 1.0, **lf} for lf in found]
