"""The evidence check: is a note descriptive evidence, or the observer's judgement?

Observation "focuses as much as possible on the visible evidence in the classroom, not on the personal
attributes of the teacher and not on the observer's normative stance" (Elmore). A note is evaluative
when it uses words of judgement ("great", "poor"), prescription ("should") or deficit ("lacks"); the
observer is shown those words and how to write what was seen instead.

Lexicons are per language (the essays' Hamilton Elementary works in English, Spanish, Haitian Creole
and Chinese) and a tenant can add its own terms. Pure functions: no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    judgement = "judgement"
    prescription = "prescription"
    deficit = "deficit"


SUGGESTIONS = {
    Kind.judgement: "Write what you saw and heard instead: who did what, what was said, what students produced.",
    Kind.prescription: "Record what happened; keep recommendations for the debrief's next level of work.",
    Kind.deficit: "Describe what was present (or what students did instead), not what was missing.",
}

# Shipped lexicons. Multi-word terms match as phrases; matching ignores case and accents.
LEXICONS: dict[str, dict[Kind, tuple[str, ...]]] = {
    "en": {
        Kind.judgement: ("great", "good", "excellent", "poor", "bad", "wonderful", "terrible", "amazing",
                         "awesome", "nice", "effective", "ineffective", "engaging", "boring", "strong", "weak",
                         "impressive", "disappointing", "well managed", "disorganized", "chaotic", "lazy",
                         "best", "worst", "better", "worse", "perfect", "awful", "outstanding", "mediocre"),
        Kind.prescription: ("should", "shouldn't", "should not", "must", "needs to", "need to", "ought to",
                            "has to", "have to", "would be better", "could improve", "it would help"),
        Kind.deficit: ("lacks", "lacking", "lack of", "failed", "fails to", "unable to", "didn't bother",
                       "no attempt", "unprepared", "off task"),
    },
    "es": {
        Kind.judgement: ("bueno", "buena", "excelente", "malo", "mala", "pobre", "maravilloso", "terrible",
                         "aburrido", "aburrida", "efectivo", "eficaz", "ineficaz", "desorganizado", "mejor",
                         "peor"),
        Kind.prescription: ("deberia", "deberian", "debe", "tiene que", "tienen que", "hay que", "necesita"),
        Kind.deficit: ("falta", "carece", "no logra", "fracaso"),
    },
    "ht": {
        Kind.judgement: ("bon", "bel", "ekselan", "move", "pa bon", "enteresan", "raz"),
        Kind.prescription: ("ta dwe", "dwe", "fok", "bezwen"),
        Kind.deficit: ("manke", "pa rive"),
    },
    "zh": {
        Kind.judgement: ("很好", "非常好", "优秀", "出色", "差", "糟糕", "无聊", "有效", "无效", "混乱"),
        Kind.prescription: ("应该", "必须", "需要"),
        Kind.deficit: ("缺乏", "没有能力", "失败"),
    },
}
SPACELESS = {"zh"}  # languages written without spaces: terms match anywhere in the text


@dataclass(frozen=True)
class Flag:
    term: str
    kind: Kind
    suggestion: str


@dataclass(frozen=True)
class Verdict:
    descriptive: bool
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def words(self) -> list[str]:
        return [f.term for f in self.flags]


def fold(text: str) -> str:
    """Lower case without accents, so "debería" and "deberia" match the same term."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lexicon_for(language: str, extra: Mapping[str, Iterable[str]] | None = None) -> dict[Kind, tuple[str, ...]]:
    """The shipped lexicon of a language (English when unknown), with a tenant's own terms added."""
    base = LEXICONS.get(language, LEXICONS["en"])
    merged = {kind: tuple(terms) for kind, terms in base.items()}
    for kind_name, terms in (extra or {}).items():
        kind = Kind(kind_name)
        merged[kind] = tuple(dict.fromkeys([*merged.get(kind, ()), *terms]))
    return merged


def _pattern(term: str, spaceless: bool) -> re.Pattern[str]:
    folded = re.escape(fold(term)).replace(r"\ ", r"\s+")
    return re.compile(folded if spaceless else rf"(?<![\w']){folded}(?![\w'])")


def check(note: str, language: str = "en", extra: Mapping[str, Iterable[str]] | None = None) -> Verdict:
    """The verdict on one note; evaluative terms are listed in the order they appear."""
    text = fold(note)
    spaceless = language in SPACELESS
    found: list[tuple[int, Flag]] = []
    taken: list[tuple[int, int]] = []
    lexicon = lexicon_for(language, extra)
    # longest terms first, so "should not" is one flag, not "should" and a leftover
    terms = sorted(((t, k) for k, ts in lexicon.items() for t in ts), key=lambda tk: -len(tk[0]))
    for term, kind in terms:
        for match in _pattern(term, spaceless).finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append((span[0], Flag(term, kind, SUGGESTIONS[kind])))
    flags = tuple(f for _, f in sorted(found, key=lambda pf: pf[0]))
    return Verdict(descriptive=not flags, flags=flags)


def descriptive_share(verdicts: Iterable[Verdict]) -> float | None:
    """An observer's calibration figure: the share of their notes that are descriptive."""
    all_verdicts = list(verdicts)
    if not all_verdicts:
        return None
    return sum(v.descriptive for v in all_verdicts) / len(all_verdicts)
