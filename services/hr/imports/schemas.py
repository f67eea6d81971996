"""The import job resource as the API returns it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from libs.common.openapi_examples import example_id

Status = Literal["queued", "validating", "applying", "succeeded", "failed"]
Format = Literal["oneroster", "edfi"]


class Progress(BaseModel):
    read: int = Field(description="Data rows read from the set (every file hr reads, students' rows included).",
                      examples=[1214])
    written: int = Field(description="Records created, updated or removed.", examples=[93])
    unchanged: int = Field(description="Records already as the set says (a re-import counts everything here).",
                           examples=[0])
    failed: int = Field(description="Lines (Ed-Fi: records) with at least one issue; a set with any is not applied.",
                        examples=[0])


ISSUE: dict[str, Any] = {"file": "users.csv", "line": 88, "column": "email", "value": "t.lindqvist@example",
         "expected": "an e-mail address"}
FILES: dict[str, Any] = {"orgs.csv": {"mode": "bulk", "rows": 3}, "users.csv": {"mode": "bulk", "rows": 1187},
         "academicSessions.csv": {"mode": "bulk", "rows": 24}}


class ReportIssue(BaseModel):
    file: str = Field(description="The file (OneRoster) or ODS/API resource (Ed-Fi) the issue is in.",
                      examples=[ISSUE["file"]])
    line: int | None = Field(description="The CSV line (the header is line 1), or the record's 1-based position.",
                             examples=[ISSUE["line"]])
    column: str | None = Field(description="The column (OneRoster) or field path (Ed-Fi).", examples=[ISSUE["column"]])
    value: str | None = Field(description="What was there; personal values only with hr:pii, students' never.",
                              examples=[ISSUE["value"]])
    expected: str = Field(examples=[ISSUE["expected"]])


class Report(BaseModel):
    """The report of a set refused whole: one line's issue, nothing written."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"issues": [ISSUE], "issue_count": 1, "files": FILES, "ignored": 1121, "outcomes": {}, "error": None}]})

    issues: list[ReportIssue] = Field(default_factory=list, description="The first 1,000 issues.")
    issue_count: int = 0
    files: dict[str, Any] = Field(default_factory=dict, description="Per file: its mode and rows.")
    ignored: int = Field(0, description="Rows hr does not keep: students, guardians, other org types, sessions.")
    outcomes: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Per kind (districts, schools, educators): created, updated, unchanged, "
                                          "removed, stale (older than what hr holds).")
    error: str | None = Field(None, description="Why a job failed when it is not the set's fault (interrupted).")


def _outcome(created: int) -> dict[str, Any]:
    return {"created": created, "updated": 0, "unchanged": 0, "removed": 0, "stale": 0}


class ImportJobPublic(BaseModel):
    """A first OneRoster bulk import, applied: one district, two schools, 90 staff (students' rows ignored)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("import_job_id"), "format": "oneroster", "status": "succeeded",
        "progress": {"read": 1214, "written": 93, "unchanged": 0, "failed": 0}, "attempts": 1,
        "report": {"issues": [], "issue_count": 0, "files": FILES, "ignored": 1121,
                   "outcomes": {"districts": _outcome(1), "schools": _outcome(2), "educators": _outcome(90)},
                   "error": None},
        "created_at": "2026-09-14T08:30:00Z", "started_at": "2026-09-14T08:30:02Z",
        "finished_at": "2026-09-14T08:30:41Z"}]})

    id: uuid.UUID
    format: Format
    status: Status
    progress: Progress
    attempts: int = Field(description="Runs started; a job interrupted by a restart runs again from the start.")
    report: Report
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
