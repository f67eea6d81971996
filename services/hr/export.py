"""hr's part of the full tenant export (libs/common/export.py): personal data only with hr:pii, audited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.audit import record_personal_data_access
from libs.common.auth import Principal
from libs.common.db import session_factory
from libs.common.export import export_router
from libs.contracts.audit import HRPersonalDataAccessed
from services.hr.models import metadata
from services.hr.settings import SERVICE


async def audit_export(engine: AsyncEngine, principal: Principal, table: str, ids: Sequence[uuid.UUID],
                       fields: Sequence[str]) -> None:
    """Personal data leaving in an export: an audit record before the rows are sent."""
    async with session_factory(engine)() as session, session.begin():
        await record_personal_data_access(session, HRPersonalDataAccessed, service=SERVICE, principal=principal,
                                          request_id=None, action="read", object_type=table, object_ids=ids,
                                          fields=fields)


def router() -> APIRouter:
    # import_upload: the raw files, which may hold students' rows; they are erased when a job ends anyway
    return export_router(metadata, service=SERVICE, read_scope="hr:read", personal_scope="hr:pii",
                         exclude=["import_upload"], on_personal=audit_export)
