from __future__ import annotations

import pytest

from services.observations.visits.lifecycle import (
    IllegalTransition,
    RecordStatus,
    VisitStatus,
    debrief_writable,
    missing_for_debriefed,
    next_record_status,
    next_visit_status,
    record_editable,
)


def test_lifecycles_refuse_illegal_transitions() -> None:
    assert next_visit_status(VisitStatus.planned, VisitStatus.in_progress) == VisitStatus.in_progress
    with pytest.raises(IllegalTransition) as skipped:
        next_visit_status(VisitStatus.planned, VisitStatus.debriefed)
    assert "in_progress" in str(skipped.value)
    assert next_record_status(RecordStatus.submitted, RecordStatus.reopened, VisitStatus.in_progress)
    with pytest.raises(IllegalTransition):
        next_record_status(RecordStatus.submitted, RecordStatus.reopened, VisitStatus.debriefed)
    assert record_editable(RecordStatus.reopened, VisitStatus.in_progress)
    assert not record_editable(RecordStatus.submitted, VisitStatus.in_progress)
    assert not record_editable(RecordStatus.draft, VisitStatus.debriefed)


def test_a_round_is_observed_then_debriefed() -> None:
    assert next_visit_status(VisitStatus.in_progress, VisitStatus.observed) == VisitStatus.observed
    assert next_visit_status(VisitStatus.observed, VisitStatus.debriefed) == VisitStatus.debriefed
    with pytest.raises(IllegalTransition):
        next_visit_status(VisitStatus.planned, VisitStatus.observed)


def test_the_debrief_is_written_only_during_the_round() -> None:
    """Issue 10: a debrief could be saved while the visit was still planned."""
    assert not debrief_writable(VisitStatus.planned)
    assert debrief_writable(VisitStatus.in_progress) and debrief_writable(VisitStatus.observed)
    assert not debrief_writable(VisitStatus.debriefed) and not debrief_writable(VisitStatus.closed)


def test_no_debriefed_visit_without_a_prediction() -> None:
    assert missing_for_debriefed(None) is not None and missing_for_debriefed("") is not None
    assert missing_for_debriefed("Students would know one procedure for equivalent fractions") is None
