"""The offline evidence queue: notes captured without a connection wait in a local SQLite file, each with
an id made on this device, and go up through the offline batch endpoint when the connection is back.

The server knows a record by its device id (`client_id`): a record it already has answers `unchanged`, so
a resend (a sync cut off after the server committed, run again) writes nothing twice. The ids are kept in
the file before the first send, so every resend uses the same ones."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from improvenet_client import models as m
from improvenet_client._sync_client import Client

BATCH_RECORDS = 100  # the endpoint's limit per batch

SCHEMA = """
CREATE TABLE IF NOT EXISTS device (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS notes (
    client_id TEXT PRIMARY KEY,          -- the note's device id
    visit_id TEXT NOT NULL, classroom_id TEXT NOT NULL, observer_id TEXT NOT NULL,
    observed_at TEXT NOT NULL, text TEXT NOT NULL, look_for_codes TEXT NOT NULL, language TEXT,
    queued_at TEXT NOT NULL,
    record_client_id TEXT,               -- the record it goes up in: fixed before the first send
    record_id TEXT, uploaded_at TEXT     -- the server's record once it answered
);
CREATE TABLE IF NOT EXISTS visits (id TEXT PRIMARY KEY, body TEXT NOT NULL, cached_at TEXT NOT NULL);
"""


@dataclass
class SyncResult:
    records_created: int = 0
    records_unchanged: int = 0
    notes: int = 0
    records: list[m.OfflineOutcome] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class OfflineQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)
            row = db.execute("SELECT value FROM device WHERE key = 'id'").fetchone()
            if row is None:
                row = (f"dev-{uuid.uuid4().hex[:12]}",)
                db.execute("INSERT INTO device VALUES ('id', ?)", row)
        self.device_id: str = row[0]

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # --- the visit, kept for rooms to be found offline ---------------------------------------------------
    def remember_visit(self, visit: m.Visit) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO visits VALUES (?, ?, ?)", (visit["id"], json.dumps(visit), _now()))

    def visit(self, visit_id: str) -> m.Visit | None:
        with self._db() as db:
            row = db.execute("SELECT body FROM visits WHERE id = ?", (visit_id,)).fetchone()
        return None if row is None else json.loads(row[0])  # type: ignore[no-any-return]

    # --- capture -----------------------------------------------------------------------------------------
    def add_note(self, visit_id: str, classroom_id: str, observer_id: str, text: str,
                 look_for_codes: list[str] | None = None, observed_at: str | None = None,
                 language: str | None = None) -> str:
        """Queue one note; returns its device id."""
        client_id = f"{self.device_id}:n:{uuid.uuid4().hex}"
        with self._db() as db:
            db.execute("INSERT INTO notes (client_id, visit_id, classroom_id, observer_id, observed_at, text, "
                       "look_for_codes, language, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (client_id, visit_id, classroom_id, observer_id, observed_at or _now(), text,
                        json.dumps(look_for_codes or []), language, _now()))
        return client_id

    def pending(self) -> list[dict[str, Any]]:
        with self._db() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM notes WHERE uploaded_at IS NULL ORDER BY queued_at, client_id").fetchall()
        return [dict(r) for r in rows]

    # --- upload ------------------------------------------------------------------------------------------
    def _assign_records(self) -> None:
        """Group the notes not yet given a record by (visit, classroom, observer) under a new device record
        id, and keep it before anything is sent."""
        with self._db() as db:
            groups = db.execute("SELECT DISTINCT visit_id, classroom_id, observer_id FROM notes "
                                "WHERE record_client_id IS NULL").fetchall()
            for visit_id, classroom_id, observer_id in groups:
                db.execute("UPDATE notes SET record_client_id = ? WHERE record_client_id IS NULL AND visit_id = ? "
                           "AND classroom_id = ? AND observer_id = ?",
                           (f"{self.device_id}:r:{uuid.uuid4().hex[:16]}", visit_id, classroom_id, observer_id))

    def batches(self, submit: bool = True) -> list[list[dict[str, Any]]]:
        """The offline batch bodies for every note not uploaded yet, at most 100 records each."""
        self._assign_records()
        records: dict[str, dict[str, Any]] = {}
        for n in self.pending():
            r = records.setdefault(n["record_client_id"], {
                "client_id": n["record_client_id"], "visit_id": n["visit_id"], "classroom_id": n["classroom_id"],
                "observer_id": n["observer_id"], "submit": submit, "notes": []})
            r["notes"].append({"client_id": n["client_id"], "observed_at": n["observed_at"], "text": n["text"],
                               "look_for_codes": json.loads(n["look_for_codes"]),
                               **({"language": n["language"]} if n["language"] else {})})
        items = list(records.values())
        return [items[i:i + BATCH_RECORDS] for i in range(0, len(items), BATCH_RECORDS)]

    def sync(self, client: Client, submit: bool = True,
             progress: Callable[[int, int], None] | None = None) -> SyncResult:
        """Upload every queued note; a batch the server refuses (422) stays queued and raises."""
        result = SyncResult()
        batches = self.batches(submit)
        for n, batch in enumerate(batches):
            answer = client.upload_offline(batch)
            with self._db() as db:
                for outcome in answer["records"]:
                    db.execute("UPDATE notes SET record_id = ?, uploaded_at = ? WHERE record_client_id = ?",
                               (outcome["id"], _now(), outcome["client_id"]))
            result.records.extend(answer["records"])
            result.records_created += sum(o["outcome"] == "created" for o in answer["records"])
            result.records_unchanged += sum(o["outcome"] == "unchanged" for o in answer["records"])
            result.notes += sum(len(r["notes"]) for r in batch)
            if progress is not None:
                progress(n + 1, len(batches))
        return result

    def forget_uploaded(self) -> None:
        """Mark every note as not uploaded again (to resend a queue on purpose; the server dedupes)."""
        with self._db() as db:
            db.execute("UPDATE notes SET uploaded_at = NULL, record_id = NULL")
