"""`--output table|json|csv`: the same answer for people (rich tables) and for scripts (JSON of what the API
answered, CSV of the rows). Hints about what to do next go to stderr, so stdout stays parseable."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table


class Output(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def emit(fmt: Output, data: Any, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
         title: str | None = None) -> None:
    """Print the answer: JSON is `data` as is; CSV and the table are `rows` by `columns`."""
    if fmt is Output.json:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    elif fmt is Output.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: cell(r.get(c)) for c in columns})
    else:
        table(rows, columns, title)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str | None = None) -> None:
    t = Table(title=title, title_justify="left", show_lines=False)
    for c in columns:
        t.add_column(c.replace("_", " "), overflow="fold")
    for r in rows:
        t.add_row(*(cell(r.get(c)) for c in columns))
    out.print(t)


def hint(text: str) -> None:
    """What to do next (stderr: never in the way of a script reading stdout)."""
    err.print(f"[dim]next:[/dim] {text}")


def note(text: str) -> None:
    err.print(text)
