"""Leadership responsibilities (pure rules)."""

from __future__ import annotations

from enum import StrEnum

from libs.contracts.networks import ChairReason


class TLMSDomain(StrEnum):
    """The Teacher Leader Model Standards' seven domains."""

    collaborative_culture = "collaborative_culture"  # I: fostering a collaborative culture
    research = "research"  # II: accessing and using research
    professional_learning = "professional_learning"  # III: promoting professional learning
    instruction = "instruction"  # IV: facilitating improvements in instruction
    assessment_data = "assessment_data"  # V: promoting the use of assessments and data
    family_community = "family_community"  # VI: improving outreach to families and community
    advocacy = "advocacy"  # VII: advocating for student learning and the profession


MINIMUM_STAGE = "intermediate_teacher"  # responsibilities are for intermediate teachers and up
CHAIR_DOMAINS = [TLMSDomain.collaborative_culture, TLMSDomain.professional_learning]


def chair_title(meeting_type: str, reason: ChairReason) -> str:
    return f"Chaired a network {meeting_type} meeting ({reason})"
