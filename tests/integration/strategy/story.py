"""The Hamilton story's data, shared by the integration and end-to-end tests.

Terms from 2014-15-T1: performance (math) steady for eight terms, a dip when the model-classroom
initiative starts (term 8), recovery, then a rise at term 14; the practice-quality index steady, then
rising at term 12: quality leads performance by two terms.
"""

from __future__ import annotations


def term(i: int) -> str:
    year = 2014 + i // 2
    return f"{year}-{(year + 1) % 100:02d}-T{1 + i % 2}"


PERIODS = [term(i) for i in range(20)]
MATH = [50.0, 51, 50, 52, 51, 50, 51, 52, 40, 42, 47, 50, 51, 50, 62, 63, 62, 64, 63, 64]
QUALITY = [0.30, 0.31, 0.30, 0.32, 0.31, 0.30, 0.31, 0.32, 0.31, 0.30, 0.31, 0.30,
           0.60, 0.62, 0.61, 0.63, 0.62, 0.63, 0.62, 0.61]
INITIATIVE_START = 8
STATEMENT = ("if teachers observe the model classroom and adopt its practice, then student discourse rises, "
             "then math scores rise")


def math_rows(school: str, upto: int = len(PERIODS)) -> list[dict[str, object]]:
    return [{"external_id": f"sis-math-{school[:8]}-{p}", "school_id": school, "measure": "math", "period": p,
             "value": v} for p, v in zip(PERIODS[:upto], MATH[:upto], strict=True)]
