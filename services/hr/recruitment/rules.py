"""An application's stages as a state machine (pure)."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    applied = "applied"
    screened = "screened"
    interviewed = "interviewed"
    offered = "offered"
    hired = "hired"
    declined = "declined"


A = ApplicationStatus
NEXT: dict[ApplicationStatus, tuple[ApplicationStatus, ...]] = {
    A.applied: (A.screened, A.declined),
    A.screened: (A.interviewed, A.declined),
    A.interviewed: (A.offered, A.declined),
    A.offered: (A.hired, A.declined),
    A.hired: (),
    A.declined: (),
}


def allowed_next(status: str) -> list[str]:
    return [str(s) for s in NEXT[ApplicationStatus(status)]]
