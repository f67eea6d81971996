"""What every import shares (pure: no database): issues, their report, dates, and the plan a valid set becomes.

A file set is first read and validated whole; only a set without a single issue becomes a `Plan`, which the
service applies in one transaction. Nothing is written from a set that fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any

MAX_REPORTED_ISSUES = 1000
REDACTED = "[personal data: hr:pii]"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Issue:
    """One defect: where it is (file, line, column), what was there, and what was expected.

    `personal` values (names, e-mails...) are shown only to readers with hr:pii; a row hr must never keep
    (a student's) is reported with `value=None` and nothing of its content.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    personal: bool = False

    def stored(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "value": self.value,
                "expected": self.expected, "personal": self.personal}


def visible_issue(stored: Mapping[str, Any], *, include_personal: bool) -> dict[str, Any]:
    """An issue as a reader sees it: a personal value redacted without hr:pii."""
    value = stored.get("value")
    if stored.get("personal") and value is not None and not include_personal:
        value = REDACTED
    return {"file": stored["file"], "line": stored.get("line"), "column": stored.get("column"), "value": value,
            "expected": stored["expected"]}


def report_issues(issues: Iterable[Issue]) -> tuple[list[dict[str, Any]], int, int]:
    """(the first issues to keep, how many there were, how many distinct rows they touch)."""
    items = list(issues)
    rows = {(i.file, i.line) for i in items if i.line is not None}
    return [i.stored() for i in items[:MAX_REPORTED_ISSUES]], len(items), len(rows)


def parse_date(value: str) -> date | None:
    """An ISO 8601 calendar date (YYYY-MM-DD), else None."""
    if not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 date-time with its offset (2026-09-01T12:00:00.000Z), else None."""
    if not ISO_DATETIME.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def is_email(value: str) -> bool:
    return len(value) <= 320 and bool(EMAIL.match(value))


def did_you_mean(name: str, known: Iterable[str]) -> str:
    close = get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class OrgRecord:
    """A district or school to create or update, keyed by its external id in the source."""

    key: str
    name: str
    file: str
    line: int
    parent: str | None = None  # a school's district (its key), when the source names one
    modified: datetime | None = None


@dataclass
class EducatorRecord:
    """An educator to create or update. Only the facts the set carries are set (`fields`): a delta row
    with a name and no role keeps the school and position hr holds."""

    key: str
    file: str
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    org: str | None = None  # the key of the school (or district) the primary role or assignment is at
    has_org: bool = False  # False: the set says nothing of where the educator works
    modified: datetime | None = None


@dataclass(frozen=True)
class Removal:
    key: str
    file: str
    line: int
    modified: datetime | None = None


@dataclass
class Plan:
    """A validated set, ready to apply. `match_*`: the external id each kind is matched on in hr."""

    match_orgs: str
    match_educators: str
    districts: list[OrgRecord] = field(default_factory=list)
    schools: list[OrgRecord] = field(default_factory=list)
    educators: list[EducatorRecord] = field(default_factory=list)
    remove_districts: list[Removal] = field(default_factory=list)
    remove_schools: list[Removal] = field(default_factory=list)
    remove_educators: list[Removal] = field(default_factory=list)
    rows_read: int = 0
    ignored: int = 0  # rows hr does not keep (students, guardians, other org types, sessions, other files)
    files: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """External ids hr already holds in the tenant (what a delta set may refer to without carrying)."""

    districts: frozenset[str] = frozenset()
    schools: frozenset[str] = frozenset()
    educators: frozenset[str] = frozenset()


def stale(incoming: datetime | None, held: datetime | None) -> bool:
    """A row whose dateLastModified is not newer than the one hr applied last changes nothing."""
    return incoming is not None and held is not None and incoming <= held
