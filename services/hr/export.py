"""hr's part of the full tenant export (libs/common/export.py): personal data only with hr:pii, audited."""

from __future__ import annotations

from fastapi import APIRouter

from libs.common.export import export_router
from libs.contracts.audit import HRPersonalDataAccessed
from services.hr.models import metadata
from services.hr.settings import SERVICE


def router() -> APIRouter:
    # import_upload: the raw files, which may hold students' rows; they are erased when a job ends anyway
    return export_router(metadata, service=SERVICE, read_scope="hr:read", personal_scope="hr:pii",
                         audited_as=HRPersonalDataAccessed, exclude=["import_upload"])
