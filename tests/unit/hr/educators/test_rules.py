from __future__ import annotations

import uuid
from datetime import UTC, datetime

from libs.contracts.hr import CareerStage, EducatorUpdated
from services.hr.educators.rules import bulk_key_errors, changes, educator_view, same_facts
from services.hr.models import Educator


def test_changes_keeps_only_differing_fields() -> None:
    assert changes({"name": "A", "x": 1}, {"name": "A", "x": 2}) == {"x": 2}


def test_a_personal_data_change_tells_consumers_nothing_new() -> None:
    e = uuid.uuid4()
    v1 = EducatorUpdated(educator_id=e, school_id=None, career_stage=CareerStage.applicant, version=1)
    v2 = EducatorUpdated(educator_id=e, school_id=None, career_stage=CareerStage.applicant, version=2)
    v3 = EducatorUpdated(educator_id=e, school_id=None, career_stage=CareerStage.novice_teacher, version=3)
    assert same_facts(v1, v2) and not same_facts(v2, v3)


def test_bulk_items_need_their_match_key_once() -> None:
    errors = bulk_key_errors(["a", None, "b", "a"], "staff_unique_id")
    assert errors == [
        {"field": "items[1].staff_unique_id", "message": "required: items are matched on staff_unique_id"},
        {"field": "items[3].staff_unique_id", "message": "appears twice in this batch (also items[0])"},
    ]
    assert bulk_key_errors(["a", "b"], "sourced_id") == []


def test_personal_fields_hidden_without_the_scope() -> None:
    now = datetime.now(UTC)
    e = Educator(id=uuid.uuid4(), tenant_id="t", given_name="Ana", family_name="Lopez", email="a@b.org",
                 career_stage="applicant", version=1, created_at=now, updated_at=now)
    hidden = educator_view(e, include_personal=False)
    assert (hidden.given_name, hidden.family_name, hidden.email) == (None, None, None)
    assert educator_view(e, include_personal=True).given_name == "Ana"
