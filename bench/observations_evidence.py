"""E1: the evidence check, without a database: notes checked per second (language detected, as when a
note arrives without one), and precision/recall on the labelled corpus in tests/data/observations/.

    from bench.observations_evidence import run; run()   # -> list of figures, bounded (< 30 s)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from services.observations.records import evidence
from services.observations.records.evidence import check

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "observations"


def _corpus() -> list[tuple[str, bool, str]]:
    rows = []
    for path in sorted(CORPUS.glob("evidence_*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                label, _, text = line.split("\t")
                rows.append((path.stem.split("_")[1], label == "e", text))
    return rows


def run(seconds: float = 5.0) -> list[dict[str, Any]]:
    notes = _corpus()
    for lang in {n[0]: n[2] for n in notes}.values():  # load the language model and the dictionaries once
        check(lang)
    # Verdicts are kept per note (autosave resends unchanged notes): each pass starts without them, so
    # this is the check itself; the kept verdict's rate is its own figure.
    checked, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        evidence._check.cache_clear()
        for _, _, text in notes:
            check(text)
        checked += len(notes)
    rate = checked / (time.perf_counter() - t0)
    seen, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.0:
        for _, _, text in notes:
            check(text)
        seen += len(notes)
    seen_rate = seen / (time.perf_counter() - t0)
    figures: list[dict[str, Any]] = [
        {"scenario": "E1 evidence check throughput (language detected)", "value": round(rate), "unit": "notes/s",
         "target": ">= 500 notes/s", "ok": rate >= 500, "detail": {"notes": checked}},
        {"scenario": "E1 evidence check of a note seen before (autosave)", "value": round(seen_rate),
         "unit": "notes/s", "target": "-", "ok": None, "detail": {"notes": seen}}]
    for lang in sorted({n[0] for n in notes}):
        mine = [(evaluative, not check(text).descriptive) for lg, evaluative, text in notes if lg == lang]
        tp = sum(e and f for e, f in mine)
        fp = sum(f and not e for e, f in mine)
        fn = sum(e and not f for e, f in mine)
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        worst = round(min(precision, recall), 3)
        figures.append({"scenario": f"E1 evidence check on the corpus ({lang})", "value": worst,
                        "unit": "min(precision, recall)", "target": ">= 0.9", "ok": min(precision, recall) >= 0.9,
                        "detail": {"notes": len(mine), "precision": round(precision, 3), "recall": round(recall, 3)}})
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
