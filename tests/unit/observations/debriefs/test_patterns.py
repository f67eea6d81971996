from __future__ import annotations

from services.observations.debriefs.patterns import patterns


def test_debrief_patterns_count_classrooms_and_notes() -> None:
    notes = {"room-1": [{"T1"}, {"T1", "S2"}], "room-2": [{"S2"}], "room-3": [set()]}
    got = {p.code: (p.classrooms, p.notes) for p in patterns(notes, ["T1", "S2", "E1"])}
    assert got == {"T1": (1, 2), "S2": (2, 2), "E1": (0, 0)}
