"""The practice-quality index's and observer figures' API models."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from libs.common.fields import Strict


class QualityPublic(BaseModel):
    school_id: uuid.UUID
    period: str
    protocol_version_id: uuid.UUID | None
    observed_classrooms: int
    minimum_classrooms: int
    published: bool = Field(description="False until the school and period have the minimum of classrooms: "
                                        "no figure is shown before.")
    shares: dict[str, float]
    overall: float | None


class PeriodClose(Strict):
    period: str = Field(pattern=r"^\d{4}-\d{2}-T[12]$")


class EvidenceQuality(BaseModel):
    observer_id: uuid.UUID
    notes: int | None
    descriptive: int | None
    share: float | None
    withheld: bool = Field(False, description="True (and no figures) unless you are the observer or the "
                                              "facilitator of a calibration they coded in.")
