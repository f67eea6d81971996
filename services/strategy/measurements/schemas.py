from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError, model_validator
from pydantic_core import ErrorDetails

from libs.common.fields import ExternalId, Strict
from libs.common.openapi_examples import example_id
from services.strategy.fields import Measure, Period

MEASUREMENTS: list[Any] = [  # a trimester's results from the SIS: the writing share the goal follows, and math
    {"external_id": "sis-hms-writing-g7-2026-27-T1", "school_id": example_id("school_id"), "measure": "writing-g7",
     "period": "2026-27-T1", "value": 41.5},
    {"external_id": "sis-hms-math-g7-2026-27-T1", "school_id": example_id("school_id"), "measure": "math-g7",
     "period": "2026-27-T1", "value": 44.0}]
Source = Literal["bulk", "observations"]  # a district's load, or observations' practice-quality index


class MeasurementIn(Strict):
    external_id: ExternalId = Field(examples=[MEASUREMENTS[0]["external_id"]])
    school_id: uuid.UUID
    measure: Measure = Field(examples=["writing-g7"])
    period: Period = Field(examples=["2026-27-T1"])
    value: float = Field(allow_inf_nan=False, ge=-1e12, le=1e12, examples=[41.5])


MAX_ROWS = 5000
_UUID = TypeAdapter(uuid.UUID)


def row_errors(errors: list[ErrorDetails]) -> dict[int, list[ErrorDetails]] | None:
    """pydantic's errors of a batch, by row (`items[n]...`); None when one is about the batch itself (no
    `items` list, too many rows, an unknown field beside `items`): then the batch is refused as it is."""
    by_row: dict[int, list[ErrorDetails]] = {}
    for e in errors:
        loc = e["loc"]
        if len(loc) < 2 or loc[0] != "items" or not isinstance(loc[1], int):
            return None
        by_row.setdefault(loc[1], []).append(e)
    return by_row


def well_formed_school(row: Any, errors: list[ErrorDetails]) -> uuid.UUID | None:
    """The school id of a row refused for other fields, when it is itself well formed (so the reference
    check still names it)."""
    if not isinstance(row, dict) or any(e["loc"][2:3] == ("school_id",) for e in errors):
        return None
    try:
        return _UUID.validate_python(row.get("school_id"))
    except ValidationError:
        return None


class MeasurementBatch(Strict):
    """Every row is validated on its own: a row refused by its own fields leaves the others to be checked
    against the tenant (schools), so one 422 names every bad row's index and field (measurements/service)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": MEASUREMENTS}]})

    items: list[MeasurementIn] = Field(min_length=1, max_length=MAX_ROWS)
    _positions: list[int] = PrivateAttr(default_factory=list)  # each kept item's index in the batch as sent
    _rejected: list[ErrorDetails] = PrivateAttr(default_factory=list)  # the refused rows' own errors
    _rejected_schools: dict[int, uuid.UUID] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _each_row(cls, data: Any, handler: Any) -> MeasurementBatch:
        try:
            batch: MeasurementBatch = handler(data)
        except ValidationError as exc:
            by_row = row_errors(exc.errors())
            if by_row is None:
                raise
            rows = data["items"]
            kept = [r for n, r in enumerate(rows) if n not in by_row]
            batch = handler({**data, "items": kept}) if kept else cls.model_construct(items=[])
            batch._positions = [n for n in range(len(rows)) if n not in by_row]
            batch._rejected = [e for n in sorted(by_row) for e in by_row[n]]
            batch._rejected_schools = {n: s for n, errors in by_row.items()
                                       if (s := well_formed_school(rows[n], errors)) is not None}
            return batch
        batch._positions = list(range(len(batch.items)))
        return batch

    def rows(self) -> list[tuple[int, MeasurementIn]]:
        """The well-formed rows, each with its index in the batch as sent."""
        return list(zip(self._positions, self.items, strict=True))

    @property
    def rejected(self) -> list[ErrorDetails]:
        """pydantic's errors of the rows refused by their own fields (`loc` from `items`)."""
        return self._rejected

    @property
    def rejected_schools(self) -> dict[int, uuid.UUID]:
        """index -> school id of each refused row whose school id is well formed."""
        return self._rejected_schools


class BatchItemResult(Strict):
    index: int
    external_id: str = Field(examples=[MEASUREMENTS[0]["external_id"]])
    outcome: Literal["created", "updated", "unchanged"]


class BatchResult(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"created": 2, "updated": 0, "unchanged": 0, "items": [
            {"index": n, "external_id": m["external_id"], "outcome": "created"} for n, m in enumerate(MEASUREMENTS)]}]})

    created: int
    updated: int
    unchanged: int
    items: list[BatchItemResult]


class MeasurementPublic(Strict):
    """A school's value of a measure for a period, loaded in bulk or from observations' practice-quality
    index."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("measurement_id"), **MEASUREMENTS[0], "source": "bulk",
        "updated_at": "2026-12-18T09:30:00Z"}]})

    id: uuid.UUID
    school_id: uuid.UUID
    measure: str
    period: str
    value: float
    source: Source
    external_id: str | None = Field(description="The SIS's id of the row (none for observations' values).")
    updated_at: datetime
