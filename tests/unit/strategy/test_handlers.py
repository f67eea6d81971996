"""What the quality consumer turns an observations event into (the measures of a school's series)."""

from __future__ import annotations

import uuid

from libs.contracts.observations import QualityIndexUpdated
from services.strategy.handlers import CONSUMERS, quality_values


def test_the_overall_index_and_each_share_become_measures() -> None:
    p = QualityIndexUpdated(school_id=uuid.uuid4(), period="2026-27-T1", observed_classrooms=6,
                            shares={"S1": 0.5, "T1": 0.25}, overall=0.375)
    assert quality_values(p) == {"practice-quality": 0.375, "practice-quality.S1": 0.5, "practice-quality.T1": 0.25}
    none = QualityIndexUpdated(school_id=uuid.uuid4(), period="2026-27-T1", observed_classrooms=0, shares={},
                               overall=None)
    assert quality_values(none) == {}


def test_the_consumers_read_the_topics_of_the_three_producers() -> None:
    topics = {t for c in CONSUMERS for t in c.topics}
    assert {"observations.quality", "hr.professional-learning", "networks.cycle"} <= topics
    assert len({c.group for c in CONSUMERS}) == len(CONSUMERS)
