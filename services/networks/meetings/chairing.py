"""Who should chair: a ranking by turn and expertise, never by position ("who's chairing the meeting?").

expertise = share of the agenda's tags found in the member's own tags or in the tags of practices they
            contributed to the library (0 when the agenda has no tags);
turn      = 1 if the member never chaired, else min(meetings since they last chaired, ROTATION) / ROTATION;
score     = EXPERTISE_WEIGHT * expertise + (1 - EXPERTISE_WEIGHT) * turn.

Expertise weighs more than turn: a meeting about a practice is best led by who knows it, and turn
keeps one expert from chairing forever. Role and position are not inputs at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

EXPERTISE_WEIGHT = 0.7
ROTATION = 4  # after this many meetings without chairing, a member's turn is full


@dataclass(frozen=True)
class Candidate:
    educator_id: uuid.UUID
    tags: frozenset[str] = frozenset()
    practice_tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ranked:
    rank: int
    educator_id: uuid.UUID
    score: float
    expertise: float
    turn: float
    matched_tags: list[str] = field(default_factory=list)
    reason: str = "rotation"  # expertise or rotation: what the chair would be recorded for
    explanation: str = ""


def turn(educator_id: uuid.UUID, chairs_newest_last: Sequence[uuid.UUID]) -> float:
    """1.0 for a member who never chaired; else meetings since their last chairing, over ROTATION."""
    for since, chair in enumerate(reversed(chairs_newest_last)):
        if chair == educator_id:
            return min(since, ROTATION) / ROTATION
    return 1.0


def expertise(candidate: Candidate, agenda_tags: Iterable[str]) -> tuple[float, list[str]]:
    wanted = sorted(set(agenda_tags))
    if not wanted:
        return 0.0, []
    matched = [t for t in wanted if t in candidate.tags or t in candidate.practice_tags]
    return len(matched) / len(wanted), matched


def rank_chairs(candidates: Iterable[Candidate], agenda_tags: Iterable[str],
                chairs_newest_last: Sequence[uuid.UUID]) -> list[Ranked]:
    """Candidates best first (ties: the longer wait, then the id, so the order is stable)."""
    tags = list(agenda_tags)
    scored = []
    for c in candidates:
        e, matched = expertise(c, tags)
        t = turn(c.educator_id, chairs_newest_last)
        scored.append((round(EXPERTISE_WEIGHT * e + (1 - EXPERTISE_WEIGHT) * t, 6), e, t, matched, c))
    scored.sort(key=lambda s: (-s[0], -s[2], str(s[4].educator_id)))
    return [Ranked(n, c.educator_id, score, e, t, matched, _reason(e, t), _explain(e, t, matched, len(set(tags))))
            for n, (score, e, t, matched, c) in enumerate(scored, start=1)]


def _reason(e: float, t: float) -> str:
    return "expertise" if EXPERTISE_WEIGHT * e >= (1 - EXPERTISE_WEIGHT) * t and e > 0 else "rotation"


def _explain(e: float, t: float, matched: list[str], wanted: int) -> str:
    knows = (f"knows {len(matched)} of the agenda's {wanted} tags ({', '.join(matched)})" if matched
             else "matches none of the agenda's tags")
    waited = "has never chaired" if t == 1.0 else (
        "chaired the last meeting" if t == 0 else f"last chaired {round(t * ROTATION)} meetings ago")
    return f"{knows}; {waited}"
