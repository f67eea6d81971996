"""The coordinators' and district IT's commands against a scripted gateway: the tenant export followed with a
progress bar and answered as a table, JSON or CSV of its manifest's files, and the next step each command
suggests on stderr (`rounds show`, `commitments close`, `report school`, `district import-status`, `export`,
`logout`)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from improvenet_client import cli
from improvenet_client.config import Profile, load_profiles, save_profile
from rich.console import Console

from tests.unit.client.test_graph_and_feed import Handler
from tests.unit.client.test_graph_and_feed import run as run

EXPORT_ID = "7e7b06e8-e555-5d18-b64c-1db10e99bc93"
SCHOOL = "5ccb1778-7eb1-5f1d-94aa-7b37713b3af6"
FILES = [{"path": "hr/educator.jsonl", "service": "hr", "resource": "educator", "rows": 3, "sha256": "9f2c" * 16,
          "personal_fields_included": []},
         {"path": "networks/network.jsonl", "service": "networks", "resource": "network", "rows": 1,
          "sha256": "1a2b" * 16, "personal_fields_included": []}]
ARCHIVE = b"PK\x05\x06" + b"\x00" * 18  # an empty zip: the CLI writes the bytes as they come


def export_job(status: str, attempts: int = 1) -> dict[str, Any]:
    done = status == "succeeded"
    return {"id": EXPORT_ID, "status": status, "personal_data": False, "attempts": attempts,
            "requested_by": "cli_1", "created_at": "2026-10-05T13:20:00Z",
            "started_at": None if status == "queued" else "2026-10-05T13:20:01Z",
            "finished_at": "2026-10-05T13:20:09Z" if done else None, "error": None,
            "archive_bytes": len(ARCHIVE) if done else None,
            "download": f"/api/v1/exports/{EXPORT_ID}/archive" if done else None, "files": FILES if done else []}


class ExportGateway:
    """POST /exports queues the job; each GET finds it one step further: running twice, then `last`."""

    def __init__(self, last: str = "succeeded") -> None:
        self.states = ["running", "running", last]
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST" and request.url.path == "/api/v1/exports":
            return httpx.Response(202, json=export_job("queued", attempts=0))
        if request.url.path == f"/api/v1/exports/{EXPORT_ID}":
            job = export_job(self.states.pop(0) if len(self.states) > 1 else self.states[0])
            if job["status"] == "failed":
                job["error"] = "ServiceRefused: hr answered 503 to GET /export"
            return httpx.Response(200, json=job)
        if request.url.path == f"/api/v1/exports/{EXPORT_ID}/archive":
            return httpx.Response(200, content=ARCHIVE, headers={"Content-Type": "application/zip"})
        raise AssertionError(f"unexpected {request.method} {request.url}")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config dir of the test's own (profiles, the offline queue): never the user's."""
    monkeypatch.setenv("IMPROVENET_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.mark.parametrize("command", [["district", "export"], ["export", "tenant"]])
def test_the_export_answers_its_manifest_as_json_csv_or_a_table(run: Callable[..., Any], tmp_path: Path,
                                                                command: list[str]) -> None:
    out = tmp_path / "all.zip"
    as_json = run(ExportGateway(), *command, "--out", str(out), "-o", "json")
    assert as_json.exit_code == 0, as_json.output
    job = json.loads(as_json.stdout)
    assert job["status"] == "succeeded" and job["files"] == FILES and job["out"] == str(out)
    assert job["bytes"] == len(ARCHIVE) and out.read_bytes() == ARCHIVE

    as_csv = run(ExportGateway(), *command, "--out", str(out), "--output", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["path"], r["rows"]) for r in rows] == [("hr/educator.jsonl", "3"), ("networks/network.jsonl", "1")]
    assert list(rows[0]) == cli.EXPORT_FILE_COLUMNS

    as_table = run(ExportGateway(), *command, "--out", str(out))
    assert as_table.exit_code == 0, as_table.output
    assert f"export {EXPORT_ID}: 2 files, 4 rows" in as_table.stdout and "hr/educator.jsonl" in as_table.stdout
    assert "wrote" in as_table.stderr and "next:" in as_table.stderr and "manifest.json" in as_table.stderr


