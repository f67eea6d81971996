"""The `improvenet` command line end to end, on the platform as `make up` starts it: a network coordinator's
week, each step a run of the installed console script (its own config dir, as on a coordinator's laptop and
an observer's tablet), checked in tables, JSON and CSV, with the exit codes scripts rely on."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from improvenet_client import Client
from improvenet_client.offline import OfflineQueue

from improvenet.launcher import Platform
from improvenet.registry import ALL_SCOPES
from libs.common.testing.kafka_broker import free_port
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import eventually

CLI = str(Path(sys.executable).with_name("improvenet"))
ADMIN_CLI = str(Path(sys.executable).with_name("improvenet-admin"))
LOOK_FORS = [
    {"code": "T1", "description": "Teacher asks questions with more than one answer", "domain": "teacher"},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"},
    {"code": "K1", "description": "The task asks for a representation", "domain": "task"},
]


class Device:
    """One machine running the CLI: its own config dir (profiles, offline queue)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)

    def env(self, profile: str | None = None) -> dict[str, str]:
        env = {**os.environ, "IMPROVENET_CONFIG_DIR": str(self.home), "COLUMNS": "160", "NO_COLOR": "1"}
        env.pop("IMPROVENET_PROFILE", None)
        if profile:
            env["IMPROVENET_PROFILE"] = profile
        return env

    def run(self, *args: str, code: int = 0, profile: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([CLI, *args], env={**self.env(profile), **(env or {})}, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == code, (args, done.returncode, done.stdout[-3000:], done.stderr[-3000:])
        return done

    def json(self, *args: str, profile: str | None = None) -> Any:
        return json.loads(self.run(*args, "--output", "json", profile=profile).stdout)


def png_size(path: Path) -> tuple[int, int]:
    """The PNG decoded whole (every chunk's CRC, the zlib stream, every scanline: a truncated or corrupt file
    fails here, not only a wrong header), and its size; it must show a drawing, not one flat colour."""
    from PIL import Image

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.verify()  # the chunks and their checksums
    with Image.open(path) as image:
        image.load()  # every pixel decoded
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 24) or []
        assert len(colours) > 16, f"{path}: {len(colours)} colours, not a chart"
        assert struct.unpack(">II", data[16:24]) == image.size
        return image.size


def register_client(platform: Platform, name: str, scopes: list[str]) -> dict[str, str]:
    """The tenant admin (the bootstrap client) registers a client, as README shows."""
    boot = json.loads(platform.bootstrap_client_file.read_text())
    with outside_client() as c:
        token = c.post(f"{platform.gateway_url}/oauth/token", data={"grant_type": "client_credentials"},
                       auth=(boot["client_id"], boot["client_secret"])).json()["access_token"]
        r = c.post(f"{platform.gateway_url}/api/v1/admin/clients", headers={"Authorization": f"Bearer {token}"},
                   json={"name": name, "scopes": scopes})
        assert r.status_code == 201, r.text
        return {"client_id": r.json()["client_id"], "client_secret": r.json()["client_secret"]}


def bootstrap_admin(platform: Platform) -> Client:
    boot = json.loads(platform.bootstrap_client_file.read_text())
    return Client(platform.gateway_url, boot["client_id"], boot["client_secret"])


@pytest.fixture(scope="module")
def coordinator_client(platform: Platform) -> dict[str, str]:
    """The coordinator's client: every scope but the tenant admin's."""
    return register_client(platform, "network coordinator", [s for s in ALL_SCOPES if s != "admin"])


@pytest.fixture(scope="module")
def world(platform: Platform, coordinator_client: dict[str, str]) -> Iterator[dict[str, Any]]:
    """What a round needs, set up through the SDK: two schools, three observers, a protocol with look-fors,
    a network of both schools with the observers as members, and a year of performance data."""
    gw = platform.gateway_url
    with Client(gw, **coordinator_client) as api:
        host = api.create_school({"name": "Hamilton Elementary"})["id"]
        visiting = api.create_school({"name": "Lincoln Elementary"})["id"]
        observers = [api.create_educator({"given_name": f"Obs{i}", "family_name": "X", "school_id": s,
                                          "career_stage": "teacher_leader"})["id"]
                     for i, s in enumerate([host, visiting, visiting])]
        token = httpx.post(f"{gw}/oauth/token", data={"grant_type": "client_credentials"}, timeout=10,
                           auth=(coordinator_client["client_id"], coordinator_client["client_secret"])
                           ).json()["access_token"]
        for service in ("observations", "networks"):
            assert eventually(lambda service=service: all(
                httpx.get(f"{gw}/api/v1/{service}/directory/educators/{o}", timeout=5,
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
                for o in observers), timeout=20)
        version = api.create_protocol({"name": "Math rounds", "look_fors": LOOK_FORS})["versions"][0]["id"]
        network = api.create_network({"name": "Math reasoning network", "kind": "mixed",
                                      "focus": "Students explaining their reasoning", "school_ids": [host, visiting],
                                      "norms": ["Describe, do not judge"]})["id"]
        for n, (o, school) in enumerate(zip(observers, [host, visiting, visiting], strict=True)):
            api.add_member(network, {"educator_id": o, "school_id": school, "starts_on": "2026-09-01",
                                     "tags": ["reasoning"] if n == 1 else []})
        # 8 months around 40, then 8 around 55: a shift the run chart must show as a signal
        values = [40, 42, 39, 41, 40, 43, 38, 41, 55, 56, 54, 57, 55, 58, 56, 57]
        periods = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(len(values))]
        api.load_measurements([{"external_id": f"math-{p}", "school_id": host, "measure": "math", "period": p,
                                "value": v} for p, v in zip(periods, values, strict=True)])
    yield {"host": host, "visiting": visiting, "observers": observers, "version": version, "network": network,
           "periods": periods}


def test_a_coordinators_week(platform: Platform, coordinator_client: dict[str, str], world: dict[str, Any],
                             tmp_path: Path) -> None:
    laptop, tablet = Device(tmp_path / "laptop"), Device(tmp_path / "tablet")
    host, observers, network = world["host"], world["observers"], world["network"]
    gw = platform.gateway_url

    # --- login: the bootstrap admin client, then the coordinator's own profile -------------------------
    done = laptop.run("login", "--gateway", gw, "--credentials-file", str(platform.bootstrap_client_file))
    assert "logged in" in done.stdout and "next:" in done.stderr
    config = laptop.home / "config.toml"
    assert config.stat().st_mode & 0o777 == 0o600
    for device in (laptop, tablet):
        device.run("--profile", "coordinator", "login", "--gateway", gw,
                   "--client-id", coordinator_client["client_id"], "--client-secret",
                   coordinator_client["client_secret"])
    assert "[profiles.\"default\"]" in config.read_text() and "[profiles.\"coordinator\"]" in config.read_text()
    wrong = laptop.run("--profile", "x", "login", "--gateway", gw, "--client-id", "cli_nobody",
                       "--client-secret", "nope", code=1)
    assert "401" in wrong.stderr and "improvenet login" in wrong.stderr
    nobody = laptop.run("--profile", "nobody", "commitments", "due", code=2)
    assert "improvenet login --profile nobody" in nobody.stderr
    me = "coordinator"

    # --- plan the round: two classrooms, three observers --------------------------------------------------
    visit = laptop.json("rounds", "plan", "--school", host, "--protocol-version", world["version"],
                        "--problem", "Students give answers but rarely explain how they know",
                        *[a for o in observers for a in ("--observer", o)],
                        "--classroom", "4/math/101", "--classroom", "4/math/102", "--network", network,
                        profile=me)
    assert visit["status"] == "planned" and sorted(c["room"] for c in visit["classrooms"]) == ["101", "102"]
    vid = visit["id"]
    bad = laptop.run("rounds", "plan", "--school", "00000000-0000-4000-8000-000000000009", "--protocol-version",
                     world["version"], "--problem", "x", "--observer", observers[0], "--classroom", "4/math/101",
                     profile=me, code=1)
    assert "422" in bad.stderr and "school_id" in bad.stderr
    assert "GRADE/SUBJECT/ROOM" in laptop.run("rounds", "plan", "--school", host, "--protocol-version", "v",
                                              "--problem", "x", "--observer", "o", "--classroom", "101",
                                              profile=me, code=2).stderr

    # --- observe: two observers online, the third on a tablet without a connection ------------------------
    shown_on_tablet = tablet.run("rounds", "show", vid, profile=me)  # the round on the tablet, while online
    assert f"next: record evidence: `improvenet rounds observe {vid}" in shown_on_tablet.stderr
    r1 = laptop.json("rounds", "observe", vid, "--room", "101", "--observer", observers[0], "--note",
                     "Students at table 2 explain to each other why 3/4 is more than 2/3", "--look-for", "S1",
                     profile=me)
    r1 = laptop.json("rounds", "observe", vid, "--room", "101", "--observer", observers[0], "--note",
                     "Teacher asks: 'Who solved it another way?'", "--look-for", "T1", "--submit", profile=me)
    assert r1["status"] == "submitted" and len(r1["notes"]) == 2
    table = laptop.run("rounds", "observe", vid, "--room", "102", "--observer", observers[1], "--note",
                       "Students draw fraction strips and compare them aloud", "--look-for", "S1", "--look-for",
                       "K1", "--submit", profile=me)
    assert "fraction strips" in table.stdout and "descriptive" in table.stdout
    assert laptop.json("rounds", "show", vid, profile=me)["status"] == "in_progress"  # the first note started it

    offline_notes = [("101", "Students place 1/2 and 2/4 on a number line", "K1"),
                     ("101", "Two students explain to a partner why 2/4 = 1/2", "S1"),
                     ("102", "Task card asks for a number line and a drawing", "K1")]
    for room, text, code in offline_notes:  # no profile at all: nothing is asked of the network
        queued = tablet.json("rounds", "observe", vid, "--room", room, "--observer", observers[2], "--note", text,
                             "--look-for", code, "--offline", profile="nowhere")
        assert queued["queued"].count(":n:") == 1
    assert queued["pending"] == 3
    assert "rounds show" in tablet.run("rounds", "observe", "0b6c0e1e-0000-4000-8000-000000000000", "--room", "101",
                                       "--observer", observers[2], "--note", "x", "--offline", code=2).stderr

    # still no connection: the sync fails with exit 3 and keeps the queue
    dead = tablet.home / "config.toml"
    dead.write_text(dead.read_text() + f'\n[profiles."dead"]\ngateway = "http://127.0.0.1:{free_port()}"\n'
                    'client_id = "x"\nclient_secret = "y"\n')
    unreachable = tablet.run("rounds", "sync", profile="dead", code=3)
    assert "cannot reach the gateway" in unreachable.stderr and "--offline" in unreachable.stderr
    queue = OfflineQueue(tablet.home / "offline.sqlite")
    assert len(queue.pending()) == 3

    # back online: the batch goes up with the device's ids; again, nothing is left; a resend is harmless
    synced = tablet.json("rounds", "sync", profile=me)
    assert synced["notes"] == 3 and synced["created"] == 2 and synced["unchanged"] == 0
    assert "nothing queued" in tablet.run("rounds", "sync", profile=me).stderr
    notes_before = len(Client(gw, **coordinator_client).list_visit_notes(vid))
    assert notes_before == 6
    queue.forget_uploaded()
    resent = tablet.json("rounds", "sync", profile=me)
    assert resent["created"] == 0 and resent["unchanged"] == 2
    assert {r["id"] for r in resent["records"]} == {r["id"] for r in synced["records"]}
    assert len(Client(gw, **coordinator_client).list_visit_notes(vid)) == notes_before

    # --- debrief: the patterns, then the prediction and next level of work ------------------------------------
    so_far = laptop.json("rounds", "debrief", vid, profile=me)
    assert so_far["status"] == "in_progress"
    due_on = (date.today() + timedelta(days=14)).isoformat()
    done_debrief = laptop.json("rounds", "debrief", vid, "--prediction",
                               "Students would be able to explain why one fraction is larger",
                               "--next", f"Grade 4 teachers visit room 101 during math|{observers[0]}|{due_on}",
                               profile=me)
    assert done_debrief["status"] == "debriefed"
    assert done_debrief["next_level_of_work"][0]["recommendation"].startswith("Grade 4 teachers")
    shown = laptop.run("rounds", "debrief", vid, profile=me)
    assert "prediction: Students would be able" in shown.stdout and "S1" in shown.stdout

    # --- the network meeting: the suggestion with its reasons, attendance, commitments -------------------------
    suggestion = laptop.json("networks", "meet", network, "--agenda", "Comparing strategies:reasoning",
                             *[a for o in observers for a in ("--attendee", o)], "--suggest-only", profile=me)
    top = suggestion["candidates"][0]
    assert top["educator_id"] == observers[1] and top["reason"] == "expertise" and top["explanation"]
    meeting_table = laptop.run("networks", "meet", network, "--suggest-only", "--agenda", "Comparing:reasoning",
                               "--attendee", observers[0], "--attendee", observers[1], profile=me)
    assert "expertise" in meeting_table.stdout
    held = laptop.json("networks", "meet", network, "--agenda", "Comparing strategies:reasoning",
                       *[a for o in observers for a in ("--attendee", o)],
                       "--commit", f"{host}|Try the two-strategy comparison task in every grade 4 class|{due_on}"
                                   f"|{observers[0]}", profile=me)
    assert held["meeting"]["chair_id"] == observers[1] and held["meeting"]["chair_reason"] == "expertise"
    assert sorted(held["meeting"]["attendee_ids"]) == sorted(observers)
    commitment = held["commitments"][0]
    assert commitment["meeting_id"] == held["meeting"]["id"] and commitment["status"] == "open"

    # --- commitments: what is due, in JSON and CSV; then close it ---------------------------------------------
    due = laptop.json("commitments", "due", "--school", host, profile=me)
    assert commitment["id"] in [c["id"] for c in due]
    rows = list(csv.DictReader(io.StringIO(laptop.run("commitments", "due", "--network", network, "--output", "csv",
                                                      profile=me).stdout)))
    assert {r["id"]: r["due_on"] for r in rows}[commitment["id"]] == due_on
    # the debrief's next level of work reached the network as a commitment too (networks consumed the event)
    from_debrief = eventually(lambda: [c for c in laptop.json("commitments", "due", "--network", network, profile=me)
                                       if c.get("visit_id") == vid])
    assert from_debrief[0]["description"].startswith("Grade 4 teachers visit room 101")
    closed_now = laptop.run("commitments", "close", commitment["id"], "-o", "json", profile=me)
    closed = json.loads(closed_now.stdout)
    assert closed["status"] == "fulfilled"
    assert f"next: what is still open: `improvenet commitments due --school {host}`" in closed_now.stderr
    assert commitment["id"] not in [c["id"] for c in laptop.json("commitments", "due", "--school", host, profile=me)]
    again = laptop.run("commitments", "close", commitment["id"], profile=me, code=1)
    assert "409" in again.stderr

    # one recorded by hand, outside a meeting: it is due, in CSV too, until it is dropped
    visiting = world["visiting"]
    added = laptop.json("commitments", "add", "--school", visiting, "--description", "Share the task bank",
                        "--due", due_on, "--network", network, "--educator", observers[1], profile=me)
    assert added["status"] == "open" and added["school_id"] == visiting and added["due_on"] == due_on
    assert added["educator_id"] == observers[1] and added["network_id"] == network and added["meeting_id"] is None
    listed = laptop.json("commitments", "due", "--school", visiting, profile=me)
    assert added["id"] in [c["id"] for c in listed]
    table = laptop.run("commitments", "add", "--school", visiting, "--description", "Visit room 102 in pairs",
                       "--due", due_on, profile=me)
    assert "commitment recorded" in table.stdout and "Visit room 102 in pairs" in table.stdout
    assert "next: when done: `improvenet commitments close" in table.stderr
    not_a_date = laptop.run("commitments", "add", "--school", visiting, "--description", "x", "--due", "soon",
                            profile=me, code=1)
    assert "422" in not_a_date.stderr and "due_on" in not_a_date.stderr  # the server says which field
    dropped = laptop.json("commitments", "close", added["id"], "--dropped", profile=me)
    assert dropped["status"] == "dropped"
    assert added["id"] not in [c["id"] for c in laptop.json("commitments", "due", "--school", visiting, profile=me)]

    # --- the school report: terminal charts, a PNG of the expected size, the same as JSON ----------------------
    png = tmp_path / "hamilton.png"
    text = laptop.run("report", "school", host, "--measure", "math", "--png", str(png), profile=me)
    assert "performance (math)" in text.stdout and "practice quality" in text.stdout
    assert "shift" in text.stdout  # the signal, named in the signals table
    assert "next: the quality index shows from" in text.stderr  # too few classrooms observed yet: plan a round
    assert png_size(png) == (1000, 600) and png.stat().st_size > 10_000
    report = laptop.json("report", "school", host, "--measure", "math", "--png", str(tmp_path / "r.png"),
                         profile=me)
    assert [p["period"] for p in report["performance_series"]["points"]] == world["periods"]
    assert any(s["rule"] == "shift" for s in report["performance_series"]["signals"])
    assert report["quality"]["school_id"] == host and report["quality"]["published"] is False
    assert report["png"] == {"path": str(tmp_path / "r.png"), "width": 1000, "height": 600}
    assert png_size(tmp_path / "r.png") == (1000, 600)


def leaf_commands() -> list[list[str]]:
    """Every command the CLI has that runs something (not a group), as the words that name it."""
    import typer
    from improvenet_client.cli import app
    from typer._click.core import Command  # typer 0.29 carries its own click
    from typer.core import TyperGroup

    def walk(command: Command, path: list[str]) -> list[list[str]]:
        if not isinstance(command, TyperGroup):
            return [path]
        return [leaf for name, sub in sorted(command.commands.items()) for leaf in walk(sub, [*path, name])]

    return walk(typer.main.get_command(app), [])


def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    """Each leaf command, as the installed script shows it: its help ends with an example and offers
    `--output` (no exceptions: a new command is found here by walking the command tree)."""
    device = Device(tmp_path)
    leaves = leaf_commands()
    assert {("login",), ("logout",), ("rounds", "plan"), ("rounds", "show"), ("rounds", "observe"),
            ("rounds", "sync"), ("rounds", "debrief"), ("networks", "meet"), ("commitments", "due"),
            ("commitments", "add"), ("commitments", "close"), ("report", "school"), ("district", "import"),
            ("district", "import-status"), ("district", "changes"), ("district", "export"), ("graph", "network"),
            ("events", "tail"), ("import",), ("export", "tenant")} <= {tuple(leaf) for leaf in leaves}
    for command in leaves:
        shown = device.run(*command, "--help").stdout
        assert "Example" in shown, command
        assert re.search(r"--output\s+-o\b", shown), (command, "has no --output / -o")
        for fmt in ("table", "json", "csv"):
            assert fmt in shown, (command, fmt)
    assert "No such command" in device.run("rounds", "fly", code=2).stderr


def test_district_it_on_the_command_line(platform: Platform, tmp_path: Path) -> None:
    """Import a OneRoster set with its progress, read the changes since a sync, export everything."""
    from tests.data.hr.sets import oneroster, with_cell, zipped

    desk = Device(tmp_path / "desk")
    desk.run("login", "--gateway", platform.gateway_url, "--credentials-file", str(platform.bootstrap_client_file))
    (tmp_path / "roster.zip").write_bytes(zipped(oneroster("bulk")))
    job = desk.json("district", "import", "oneroster", str(tmp_path / "roster.zip"))
    assert job["status"] == "succeeded" and job["progress"]["written"] > 0, job
    again = desk.json("import", "oneroster", str(tmp_path / "roster.zip"))  # the top-level name, the same command
    assert again["status"] == "succeeded" and again["progress"]["written"] == 0, again  # the same set: no change
    status = desk.run("district", "import-status", job["id"], "-o", "json")
    assert json.loads(status.stdout)["id"] == job["id"]
    assert "next: what changed, for your sync: `improvenet district changes hr educators`" in status.stderr

    # a broken set: exit 1, the report names the file, line and column, and nothing is written
    broken = with_cell(oneroster("bulk"), "orgs.csv", 2, "type", "galaxy")
    (tmp_path / "broken.zip").write_bytes(zipped(broken))
    refused = desk.run("district", "import", "oneroster", str(tmp_path / "broken.zip"), code=1)
    assert "failed" in refused.stdout and "orgs.csv" in refused.stdout and "type" in refused.stdout
    (tmp_path / "staff.json").write_text("{not json")
    assert "is not JSON" in desk.run("district", "import", "edfi", str(tmp_path / "staff.json"), code=2).stderr

    def first_sync() -> Any:
        listed = desk.json("district", "changes", "hr", "schools")
        return listed if listed["changed"] else None

    first = eventually(first_sync, timeout=30)
    assert first, "the imported schools never entered the change queries"
    imported = {row["sourcedId"] for row in csv.DictReader(io.StringIO(oneroster("bulk")["orgs.csv"]))
                if row["type"] == "school"}
    assert imported <= {s["sourced_id"] for s in first["changed"]}
    again = desk.json("district", "changes", "hr", "schools", "--since", str(first["newest_change_version"]))
    assert again["changed"] == [] and again["deleted"] == []
    assert "no change queries for hr galaxies" in desk.run("district", "changes", "hr", "galaxies", code=2).stderr

    done = desk.run("export", "tenant", "--out", str(tmp_path / "all.zip"), "-o", "json")
    assert "wrote" in done.stderr and f"next: check it: `unzip -p {tmp_path / 'all.zip'} manifest.json`" in done.stderr
    exported = json.loads(done.stdout)
    assert exported["status"] == "succeeded" and exported["out"] == str(tmp_path / "all.zip")
    assert exported["bytes"] == (tmp_path / "all.zip").stat().st_size == exported["archive_bytes"]
    with zipfile.ZipFile(tmp_path / "all.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
        schools = [json.loads(line) for line in z.read("hr/school.jsonl").splitlines()]
    assert manifest["personal_data"] is False
    assert exported["files"] == manifest["files"]  # the answer is the manifest's list of files
    assert {s["id"] for s in first["changed"]} <= {s["id"] for s in schools}
    as_csv = desk.run("district", "export", "--out", str(tmp_path / "again.zip"), "--output", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert "hr/school.jsonl" in {r["path"] for r in rows} and all(len(r["sha256"]) == 64 for r in rows)
    assert {r["path"] for r in rows} == {f["path"] for f in manifest["files"]}


def test_shell_completion_is_offered_shown_and_completes_the_commands(tmp_path: Path) -> None:
    """`--show-completion` / `--install-completion` (typer's, for the shell they run in: here bash), and the
    completion itself, as bash asks for it (the environment variables the script sets)."""
    device = Device(tmp_path / "laptop")
    shown = device.run("--help").stdout
    assert "--install-completion" in shown and "--show-completion" in shown
    # `; :` keeps bash from exec-ing the command, so improvenet finds bash as the shell it runs in
    script = subprocess.run(["bash", "-c", f"{CLI} --show-completion; :"], env=device.env(), capture_output=True,
                            text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    assert "_IMPROVENET_COMPLETE=complete_bash" in script.stdout
    assert "complete -o default -F _improvenet_completion improvenet" in script.stdout
    sourced = device.run(env={"_IMPROVENET_COMPLETE": "source_bash"}).stdout
    assert sourced.strip() == script.stdout.strip()  # what --show-completion prints, by the env-var route too

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        done = device.run(env={"_IMPROVENET_COMPLETE": "complete_bash", "COMP_WORDS": line,
                               "COMP_CWORD": str(len(words) - 1)})
        return done.stdout.split()

    assert complete("improvenet gr") == ["graph"]
    assert complete("improvenet events ") == ["tail"]
    assert {"--png", "--top", "--wait", "--output"} <= set(complete("improvenet graph network x --"))
    assert {"--follow", "--after", "--types", "--limit"} <= set(complete("improvenet events tail --"))

    home = tmp_path / "home"
    installed = subprocess.run(["bash", "-c", f"{CLI} --install-completion; :"], capture_output=True, text=True,
                               timeout=60, env={**device.env(), "HOME": str(home)})
    assert installed.returncode == 0 and "bash completion installed" in installed.stdout, installed.stderr
    assert f"source '{home}/.bash_completions/improvenet.sh'" in (home / ".bashrc").read_text()
    assert (home / ".bash_completions" / "improvenet.sh").read_text().strip() == script.stdout.strip()


def test_the_collaboration_graph_on_the_command_line(platform: Platform, coordinator_client: dict[str, str],
                                                     world: dict[str, Any], tmp_path: Path) -> None:
    """A network of three new people meets once: its graph is the three all tied to each other, both ways,
    in this month; as tables, JSON, CSV and a PNG. (New people: ties are between people, whatever network
    they met in, so the week's observers would bring their earlier meetings along.)"""
    gw = platform.gateway_url
    laptop = Device(tmp_path / "laptop")
    laptop.run("login", "--gateway", gw, "--client-id", coordinator_client["client_id"],
               "--client-secret", coordinator_client["client_secret"])
    schools = [world["host"], world["visiting"], world["visiting"]]
    with Client(gw, **coordinator_client) as api:
        observers = [api.create_educator({"given_name": f"Graph{i}", "family_name": "X", "school_id": s,
                                          "career_stage": "teacher_leader"})["id"] for i, s in enumerate(schools)]
        token = httpx.post(f"{gw}/oauth/token", data={"grant_type": "client_credentials"}, timeout=10,
                           auth=(coordinator_client["client_id"], coordinator_client["client_secret"])
                           ).json()["access_token"]
        assert eventually(lambda: all(
            httpx.get(f"{gw}/api/v1/networks/directory/educators/{o}", timeout=5,
                      headers={"Authorization": f"Bearer {token}"}).status_code == 200 for o in observers),
            timeout=20), "networks never learnt of the new educators"
        network = api.create_network({"name": "Graph network", "kind": "mixed", "focus": "Ties",
                                      "school_ids": [world["host"], world["visiting"]]})["id"]
        for o, school in zip(observers, schools, strict=True):
            api.add_member(network, {"educator_id": o, "school_id": school, "starts_on": "2026-09-01"})
    before = laptop.json("graph", "network", network)
    assert before["graph"]["people"] == [] and before["export"]["edges"] == []
    laptop.run("networks", "meet", network, "--agenda", "Comparing strategies:reasoning",
               *[a for o in observers for a in ("--attendee", o)])

    data = laptop.json("graph", "network", network, "--wait", "30", "--png", str(tmp_path / "graph.png"))
    measured, exported = data["graph"], data["export"]
    assert measured["refresh_pending"] is False, "the worker did not measure the meeting within 30 s"
    assert measured["period"] == date.today().strftime("%Y-%m") and measured["measures"]["nodes"] == 3
    assert {p["educator_id"] for p in measured["people"]} == set(observers)
    assert all(p["degree"] == 2 for p in measured["people"])  # everyone met everyone
    assert {(e["source"], e["target"]) for e in exported["edges"]} == {(a, b) for a in observers for b in observers
                                                                     if a != b}
    weights = {(e["source"], e["target"]): e["weight"] for e in exported["edges"]}
    assert all(w > 0 and w == weights[(b, a)] for (a, b), w in weights.items())  # co-attendance is mutual
    assert data["png"]["width"] == 800 and png_size(tmp_path / "graph.png") == (800, 800)
    assert (tmp_path / "graph.png").stat().st_size > 10_000

    table = laptop.run("graph", "network", network, "--top", "2")
    assert measured["period"] in table.stdout and "density" in table.stdout and "top 2 of 3 people" in table.stdout
    assert "3 people, 6 directed ties" in table.stdout and "not recomputed" not in table.stderr
    rows = list(csv.DictReader(io.StringIO(laptop.run("graph", "network", network, "-o", "csv").stdout)))
    assert [r["rank"] for r in rows] == ["1", "2", "3"] and {r["educator_id"] for r in rows} == set(observers)
    missing = laptop.run("graph", "network", "00000000-0000-4000-8000-00000000beef", code=1)
    assert "404" in missing.stderr


SCHOOL_REGISTERED = "org.improvenet.hr.school.registered"


class Lines:
    """A child's stdout read line by line in a thread, so a test can wait for a line with a timeout."""

    def __init__(self, stream: Any) -> None:
        import queue
        import threading

        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in stream], daemon=True).start()

    def until(self, found: Any, timeout: float = 30.0) -> list[str]:
        import queue
        import time

        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while not any(found(line) for line in seen):
            try:
                seen.append(self.lines.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"not within {timeout} s; read so far: {seen}") from None
        return seen


def subjects(page: dict[str, Any]) -> list[str]:
    return [ce["subject"] for ce in page["items"]]


def test_the_event_feed_on_the_command_line(platform: Platform, tmp_path: Path) -> None:
    """A partner client with `events:read`: refused until the admin subscribes it to the feed; then what is
    there and the cursor, nothing twice after it, --follow until Ctrl-C (exit 130, with the cursor to resume
    from), --follow --limit that ends by itself."""
    import re
    import signal

    partner = register_client(platform, "warehouse feed", ["events:read"])
    reader = Device(tmp_path / "warehouse")
    reader.run("login", "--gateway", platform.gateway_url, "--client-id", partner["client_id"],
               "--client-secret", partner["client_secret"])
    refused = reader.run("events", "tail", code=1)
    assert "403" in refused.stderr and "partners/subscriptions" in refused.stderr and "feed" in refused.stderr

    with bootstrap_admin(platform) as admin:
        sub = admin.create_subscription("warehouse feed", partner["client_id"], [SCHOOL_REGISTERED])
        assert sub["mode"] == "feed" and sub["status"] == "active" and sub["types"] == [SCHOOL_REGISTERED]
        assert sub["id"] in [s["id"] for s in admin.list_subscriptions()]
        first = admin.create_school({"name": "Feed Elementary"})["id"]

        def arrived() -> dict[str, Any] | None:
            read = reader.json("events", "tail", "--limit", "1000")
            return read if first in subjects(read) else None

        page = eventually(arrived, timeout=30)
        assert page, "the school's event never reached the feed"
        assert {ce["type"] for ce in page["items"]} == {SCHOOL_REGISTERED}  # only what was granted
        cursor = page["next_cursor"]
        table = reader.run("events", "tail", "--after", "0", "--limit", "1000")
        assert first in table.stdout and f"cursor: {cursor}" in table.stderr
        after = reader.json("events", "tail", "--after", cursor)
        assert first not in subjects(after) and int(after["next_cursor"]) >= int(cursor)
        not_granted = reader.run("events", "tail", "--types", "org.improvenet.networks.commitment.made", code=1)
        assert "422" in not_granted.stderr and "not granted" in not_granted.stderr

        # --follow: the next school arrives while it waits; Ctrl-C stops it with the cursor to resume from
        follower = subprocess.Popen([CLI, "events", "tail", "--follow", "--after", cursor, "--wait", "5", "-o",
                                     "json"], env=reader.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
        try:
            lines = Lines(follower.stdout)
            second = admin.create_school({"name": "Follow Elementary"})["id"]
            seen = lines.until(lambda line: json.loads(line)["subject"] == second)
            assert all(json.loads(line)["type"] == SCHOOL_REGISTERED for line in seen)  # JSON Lines
            follower.send_signal(signal.SIGINT)
            assert follower.wait(timeout=30) == 130
            stopped = follower.stderr.read() if follower.stderr else ""
        finally:
            if follower.poll() is None:
                follower.kill()
        resume = re.search(r"resume with `improvenet events tail --follow --after (\d+)`", stopped)
        assert resume and int(resume.group(1)) > int(cursor), stopped
        assert "Aborted" not in stopped
        assert second not in subjects(reader.json("events", "tail", "--after", resume.group(1)))

        # --follow --limit 1: waits for one event, prints it (CSV here), exits 0
        once = subprocess.Popen([CLI, "events", "tail", "--follow", "--after", resume.group(1), "--limit", "1",
                                 "-o", "csv"], env=reader.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            third = admin.create_school({"name": "Once Elementary"})["id"]
            out, err = once.communicate(timeout=60)
        finally:
            if once.poll() is None:
                once.kill()
        assert once.returncode == 0, err
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["subject"] for r in rows] == [third] and rows[0]["type"] == SCHOOL_REGISTERED
        assert re.search(r"cursor: \d+", err)
        admin.delete_subscription(sub["id"])
    assert reader.run("events", "tail", code=1).stderr.count("no active feed subscription") == 1


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)


def read_until(stream: Any, pattern: str, timeout: float = 30) -> tuple[re.Match[str], str]:
    """Lines from the running command until one matches (it waits for the person; nothing else to read)."""
    seen, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen += line
        if found := re.search(pattern, seen):
            return found, seen
    raise AssertionError(f"no {pattern!r} in what the command said: {seen!r}")


def test_a_person_signs_in_on_the_command_line_with_the_device_flow(platform: Platform, tmp_path: Path) -> None:
    """`improvenet login` with no client: the device flow (RFC 8628) against the real gateway. The CLI shows
    a code; the person opens the link, signs in with their password and allows it; the CLI, polling, gets
    a person's token and uses it; `logout` ends the session at the gateway."""
    gw, email, password = platform.gateway_url, "rosa.device@riverside.example", "a long passphrase for rounds"
    with bootstrap_admin(platform) as admin, outside_client() as person:
        school = admin.create_school({"name": "Riverside Middle"})["id"]
        educator = admin.create_educator({"given_name": "Rosa", "family_name": "Diaz", "school_id": school,
                                          "career_stage": "teacher_leader"})["id"]
        # the tenant admin's command (as README shows): the invitation link on stdout, nothing else
        invite = [ADMIN_CLI, "invite", "--email", email, "--role", "coordinator", "--educator", educator,
                  "--name", "Rosa Diaz", "--state-dir", str(platform.state_dir), "--gateway", gw]
        for _ in range(40):  # the gateway's replica of hr's educators follows within a second or two
            invited = subprocess.run(invite, capture_output=True, text=True, timeout=60)
            if invited.returncode != 1 or "no such educator" not in invited.stderr + invited.stdout:
                break
            time.sleep(0.25)
        assert invited.returncode == 0, (invited.stdout, invited.stderr)
        invitation_url = invited.stdout.strip()
        assert invitation_url.startswith(f"{gw}/signin/invitation?token="), invited.stdout
        person_id = re.search(r"person\s+([0-9a-f-]{36})", invited.stderr + invited.stdout)
        assert person_id, invited
        page = person.get(invitation_url)
        chosen = person.post(f"{gw}/signin/invitation", data={
            "token": hidden(page.text, "token"), "csrf": hidden(page.text, "csrf"),
            "password": password, "confirm": password})
        assert chosen.status_code == 200, chosen.text

        laptop = Device(tmp_path / "laptop")
        login = subprocess.Popen([CLI, "login", "--gateway", gw, "--output", "json"], env=laptop.env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            found, said = read_until(login.stderr, r"enter the code\s+([A-Z]{4}-[A-Z]{4})")
            user_code = found.group(1)
            assert f"{gw}/device" in said, said
            device_page = person.get(f"{gw}/device", params={"user_code": user_code})
            assert device_page.status_code == 200 and "command line" in device_page.text
            fields = {n: hidden(device_page.text, n) for n in ("user_code", "csrf")}
            wrong = person.post(f"{gw}/signin", data={**fields, "email": email, "password": "not it"})
            # one message, never which half was wrong; nothing allowed yet
            assert wrong.status_code == 400 and "do not match an account" in wrong.text and "Allow" not in wrong.text
            fields["csrf"] = hidden(wrong.text, "csrf")
            confirm = person.post(f"{gw}/signin", data={**fields, "email": email, "password": password})
            assert confirm.status_code == 200 and "Allow the improvenet command line" in confirm.text, confirm.text
            allowed = person.post(f"{gw}/device/confirm", data={
                "ticket": hidden(confirm.text, "ticket"), "csrf": hidden(confirm.text, "csrf"), "decision": "allow"})
            assert allowed.status_code == 200, allowed.text
            out, err = login.communicate(timeout=60)
        finally:
            login.kill()
        assert login.returncode == 0, (out, err)
        signed_in = json.loads(out)
        signed_in = signed_in[0] if isinstance(signed_in, list) else signed_in
        assert signed_in["role"] == "coordinator" and signed_in["person_id"] == person_id.group(1), signed_in

        # the saved profile holds no secret, only the person's tokens (0600), and the CLI works with them
        stored = json.loads((laptop.home / "tokens" / "default.json").read_text())
        assert (laptop.home / "tokens" / "default.json").stat().st_mode & 0o077 == 0
        me = person.get(f"{gw}/identity/me", headers={"Authorization": f"Bearer {stored['access_token']}"})
        assert me.status_code == 200 and me.json()["educator_id"] == educator, me.text
        due = laptop.json("commitments", "due")
        assert isinstance(due, list)

        ended = laptop.json("logout")
        ended = ended[0] if isinstance(ended, list) else ended
        assert ended["session_ended"] is True
        after = person.get(f"{gw}/identity/me", headers={"Authorization": f"Bearer {stored['access_token']}"})
        assert after.status_code == 401, after.text  # the session ended at the gateway, not just on the laptop
        refreshed = person.post(f"{gw}/oauth/token", data={"grant_type": "refresh_token", "client_id": "improvenet-cli",
                                                          "refresh_token": stored["refresh_token"]})
        assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
        laptop.run("commitments", "due", code=2)  # no profile any more: says to log in
