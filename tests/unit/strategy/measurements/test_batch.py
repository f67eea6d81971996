"""A bulk batch validates each row on its own, so the service can check the rest against the tenant."""

from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from services.strategy.measurements.schemas import MeasurementBatch

SCHOOL = uuid.uuid4()


def row(n: int, **changes: object) -> dict[str, object]:
    return {"external_id": f"sis-{n}", "school_id": str(SCHOOL), "measure": "math", "period": f"2018-19-T{n}",
            "value": 40 + n, **changes}


def test_well_formed_rows_are_kept_with_their_index_and_bad_ones_reported() -> None:
    batch = MeasurementBatch.model_validate({"items": [row(1), row(2, value="high"), row(3)]})
    assert [(n, i.external_id) for n, i in batch.rows()] == [(0, "sis-1"), (2, "sis-3")]
    assert [(e["loc"], e["type"]) for e in batch.rejected] == [(("items", 1, "value"), "float_parsing")]
    assert batch.rejected_schools == {1: SCHOOL}  # its school is still checked against the tenant


def test_a_bad_school_id_is_not_looked_up_and_every_row_may_be_bad() -> None:
    batch = MeasurementBatch.model_validate({"items": [row(1, school_id="x", value="y"), row(2, period="?")]})
    assert batch.rows() == []
    assert [e["loc"] for e in batch.rejected] == [("items", 0, "school_id"), ("items", 0, "value"),
                                                  ("items", 1, "period")]
    assert batch.rejected_schools == {1: SCHOOL}


def test_a_good_batch_keeps_every_row() -> None:
    batch = MeasurementBatch.model_validate({"items": [row(1), row(2)]})
    assert [n for n, _ in batch.rows()] == [0, 1] and batch.rejected == [] and batch.rejected_schools == {}


@pytest.mark.parametrize("body", [{"items": []}, {"items": "rows"}, {"items": [row(1, value="x")], "extra": 1},
                                  {"items": [row(1)] * 5001}])
def test_a_batch_wrong_as_a_whole_is_refused_as_pydantic_says(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MeasurementBatch.model_validate(body)
