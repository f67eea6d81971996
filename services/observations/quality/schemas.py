"""The practice-quality index's and observer figures' API models."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict
from services.observations.examples import OBSERVER, PROTOCOL_VERSION, QUALITY_INDEX, SCHOOL

QUALITY: dict[str, Any] = {  # the worked example of docs/observations.md
    "school_id": SCHOOL, "period": "2026-27-T1", "protocol_version_id": PROTOCOL_VERSION,
    "observed_classrooms": 5, "minimum_classrooms": 5, "published": True,
    "shares": {"T1": 0.3, "S1": 0.3, "K1": 0.4, "T2": 0.3}, "overall": 0.425}


class QualityPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [QUALITY]})

    school_id: uuid.UUID
    period: str
    protocol_version_id: uuid.UUID | None
    observed_classrooms: int
    minimum_classrooms: int
    published: bool = Field(description="False until the school and period have the minimum of classrooms: "
                                        "no figure is shown before.")
    shares: dict[str, float]
    overall: float | None


class QualityIndexPublic(QualityPublic):
    """A school's index for a period and protocol version, as `GET /quality-index` lists them."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": QUALITY_INDEX, **QUALITY}]})

    id: uuid.UUID = Field(description="The index's own id, as its tombstone in `/quality-index/deletes` names it.")


class PeriodClose(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"period": "2026-27-T1"}]})

    period: str = Field(pattern=r"^\d{4}-\d{2}-T[12]$")


class EvidenceQuality(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"observer_id": OBSERVER, "notes": 42, "descriptive": 37, "share": 0.881, "withheld": False}]})

    observer_id: uuid.UUID
    notes: int | None
    descriptive: int | None
    share: float | None
    withheld: bool = Field(False, description="True (and no figures) unless you are the observer or the "
                                              "facilitator of a calibration they coded in.")
