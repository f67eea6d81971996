"""The evidence check's handling of language (issue 10): words and lemmas, not substrings; quotes are
evidence; inner states are their own kind; soft prescriptions; names; unsupported languages."""

from __future__ import annotations

from services.observations.records.evidence import Kind, check, split_quotes


def test_quoted_speech_is_evidence_and_marked() -> None:
    verdict = check("Teacher: 'You have to show your work' and “Good thinking, who can add?”")
    assert verdict.descriptive and verdict.quotes == ("You have to show your work", "Good thinking, who can add?")
    assert check("Students' answers were poor").words == ["poor"]  # a possessive is no quote
    assert split_quotes("He said \"great\" twice")[0].count("great") == 0


def test_inner_states_are_inferences() -> None:
    verdict = check("Students were engaged and on task throughout", "en")
    assert [f.kind for f in verdict.flags] == [Kind.inference, Kind.inference]
    assert check("Students seemed bored", "en").words == ["seemed", "bored"]
    assert check("The teacher engages students in a debate", "en").descriptive  # the verb, not the state


def test_forms_lemmas_and_normalisation() -> None:
    assert check("The teacher shouldn\u2019t rush", "en").words == ["shouldn't"]
    assert check("Students were off-task", "en").words == ["off task"]
    assert check("Buenas preguntas", "es").words == ["buenas"]
    assert check("A well-managed room", "en").words == ["well managed"]


def test_soft_prescriptions() -> None:
    assert check("I would suggest more wait time", "en").flags[0].kind is Kind.prescription
    assert check("Next time the teacher might want to use smaller groups", "en").words == [
        "next time", "might want to"]


def test_words_that_only_look_evaluative() -> None:
    assert check("Students add a strong acid to water", "en").descriptive
    assert check("The projector failed to start", "en").descriptive
    assert check("Which deal is better, 3 for $2 or 5 for $3?", "en").descriptive
    assert check("两个数相差多少", "zh").descriptive and check("学生找出有效数字", "zh").descriptive
    assert check("老师很好", "zh").words == ["很好"]


def test_names_are_flagged_for_rewriting() -> None:
    verdict = check("Ms Santos asks three questions", "en")
    assert verdict.verdict == "identifying" and verdict.flags[0].kind is Kind.name and not verdict.descriptive
    assert check("王老师请学生解释", "zh").words == ["王老师"]
    assert check("La Sra. Ruiz reparte tarjetas", "es").words == ["Sra. Ruiz"]


def test_an_unsupported_language_is_unchecked_never_english() -> None:
    verdict = check("Le professeur demande aux élèves d'expliquer leur raisonnement")
    assert verdict.verdict == "unchecked" and verdict.language == "fr" and not verdict.descriptive
    assert check("Great lesson", "pt").verdict == "unchecked"
    assert check("Pwofesè a ta dwe poze plis kesyon").language == "ht"
