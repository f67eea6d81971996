"""Rules about educators that need no database: what a reader sees, and what a change tells others."""

from __future__ import annotations

from typing import Any

from libs.contracts.hr import CareerStage, EducatorRegistered, EducatorUpdated
from services.hr.bulk import bulk_key_errors
from services.hr.changes import changes, same_facts
from services.hr.models import EducatorPublic
from services.hr.scope import PERSONAL_FIELDS


def educator_view(record: Any, *, include_personal: bool) -> EducatorPublic:
    """An educator as a reader sees it: personal fields only with the hr:pii scope."""
    view = EducatorPublic.model_validate(record, from_attributes=True)
    if view.stage is None:
        view.stage = str(view.career_stage)
    if not include_personal:
        view = view.model_copy(update=dict.fromkeys(PERSONAL_FIELDS))
    return view


def facts(row: Any, cls: type[EducatorRegistered] | type[EducatorUpdated]) -> EducatorRegistered | EducatorUpdated:
    return cls(educator_id=row["id"], school_id=row["school_id"], career_stage=CareerStage(row["career_stage"]),
               version=row["version"])


__all__ = ["bulk_key_errors", "changes", "educator_view", "facts", "same_facts"]
