"""The OneRoster 1.2 CSV and Ed-Fi DS5 sets the import tests use, written from the specifications.

`oneroster/bulk` is a whole district (a district, two schools, a department; staff, a student, a guardian;
a school year and a term), `oneroster/delta` the changes a day later (a new school and teacher, a rename,
a teacher and a school tobedeleted, a new student). `edfi/staff.json` holds a person with two assignments
and a superintendent assigned to the district, not a school.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def oneroster(mode: str) -> dict[str, str]:
    """The files of a set ("bulk" or "delta"), name -> text."""
    return {p.name: p.read_text() for p in sorted((HERE / "oneroster" / mode).glob("*.csv"))}


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def with_cell(files: dict[str, str], file: str, line: int, column: str, value: str) -> dict[str, str]:
    """A copy of the set with one cell changed (line 1 is the header: `column` renames a header cell)."""
    rows = list(csv.reader(io.StringIO(files[file])))
    header = rows[0]
    if line == 1:
        rows[0] = [value if h == column else h for h in header]
    else:
        rows[line - 1][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return {**files, file: out.getvalue()}


def edfi() -> dict[str, Any]:
    return copy.deepcopy(json.loads((HERE / "edfi" / "staff.json").read_text()))
