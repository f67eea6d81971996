"""The evidence check against a labelled corpus of rounds notes (tests/data/observations/evidence_*.tsv):
precision and recall per language of "this note must be rewritten" (judgement, inference, prescription,
deficit, a person's name), with the language detected, as it is when a note arrives without one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from services.observations.records.evidence import check

CORPUS = Path(__file__).parents[3] / "data" / "observations"
LANGUAGES = ("en", "es", "ht", "zh")
TARGET = 0.9
HELD_OUT_PRECISION, HELD_OUT_RECALL = 0.95, 0.35  # just under the one measurement (1.000, 0.375): a regression bar


@dataclass(frozen=True)
class Labelled:
    language: str
    evaluative: bool
    tricky: bool
    text: str


def corpus(language: str) -> list[Labelled]:
    rows = []
    for line in (CORPUS / f"evidence_{language}.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        label, tricky, text = line.split("\t")
        rows.append(Labelled(language, label == "e", tricky == "t", text))
    return rows


def scores(notes: list[Labelled]) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    wrong = []
    for note in notes:
        verdict = check(note.text)  # no language given: detected
        flagged = not verdict.descriptive
        tp += flagged and note.evaluative
        fp += flagged and not note.evaluative
        fn += not flagged and note.evaluative
        if flagged != note.evaluative:
            wrong.append(f"{note.language} {'FP' if flagged else 'FN'} {verdict.language}: {note.text}")
    return tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, wrong


def test_the_corpus_is_large_varied_and_half_tricky() -> None:
    notes = [n for lang in LANGUAGES for n in corpus(lang)]
    assert len(notes) >= 300
    assert sum(n.tricky for n in notes) >= len(notes) / 2
    for lang in LANGUAGES:
        mine = corpus(lang)
        assert sum(n.evaluative for n in mine) >= 30 and sum(not n.evaluative for n in mine) >= 30


def test_precision_and_recall_per_language(capsys: pytest.CaptureFixture[str]) -> None:
    table = ["language  notes  precision  recall"]
    failures = []
    for lang in LANGUAGES:
        notes = corpus(lang)
        precision, recall, wrong = scores(notes)
        table.append(f"{lang:<8}  {len(notes):>5}  {precision:>9.3f}  {recall:>6.3f}")
        if precision < TARGET or recall < TARGET:
            failures.append((lang, precision, recall, wrong))
    with capsys.disabled():
        print("\nevidence check on the labelled corpus\n" + "\n".join(table))
    assert not failures, failures


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_language_is_detected(lang: str) -> None:
    notes = corpus(lang)
    detected = sum(check(n.text).language == lang for n in notes)
    assert detected / len(notes) >= 0.95, f"{lang}: {detected} of {len(notes)}"


def test_the_held_out_notes_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    """tests/data/observations/holdout-3.tsv was written and committed before the lexicon round it measures
    and is never tuned on: its figures say how the check generalises (see docs/observations.md; the first
    held-out set was tuned on in that round and is part of the corpus now). Reported, with bars of its own:
    a descriptive note is seldom flagged, and most notes to rewrite are caught."""
    notes = []
    for line in (CORPUS / "holdout-3.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, label, text = line.split("\t")
            notes.append(Labelled(lang, label == "e", True, text))
    table = ["language  notes  precision  recall"]
    every: list[Labelled] = []
    for lang in LANGUAGES:
        mine = [n for n in notes if n.language == lang]
        precision, recall, _ = scores(mine)
        every += mine
        table.append(f"{lang:<8}  {len(mine):>5}  {precision:>9.3f}  {recall:>6.3f}")
    precision, recall, wrong = scores(every)
    with capsys.disabled():
        print("\nevidence check on the held-out notes\n" + "\n".join(table) + "\n" + "\n".join(wrong))
    assert len(notes) >= 60
    assert precision >= HELD_OUT_PRECISION and recall >= HELD_OUT_RECALL, (precision, recall, wrong)
