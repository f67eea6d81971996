"""Calibration's API models."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from libs.common.fields import Code, Short, Strict
from services.observations.examples import (
    CALIBRATION,
    FACILITATOR,
    OBSERVER,
    OBSERVER_2,
    OBSERVER_3,
    PROTOCOL_VERSION,
)

SEGMENTS: list[Any] = ["Grade 4 fractions video, 00:00-05:00", "Grade 4 fractions video, 05:00-10:00",
                       "Grade 5 fractions video, 00:00-05:00", "Grade 5 fractions video, 05:00-10:00"]
CODING: dict[str, Any] = {SEGMENTS[0]: ["T1", "S1"], SEGMENTS[1]: ["S1", "K1"], SEGMENTS[2]: ["T2"],
                          SEGMENTS[3]: ["T2", "K1"]}
AGREEMENT = {  # code: percent agreement, Fleiss' kappa, its standard error (Wald interval: kappa -+ 1.96 se)
    "T1": (0.833, 0.625, 0.204), "S1": (0.833, 0.667, 0.204), "K1": (0.667, 0.333, 0.250),
    "T2": (1.0, 1.0, 0.0)}


class CalibrationCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"protocol_version_id": PROTOCOL_VERSION, "items": SEGMENTS, "facilitator_id": FACILITATOR}]})

    protocol_version_id: uuid.UUID
    items: list[Short] = Field(min_length=1, max_length=50, description="The segments everyone codes.")
    facilitator_id: uuid.UUID | None = Field(None, description="The educator facilitating: the one who may read "
                                                               "every observer's agreement (default: you).")


class CodingIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"observer_id": OBSERVER, "codes": CODING}]})

    observer_id: uuid.UUID
    codes: dict[str, list[Code]] = Field(description="For each item, the look-fors it shows.")


class LookForAgreementPublic(BaseModel):
    code: str = Field(examples=["S1"])
    items: int = Field(examples=[4])
    percent_agreement: float = Field(examples=[0.833])
    kappa: float | None = Field(examples=[0.667])
    method: str = Field(description="fleiss, for any team size", examples=["fleiss"])
    standard_error: float | None = Field(None, examples=[0.204])
    ci_low: float | None = Field(None, description="95% interval (Wald, unclipped)", examples=[0.267])
    ci_high: float | None = Field(None, examples=[1.067])
    cohen_kappa: float | None = Field(None, description="With exactly two observers, Cohen's kappa beside it.",
                                      examples=[None])


class CalibrationPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": CALIBRATION, "protocol_version_id": PROTOCOL_VERSION, "items": SEGMENTS,
        "observers": [OBSERVER, OBSERVER_2, OBSERVER_3],
        "look_fors": [{"code": code, "items": len(SEGMENTS), "percent_agreement": p, "kappa": k, "method": "fleiss",
                       "standard_error": se, "ci_low": round(k - 1.96 * se, 3), "ci_high": round(k + 1.96 * se, 3),
                       "cohen_kappa": None} for code, (p, k, se) in AGREEMENT.items()],
        "observer_agreement": {OBSERVER: 0.62, OBSERVER_2: 0.71, OBSERVER_3: 0.48}}]})

    id: uuid.UUID
    protocol_version_id: uuid.UUID
    items: list[str]
    observers: list[uuid.UUID]
    look_fors: list[LookForAgreementPublic]
    observer_agreement: dict[str, float | None] = Field(description=(
        "Each observer's kappa against the others' consensus: all of them for the facilitator, your own for "
        "an observer, none for anyone else."))
