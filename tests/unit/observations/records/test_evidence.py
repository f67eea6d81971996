from __future__ import annotations

from services.observations.records.evidence import Kind, check, descriptive_share


def test_descriptive_notes_pass() -> None:
    verdict = check("09:14 Teacher asks 'How do you know?'; 3 of 5 students at table 2 explain with drawings.")
    assert verdict.descriptive and verdict.words == []


def test_judgements_prescriptions_and_deficits_are_named_in_order() -> None:
    verdict = check("Great lesson, but the teacher should not lecture so much; the class lacks structure.")
    assert not verdict.descriptive
    assert verdict.words == ["great", "should not", "lacks"]
    assert [f.kind for f in verdict.flags] == [Kind.judgement, Kind.prescription, Kind.deficit]
    assert "debrief" in verdict.flags[1].suggestion


def test_whole_words_only_and_case_insensitive() -> None:
    verdict = check("Students goodbye-waved; the Goodman text was read aloud")
    assert [f.kind for f in verdict.flags] == [Kind.name]  # no "good" in goodbye or Goodman...
    assert verdict.words == ["Goodman"]  # ...though Goodman may be a person: the observer checks
    assert check("GOOD question from the teacher").words == ["good"]


def test_other_languages_and_accents() -> None:
    assert check("La maestra debería esperar más", language="es").words == ["deberia"]
    assert check("Pwofesè a ta dwe poze plis kesyon", language="ht").words == ["ta dwe"]
    assert check("老师应该多提问", language="zh").words == ["应该"]
    assert check("学生在黑板上画图", language="zh").descriptive


def test_a_tenant_extends_the_lexicon() -> None:
    assert check("The pacing was sluggish").descriptive
    assert check("The pacing was sluggish", extra={"judgement": ["sluggish"]}).words == ["sluggish"]


def test_an_observers_descriptive_share() -> None:
    verdicts = [check("Students count aloud"), check("Nice work"), check("Teacher points to the chart"),
                check("They should pair up")]
    assert descriptive_share(verdicts) == 0.5
    assert descriptive_share([]) is None