def test_the_export_is_followed_with_a_bar_that_moves_with_the_job(run: Callable[..., Any], tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal: the bar's text follows the job's status, and it stays, full, once the zip is written."""
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=200, color_system=None,
                                            highlight=False, soft_wrap=True))
    steps: list[tuple[str, float]] = []
    real = cli._follow_export

    def spying(api: Any, job: Any, out_file: Path) -> Any:
        wait = api.wait_for_export

        def wait_and_see(export_id: str, progress: Any) -> Any:
            def seen(j: Any) -> None:
                progress(j)
                steps.append((j["status"], cli.EXPORT_STEPS[j["status"]]))
            return wait(export_id, progress=seen)

        api.wait_for_export = wait_and_see
        return real(api, job, out_file)

    monkeypatch.setattr(cli, "_follow_export", spying)
    gateway = ExportGateway()
    done = run(gateway, "export", "tenant", "--out", str(tmp_path / "all.zip"))
    assert done.exit_code == 0, done.output
    assert steps == [("running", 1), ("running", 1), ("succeeded", 2)]
    drawn = screen.getvalue()
    assert re.search(r"export queued +━* +0%", drawn), drawn
    assert re.search(r"export running: the gateway's worker reads every service \(attempt 1\) +━+ +33%", drawn), drawn
    final = re.search(r"export succeeded: 2 files, 4 rows, 22 B; downloaded to \S+all.zip ━+ 100%", drawn)
    assert final, drawn
    assert gateway.seen[-1] == f"GET /api/v1/exports/{EXPORT_ID}/archive"


def test_a_failed_export_exits_1_with_the_reason_and_writes_nothing(run: Callable[..., Any], tmp_path: Path) -> None:
    done = run(ExportGateway(last="failed"), "district", "export", "--out", str(tmp_path / "all.zip"), "-o", "json")
    assert done.exit_code == cli.EXIT_PROBLEM
    assert "the export failed" in done.stderr and "hr answered 503" in done.stderr and "next:" in done.stderr
    assert done.stdout == "" and not (tmp_path / "all.zip").exists()


# --- what to do next ---------------------------------------------------------------------------------------
VISIT = "0b6c0e1e-0000-4000-8000-000000000001"
COMMITMENT = "c0000000-0000-4000-8000-000000000001"
JOB = "10000000-0000-4000-8000-000000000001"


def visit(status: str) -> dict[str, Any]:
    return {"id": VISIT, "school_id": SCHOOL, "visit_date": "2026-12-02", "protocol_version_id": "v",
            "problem_of_practice": "p", "network_id": None, "observer_ids": [], "status": status, "version": 2,
            "prediction": None, "next_level_of_work": None,
            "classrooms": [{"id": "r1", "grade": "4", "subject": "math", "room": "101", "teacher_id": None}]}


def answering(answers: dict[str, Any]) -> Handler:
    """A gateway answering each path with its JSON (the first path that `endswith` the request's)."""
    def answer(request: httpx.Request) -> httpx.Response:
        for path, body in answers.items():
            if request.url.path.endswith(path):
                return httpx.Response(200, json=body(request) if callable(body) else body)
        raise AssertionError(f"unexpected {request.method} {request.url}")

    return answer


def next_step(result: Any) -> str:
    assert result.exit_code in (0, cli.EXIT_PROBLEM), result.output
    found = re.search(r"next: (.*)", result.stderr)
    assert found, result.stderr
    return found.group(1)


@pytest.mark.parametrize(("status", "says"), [("planned", "rounds observe " + VISIT),
                                              ("in_progress", "--offline works"),
                                              ("observed", "rounds debrief " + VISIT),
                                              ("debriefed", "commitments due")])
def test_rounds_show_says_what_the_rounds_status_asks_for(run: Callable[..., Any], config: Path, status: str,
                                                          says: str) -> None:
    assert says in next_step(run(answering({f"/visits/{VISIT}": visit(status)}), "rounds", "show", VISIT))


def test_commitments_close_points_at_what_is_still_open(run: Callable[..., Any]) -> None:
    commitment = {"id": COMMITMENT, "school_id": SCHOOL, "educator_id": None, "meeting_id": None,
                  "network_id": None, "description": "d", "due_on": "2026-12-17", "status": "open",
                  "source": "meeting", "overdue": False, "version": 1}
    gateway = answering({"/transitions": {**commitment, "status": "fulfilled", "version": 2},
                         f"/commitments/{COMMITMENT}": commitment})
    said = next_step(run(gateway, "commitments", "close", COMMITMENT, "-o", "json"))
    assert f"improvenet commitments due --school {SCHOOL}" in said


def series(measure: str) -> dict[str, Any]:
    points = [{"period": f"2026-{m:02d}", "value": 40.0 + m, "phase": 0, "median": 45.0, "centre": 45.0,
               "lower": None, "upper": None, "baseline": True} for m in range(1, 9)]
    return {"school_id": SCHOOL, "measure": measure, "points": points, "phases": [], "signals": [], "marks": []}


@pytest.mark.parametrize(("published", "png", "says"), [
    (False, False, f"improvenet rounds plan --school {SCHOOL}"),
    (True, False, "--png FILE"),
    (True, True, "-o json"),
])
def test_report_school_says_what_would_help_next(run: Callable[..., Any], tmp_path: Path, published: bool,
                                                 png: bool, says: str) -> None:
    quality = {"school_id": SCHOOL, "period": "2026-27-T1", "protocol_version_id": None,
               "observed_classrooms": 8 if published else 2, "minimum_classrooms": 6, "published": published,
               "shares": {"S1": 0.5} if published else {}, "overall": 0.5 if published else None}
    gateway = answering({"/quality": quality, "/series/practice-quality": series("practice-quality"),
                         "/series/math": series("math")})
    extra = ["--png", str(tmp_path / "r.png")] if png else []
    said = next_step(run(gateway, "report", "school", SCHOOL, "--measure", "math", "-o", "json", *extra))
    assert says in said, said


def import_job(status: str) -> dict[str, Any]:
    issues = [{"file": "orgs.csv", "line": 2, "column": "type", "value": "galaxy", "expected": "school"}]
    return {"id": JOB, "format": "oneroster", "status": status, "attempts": 1,
            "progress": {"read": 10, "written": 8 if status == "succeeded" else 0, "unchanged": 2, "failed": 0},
            "report": {"issues": issues if status == "failed" else []}}


@pytest.mark.parametrize(("status", "says"), [("applying", f"improvenet district import-status {JOB}` again"),
                                              ("succeeded", "improvenet district changes hr educators"),
                                              ("failed", "improvenet district import oneroster FILE")])
def test_district_import_status_says_what_to_do_next(run: Callable[..., Any], status: str, says: str) -> None:
    said = next_step(run(answering({f"/imports/{JOB}": import_job(status)}), "district", "import-status", JOB))
    assert says in said, said


def test_logout_says_how_to_sign_in_again_and_which_profiles_are_left(run: Callable[..., Any],
                                                                      config: Path) -> None:
    save_profile(Profile("west", "https://west.example", "cli_w", "s"))
    save_profile(Profile("default", "https://improvenet.example", "cli_d", "s"))
    said = next_step(run(answering({}), "--profile", "west", "logout"))
    assert "improvenet --profile west login --gateway https://west.example" in said and "default" in said
    assert set(load_profiles()) == {"default"}


@pytest.fixture(autouse=True)
def _no_real_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing here may touch the user's home (profiles, tokens, shell files)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("IMPROVENET_CONFIG_DIR", str(tmp_path / "config"))
    yield
