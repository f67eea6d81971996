"""The practice-quality index's and observer figures' API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Strict
from services.observations.examples import OBSERVER, PROTOCOL_VERSION, QUALITY_INDEX, SCHOOL

QUALITY: dict[str, Any] = {  # the worked example of docs/observations.md
    "school_id": SCHOOL, "period": "2026-27-T1", "protocol_version_id": PROTOCOL_VERSION,
    "observed_classrooms": 5, "minimum_classrooms": 5, "published": True,
    "shares": {"T1": 0.3, "S1": 0.3, "K1": 0.4, "T2": 0.3}, "overall": 0.425,
    "publication": "threshold", "published_at": "2026-11-24T17:05:00Z"}


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
    publication: Literal["threshold", "period_closed"] | None = Field(
        None, description="Which publication the figures are: the one made when the period reached the minimum "
                          "of classrooms, or the one made at its close. A read shows the last publication, "
                          "never the running sums: debriefs in between change it at the next publication only.")
    published_at: datetime | None = Field(None, description="When those figures were published.")


class QualityIndexPublic(QualityPublic):
    """A school's index for a period and protocol version, as `GET /quality-index` lists them."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": QUALITY_INDEX, **QUALITY}]})

    id: uuid.UUID = Field(description="The index's own id, as its tombstone in `/quality-index/deletes` names it.")


class PeriodClose(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"period": "2026-27-T1"}]})

    period: str = Field(pattern=r"^\d{4}-\d{2}-T[12]$")


class EvidenceQuality(BaseModel):
    """An observer's figures: for the observer and the facilitator of a calibration they coded in (403 for
    anyone else)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"observer_id": OBSERVER, "notes": 42, "descriptive": 37, "share": 0.881}]})

    observer_id: uuid.UUID
    notes: int
    descriptive: int
    share: float | None = Field(description="descriptive / notes; null with no notes.")
