"""Calibration's API models."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from libs.common.fields import Code, Short, Strict


class CalibrationCreate(Strict):
    protocol_version_id: uuid.UUID
    items: list[Short] = Field(min_length=1, max_length=50, description="The segments everyone codes.")
    facilitator_id: uuid.UUID | None = Field(None, description="The educator facilitating: the one who may read "
                                                               "every observer's agreement (default: you).")


class CodingIn(Strict):
    observer_id: uuid.UUID
    codes: dict[str, list[Code]] = Field(description="For each item, the look-fors it shows.")


class LookForAgreementPublic(BaseModel):
    code: str
    items: int
    percent_agreement: float
    kappa: float | None
    method: str = Field(description="fleiss, for any team size")
    standard_error: float | None = None
    ci_low: float | None = Field(None, description="95% interval (Wald, unclipped)")
    ci_high: float | None = None
    cohen_kappa: float | None = Field(None, description="With exactly two observers, Cohen's kappa beside it.")


class CalibrationPublic(BaseModel):
    id: uuid.UUID
    protocol_version_id: uuid.UUID
    items: list[str]
    observers: list[uuid.UUID]
    look_fors: list[LookForAgreementPublic]
    observer_agreement: dict[str, float | None] = Field(description=(
        "Each observer's kappa against the others' consensus: all of them for the facilitator, your own for "
        "an observer, none for anyone else."))
