"""PDSA cycles (IHI's model for improvement): plan -> do -> study -> act.

The study step compares what happened with what was predicted: without a prediction for every
question of the plan there is nothing to compare, so it is refused (that is what makes it a study and
not a story).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    plan = "plan"
    do = "do"
    study = "study"
    act = "act"


class Decision(StrEnum):
    adopt = "adopt"
    adapt = "adapt"
    abandon = "abandon"


NEXT = {Stage.plan: Stage.do, Stage.do: Stage.study, Stage.study: Stage.act}


def may_enter(current: Stage, to: Stage) -> bool:
    return NEXT.get(current) == to


def missing_predictions(questions: Sequence[dict[str, Any]]) -> list[int]:
    """Indexes of the plan's questions that carry no prediction (an empty plan has nothing to study)."""
    if not questions:
        return [0]
    return [n for n, q in enumerate(questions) if not (q.get("prediction") or "").strip()]
