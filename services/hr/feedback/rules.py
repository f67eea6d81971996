"""Feedback on practice (pure rules).

Rounds evidence never feeds evaluation: a feedback entry has no field that could cite an observation
record (a body naming one is refused as an unknown field), and hr consumes no observation events.
"""

from __future__ import annotations

from enum import StrEnum


class FeedbackDomain(StrEnum):
    instruction = "instruction"
    improvement_practice = "improvement_practice"  # the practices of improvement


class FeedbackSource(StrEnum):
    mentor = "mentor"
    supervisor = "supervisor"
    peer = "peer"
