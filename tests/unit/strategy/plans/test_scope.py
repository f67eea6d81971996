from __future__ import annotations

import uuid

from services.strategy.plans import scope

NORTH, SOUTH, SCHOOL = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def test_a_plan_names_what_its_level_needs_and_a_period_in_order() -> None:
    assert scope.scope_errors("district", NORTH, None, "2026-27", "2027-28") == []
    assert scope.scope_errors("school", None, SCHOOL, "2026-27-T1", "2026-27-T1") == []
    assert [f for f, _ in scope.scope_errors("district", None, SCHOOL, "2026-27", "2026-27")] == ["district_id"]
    assert [f for f, _ in scope.scope_errors("school", NORTH, None, "2026-27", "2026-27")] == ["school_id"]
    assert [f for f, _ in scope.scope_errors("district", None, None, "2027-28", "2026-27")] == [
        "district_id", "period_end"]


def test_a_plans_district_is_its_schools() -> None:
    assert scope.district_mismatch(None, NORTH) is None  # none named: nothing to contradict
    assert scope.district_mismatch(NORTH, NORTH) is None
    assert scope.district_mismatch(SOUTH, NORTH) == "not the district of the plan's school (school_id)"
    assert scope.district_mismatch(NORTH, None) == "the plan's school belongs to no district in hr's directory"
    assert scope.plan_district(None, NORTH) == NORTH  # a school plan takes its school's district
    assert scope.plan_district(NORTH, NORTH) == NORTH
    assert scope.plan_district(None, None) is None
