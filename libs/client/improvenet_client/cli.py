"""`improvenet`: the network coordinators' routines on the command line.

Exit codes scripts can rely on: 0 done, 1 the server refused (its title, detail and fields are printed),
2 usage (a wrong option, no profile, a visit not on this device), 3 the gateway cannot be reached, 130 a
`--follow` stopped with Ctrl-C (the cursor to resume from is printed)."""

from __future__ import annotations

import csv
import functools
import json
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from improvenet_client import models as m
from improvenet_client._core import CLI_CLIENT_ID, PersonTokens
from improvenet_client._sync_client import Client
from improvenet_client.charts import GRAPH_PNG_SIZE, PNG_SIZE
from improvenet_client.config import (
    DEFAULT_PROFILE,
    FileTokenStore,
    Profile,
    config_dir,
    config_file,
    forget_profile,
    load_profiles,
    save_profile,
    tokens_file,
)
from improvenet_client.errors import GatewayUnreachable, ProblemError
from improvenet_client.offline import OfflineQueue
from improvenet_client.output import Output, cell, emit, err, hint, note, out

EXIT_PROBLEM, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped with Ctrl-C
QUALITY_MEASURE = "practice-quality"  # strategy's series of observations' overall index

app = typer.Typer(name="improvenet", no_args_is_help=True, rich_markup_mode="markdown",
                  help="The improvenet command line: rounds, network meetings, commitments, school reports.\n\n"
                       "Start with `improvenet login`, then e.g. `improvenet commitments due`.")
rounds = typer.Typer(no_args_is_help=True, help="Instructional rounds: plan, observe (also offline), sync, debrief.")
networks = typer.Typer(no_args_is_help=True, help="Network meetings: attendance, the chair and why, commitments.")
commitments = typer.Typer(no_args_is_help=True, help="Commitments: what is due, record one, close one.")
report = typer.Typer(no_args_is_help=True, help="Reports: a school's quality and performance run charts.")
district = typer.Typer(no_args_is_help=True, help="District IT: import a SIS's files, sync changes, export everything.")
graph = typer.Typer(no_args_is_help=True, help="Collaboration graphs: who works with whom, as networks measures it.")
events = typer.Typer(no_args_is_help=True, help="The event feed (a partner client with events:read and a feed "
                                                "subscription): what happened, after a cursor.")
for sub, name in ((rounds, "rounds"), (networks, "networks"), (commitments, "commitments"), (report, "report"),
                  (district, "district"), (graph, "graph"), (events, "events")):
    app.add_typer(sub, name=name)

OutputOpt = Annotated[Output, typer.Option("--output", "-o", help="table (people), json or csv (scripts)")]
F = TypeVar("F", bound=Callable[..., Any])


class UsageProblem(Exception):
    """A mistake on this side: exit 2 with what to do instead."""


class State:
    profile: str = DEFAULT_PROFILE


state = State()


@app.callback()
def main(profile: Annotated[str, typer.Option("--profile", "-p", envvar="IMPROVENET_PROFILE",
                                              help="which saved login to use")] = DEFAULT_PROFILE) -> None:
    """Profiles are saved by `improvenet login` in ~/.config/improvenet/config.toml (or $IMPROVENET_CONFIG_DIR)."""
    state.profile = profile


# what to do about a problem the generic advice for its status would get wrong, by its type's slug
PROBLEM_HINTS = {
    "no-subscription": "ask your tenant administrator to subscribe this client to the feed (`POST "
                       "/api/v1/partners/subscriptions` with your client_id, mode \"feed\" and the event types; "
                       "docs/partners.md)",
}


def command(fn: F) -> F:
    """Every command's errors become the exit codes above, with a message saying what to do next."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ProblemError as p:
            err.print(f"[bold red]{p.status} {p.title}[/bold red]" + (f": {p.detail}" if p.detail else ""))
            for e in p.errors:
                err.print(f"  [yellow]{e.field}[/yellow]: {e.message}")
            err.print(f"[dim]what it means and what to do: {p.type}"
                      + (f"  (request {p.request_id})" if p.request_id else "") + "[/dim]")
            if p.slug in PROBLEM_HINTS:
                hint(PROBLEM_HINTS[p.slug])
            elif p.status == 401:
                hint("sign in again with `improvenet login` (a machine client: check its id and secret)")
            elif p.status == 403:
                hint("ask your tenant administrator for a client with the scope this needs")
            raise typer.Exit(EXIT_PROBLEM) from None
        except GatewayUnreachable as g:
            err.print(f"[bold red]cannot reach the gateway[/bold red] at {g.url}: {g.cause}")
            hint("check the network and that the platform is up (`make up`), or log in to another gateway "
                 "with `improvenet login --gateway URL`; notes can be captured with `rounds observe --offline`")
            raise typer.Exit(EXIT_UNREACHABLE) from None
        except UsageProblem as u:
            err.print(f"[bold red]{u}[/bold red]")
            raise typer.Exit(EXIT_USAGE) from None

    return run  # type: ignore[return-value]


def profile() -> Profile:
    profiles = load_profiles()
    if state.profile not in profiles:
        known = ", ".join(profiles) or "none yet"
        raise UsageProblem(f"no profile {state.profile!r} in {config_file()} (saved: {known}); run "
                           f"`improvenet login --profile {state.profile} --gateway URL --client-id ID`")
    return profiles[state.profile]


def client() -> Client:
    p = profile()
    if p.person:
        return Client(p.gateway, p.client_id, person=FileTokenStore(tokens_file(p.name)))
    return Client(p.gateway, p.client_id, p.client_secret)


def queue() -> OfflineQueue:
    return OfflineQueue(config_dir() / "offline.sqlite")


def today() -> str:
    return date.today().isoformat()


# --- login ---------------------------------------------------------------------------------------------
@app.command(epilog="Examples: `improvenet login --gateway https://improvenet.example.org` (you, in the "
                    "browser); `improvenet login --gateway http://127.0.0.1:8000 --credentials-file "
                    ".improvenet/bootstrap-client.json` (a machine client)")
@command
def login(gateway: Annotated[str, typer.Option(help="the platform's URL")] = "http://127.0.0.1:8000",
          client_id: Annotated[str | None, typer.Option(help="from your tenant administrator")] = None,
          client_secret: Annotated[str | None, typer.Option(envvar="IMPROVENET_CLIENT_SECRET",
                                                            help="asked for when not given")] = None,
          credentials_file: Annotated[Path | None, typer.Option(help="a JSON file with client_id and "
                                                                     "client_secret")] = None,
          output: OutputOpt = Output.table) -> None:
    """Sign in and save the profile (file mode 0600): you, through the browser (the device flow: open the
    link shown, sign in, allow), or a machine client's credentials (`--client-id` or `--credentials-file`)."""
    if client_id is None and credentials_file is None:
        sign_in_person(gateway.rstrip("/"), output)
        return
    if credentials_file is not None:
        try:
            creds = json.loads(credentials_file.read_text())
            client_id, client_secret = creds["client_id"], creds["client_secret"]
        except (OSError, ValueError, KeyError) as exc:
            raise UsageProblem(f"{credentials_file}: not a credentials file ({exc})") from exc
    if not client_id:
        raise UsageProblem("name the client: --client-id ID (or --credentials-file FILE)")
    if not client_secret:
        client_secret = typer.prompt("client secret", hide_input=True)
    with Client(gateway, client_id, client_secret) as api:
        api.authenticate()  # wrong credentials are said here, not on the first routine
    path = save_profile(Profile(state.profile, gateway.rstrip("/"), client_id, client_secret))
    data = {"profile": state.profile, "gateway": gateway.rstrip("/"), "client_id": client_id, "config": str(path)}
    emit(output, data, [data], list(data), "logged in")
    hint("`improvenet rounds plan --help` or `improvenet commitments due`")


def sign_in_person(gateway: str, output: Output) -> None:
    """RFC 8628: the gateway gives a code, the person allows it in a browser, we poll until it says so."""
    with Client(gateway, CLI_CLIENT_ID) as api:
        try:
            start = api.start_device_login()
        except ProblemError as problem:
            if problem.status not in (404, 405):
                raise
            raise UsageProblem(f"{gateway} does not offer people's sign-in (device flow); log in with a machine "
                               "client instead: --client-id ID or --credentials-file FILE") from None
        err.print(f"To sign in, open [bold]{start['verification_uri']}[/bold] in a browser and enter the code "
                  f"[bold]{start['user_code']}[/bold]")
        err.print(f"[dim](or open {start.get('verification_uri_complete') or start['verification_uri']})[/dim]")
        interval, deadline = float(start.get("interval", 5)), time.monotonic() + float(start.get("expires_in", 600))
        with err.status("waiting for you to allow it in the browser (Ctrl-C to give up)"):
            while True:
                time.sleep(interval)
                answer = api.poll_device_login(start["device_code"])
                if answer == "slow_down":
                    interval += 5  # RFC 8628 §3.5
                elif isinstance(answer, dict):
                    break
                if time.monotonic() > deadline:
                    raise UsageProblem("the code expired before it was allowed; run `improvenet login` again")
    lifetime = float(answer.get("expires_in", 900))
    store = FileTokenStore(tokens_file(state.profile))
    store.save(PersonTokens(answer["refresh_token"], answer["access_token"], time.time() + lifetime, lifetime))
    path = save_profile(Profile(state.profile, gateway, CLI_CLIENT_ID, "", person=True))
    with Client(gateway, person=store) as api:
        who = api.me()
    data = {"profile": state.profile, "gateway": gateway, "person_id": who.get("person_id"), "role": who.get("role"),
            "scopes": " ".join(who.get("scopes") or []), "config": str(path)}
    emit(output, data, [data], list(data), f"signed in as {who.get('display_name') or who.get('person_id')}")
    hint("`improvenet commitments due` or `improvenet rounds plan --help`; `improvenet logout` ends the session")


@app.command(epilog="Example: `improvenet logout` (or `improvenet --profile west logout`)")
@command
def logout(output: OutputOpt = Output.table) -> None:
    """End the profile's session at the gateway (a person's) and forget the profile on this machine."""
    p = profile()
    ended = False
    if p.person:
        with client() as api:
            try:
                api.sign_out()
                ended = True
            except ProblemError as problem:
                if problem.status != 401:  # 401: the session had already ended; forgetting it is all that is left
                    raise
    forget_profile(p.name)
    data = {"profile": p.name, "session_ended": ended, "forgotten": True}
    emit(output, data, [data], list(data), f"logged out of {p.gateway}")
    again = "" if p.name == DEFAULT_PROFILE else f"--profile {p.name} "
    others = sorted(name for name in load_profiles() if name != p.name)
    hint(f"sign in again: `improvenet {again}login --gateway {p.gateway}` (a machine client: add --client-id ID)"
         + (f"; still saved here: {', '.join(others)}" if others else ""))


# --- rounds --------------------------------------------------------------------------------------------
def parse_classroom(text: str) -> dict[str, Any]:
    parts = text.split("/")
    if len(parts) not in (3, 4) or not all(parts[:3]):
        raise UsageProblem(f"--classroom {text!r}: write GRADE/SUBJECT/ROOM or GRADE/SUBJECT/ROOM/TEACHER_ID")
    room: dict[str, Any] = {"grade": parts[0], "subject": parts[1], "room": parts[2]}
    if len(parts) == 4 and parts[3]:
        room["teacher_id"] = parts[3]
    return room


def classroom_rows(visit: m.Visit) -> list[dict[str, Any]]:
    return [{"visit_id": visit["id"], "status": visit["status"], **c} for c in visit["classrooms"]]


CLASSROOM_COLUMNS = ["room", "grade", "subject", "id", "status"]


@rounds.command(epilog="Example: `improvenet rounds plan --school SCHOOL --protocol-version VERSION --problem "
                       "'Students rarely explain how they know' --observer ED1 --observer ED2 "
                       "--classroom 4/math/101 --classroom 4/math/102`")
@command
def plan(school: Annotated[str, typer.Option(help="the host school's id")],
         protocol_version: Annotated[str, typer.Option(help="the protocol version the round uses")],
         problem: Annotated[str, typer.Option(help="the host's problem of practice, in words")],
         observer: Annotated[list[str], typer.Option(help="an observer's educator id (repeat)")],
         classroom: Annotated[list[str], typer.Option(help="GRADE/SUBJECT/ROOM[/TEACHER_ID] (repeat)")],
         visit_date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (default today)")] = "",
         network: Annotated[str | None, typer.Option(help="the network running the round")] = None,
         problem_id: Annotated[str | None, typer.Option(help="networks' problem of practice id")] = None,
         focusing_question: Annotated[list[str] | None, typer.Option(help="repeat for several")] = None,
         output: OutputOpt = Output.table) -> None:
    """Schedule a round at a host school: observers, classrooms, the problem of practice."""
    body = {"school_id": school, "visit_date": visit_date or today(), "protocol_version_id": protocol_version,
            "problem_of_practice": problem, "observer_ids": observer,
            "classrooms": [parse_classroom(c) for c in classroom], "network_id": network,
            "problem_of_practice_id": problem_id, "focusing_questions": focusing_question or []}
    with client() as api:
        visit = api.create_visit({k: v for k, v in body.items() if v is not None})
    queue().remember_visit(visit)  # its rooms, for notes taken offline
    emit(output, visit, classroom_rows(visit), CLASSROOM_COLUMNS, f"round {visit['id']} on {visit['visit_date']}")
    hint(f"record evidence: `improvenet rounds observe {visit['id']} --room ROOM --observer ID --note TEXT` "
         "(add --offline without a connection)")


@rounds.command(epilog="Example: `improvenet rounds show VISIT` (also keeps its rooms on this device)")
@command
def show(visit_id: Annotated[str, typer.Argument(help="the visit's id")], output: OutputOpt = Output.table) -> None:
    """A round's classrooms and status; keeps the round on this device for offline notes."""
    with client() as api:
        visit = api.get_visit(visit_id)
    queue().remember_visit(visit)
    emit(output, visit, classroom_rows(visit), CLASSROOM_COLUMNS, f"round {visit['id']} ({visit['status']})")
    hint(show_next(visit))


def show_next(visit: m.Visit) -> str:
    """What a round's status asks for next."""
    if visit["status"] in ("planned", "in_progress"):
        return (f"record evidence: `improvenet rounds observe {visit['id']} --room ROOM --observer ID --note TEXT` "
                "(this device has its rooms now: --offline works without a connection)")
    if visit["status"] == "observed":
        return f"debrief: `improvenet rounds debrief {visit['id']} --prediction TEXT --next 'WHAT|OWNER|DUE'`"
    return "follow its next level of work: `improvenet commitments due`"


def find_classroom(visit: m.Visit, room: str | None, classroom_id: str | None) -> str:
    if classroom_id:
        return classroom_id
    for c in visit["classrooms"]:
        if c["room"] == room:
            return c["id"]
    rooms = ", ".join(c["room"] for c in visit["classrooms"])
    raise UsageProblem(f"no room {room!r} in this round (rooms: {rooms}); use --room with one of them")


def as_note_in(n: m.Note) -> m.NoteIn:
    kept: m.NoteIn = {"observed_at": n["observed_at"], "text": n["text"], "look_for_codes": n["look_for_codes"],
                      "language": n["language"]}
    if client_id := n.get("client_id"):  # a note that came from a device keeps its id
        kept["client_id"] = str(client_id)
    return kept


NOTE_COLUMNS = ["observed_at", "text", "look_for_codes", "verdict", "flags"]


def note_rows(record: m.Record) -> list[dict[str, Any]]:
    return [{**n, "flags": [f.get("term") or f.get("kind") for f in n.get("flags", [])]} for n in record["notes"]]


@rounds.command(epilog="Examples: `improvenet rounds observe VISIT --room 101 --observer ED1 --note 'Students "
                       "compare two strategies aloud' --look-for S1`; offline: add `--offline`, later "
                       "`improvenet rounds sync`")
@command
def observe(visit_id: Annotated[str, typer.Argument(help="the visit's id")],
            observer: Annotated[str, typer.Option(help="your educator id")],
            note_text: Annotated[str, typer.Option("--note", help="what you saw or heard, described")],
            room: Annotated[str | None, typer.Option(help="the classroom's room")] = None,
            classroom: Annotated[str | None, typer.Option(help="or the classroom's id")] = None,
            look_for: Annotated[list[str] | None, typer.Option(help="a look-for code (repeat)")] = None,
            at: Annotated[str | None, typer.Option(help="when (ISO 8601; default now)")] = None,
            offline: Annotated[bool, typer.Option(help="queue on this device; `rounds sync` uploads")] = False,
            submit: Annotated[bool, typer.Option(help="submit the record after this note (online)")] = False,
            output: OutputOpt = Output.table) -> None:
    """Add a note to your record of one classroom (online), or queue it on this device (--offline)."""
    if room is None and classroom is None:
        raise UsageProblem("name the classroom: --room ROOM or --classroom ID")
    observed_at = at or datetime.now(UTC).isoformat()
    q = queue()
    if offline:
        visit = q.visit(visit_id)
        if visit is None and classroom is None:
            raise UsageProblem(f"round {visit_id} is not on this device: run `improvenet rounds show {visit_id}` "
                               "once while online, or give --classroom ID")
        classroom_id = find_classroom(visit, room, classroom) if visit else str(classroom)
        client_id = q.add_note(visit_id, classroom_id, observer, note_text, look_for or [], observed_at)
        data = {"queued": client_id, "visit_id": visit_id, "classroom_id": classroom_id, "pending": len(q.pending())}
        emit(output, data, [data], list(data), "queued on this device")
        hint("when back online: `improvenet rounds sync`")
        return
    new: m.NoteIn = {"observed_at": observed_at, "text": note_text, "look_for_codes": look_for or []}
    with client() as api:
        visit = api.get_visit(visit_id)
        q.remember_visit(visit)
        classroom_id = find_classroom(visit, room, classroom)
        if visit["status"] == "planned":  # the first evidence starts the round
            visit = api.transition_visit(visit_id, "in_progress", visit["version"])
        mine = [r for r in api.list_visit_records(visit_id) if r["observer_id"] == observer
                and r["classroom_id"] == classroom_id and r["status"] in ("draft", "reopened")]
        if mine:
            current = api.get_record(mine[0]["id"])
            record = api.save_record(current["id"], [*map(as_note_in, current["notes"]), new], current["version"])
        else:
            record = api.create_record(visit_id, classroom_id, observer, [new])
        if submit:
            record = api.transition_record(record["id"], "submitted", record["version"])
    emit(output, record, note_rows(record), NOTE_COLUMNS, f"record {record['id']} ({record['status']})")
    if any(not n["descriptive"] for n in record["notes"]):
        hint("an evaluative note: describe what you saw or heard instead of judging it (see its flags)")
    elif not submit:
        hint(f"more notes the same way; submit with `improvenet rounds observe {visit_id} ... --submit`")


@rounds.command(epilog="Example: `improvenet rounds sync` (running it twice is harmless)")
@command
def sync(submit: Annotated[bool, typer.Option(help="submit the uploaded records")] = True,
         output: OutputOpt = Output.table) -> None:
    """Upload the notes queued on this device (offline batch with the device's ids; a resend is harmless)."""
    from rich.progress import Progress

    q = queue()
    if not q.pending():
        emit(output, {"records": [], "notes": 0}, [], ["client_id", "id", "outcome"], "nothing to upload")
        note("nothing queued on this device")
        return
    with client() as api, Progress(console=err, transient=True) as bar:
        task = bar.add_task("uploading", total=None)
        result = q.sync(api, submit, progress=lambda done, total: bar.update(task, completed=done, total=total))
    data = {"records": result.records, "notes": result.notes, "created": result.records_created,
            "unchanged": result.records_unchanged}
    emit(output, data, list(result.records), ["client_id", "id", "outcome"],
         f"uploaded {result.notes} notes in {len(result.records)} records")
    hint("when the team is done observing: `improvenet rounds debrief VISIT --prediction TEXT`")


def parse_recommendation(text: str) -> dict[str, Any]:
    parts = text.split("|")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise UsageProblem(f"--next {text!r}: write 'RECOMMENDATION|OWNER_ID[|DUE_DATE[|LEVEL]]'")
    rec: dict[str, Any] = {"recommendation": parts[0], "owner_id": parts[1]}
    if len(parts) > 2 and parts[2]:
        rec["due_date"] = parts[2]
    if len(parts) > 3 and parts[3]:
        rec["level"] = parts[3]
    return rec


@rounds.command(epilog="Examples: `improvenet rounds debrief VISIT` (the patterns so far); `improvenet rounds "
                       "debrief VISIT --prediction 'Students would explain their answers' --next 'Model "
                       "comparing strategies|SCHOOL_OR_EDUCATOR_ID|2026-12-15'`")
@command
def debrief(visit_id: Annotated[str, typer.Argument(help="the visit's id")],
            prediction: Annotated[str | None, typer.Option(help="if you were a student here, what would you "
                                                                "know and be able to do?")] = None,
            next_level: Annotated[list[str] | None, typer.Option(
                "--next", help="next level of work: 'RECOMMENDATION|OWNER_ID[|DUE_DATE[|LEVEL]]' (repeat)")] = None,
            keep_open: Annotated[bool, typer.Option(help="write the debrief but leave the visit open")] = False,
            output: OutputOpt = Output.table) -> None:
    """The patterns per look-for; with --prediction, record the debrief and mark the visit debriefed."""
    with client() as api:
        if prediction is not None:
            visit = api.get_visit(visit_id)
            if visit["status"] == "planned":
                visit = api.transition_visit(visit_id, "in_progress", visit["version"])
            api.put_debrief(visit_id, prediction, [parse_recommendation(t) for t in next_level or []])
            if not keep_open:
                visit = api.get_visit(visit_id)
                api.transition_visit(visit_id, "debriefed", visit["version"])
        result = api.get_debrief(visit_id)
    emit(output, result, result["patterns"], ["code", "description", "classrooms", "notes"],
         f"debrief of {visit_id} ({result['status']}, {result['observed_classrooms']} classrooms observed)")
    if output is Output.table:
        if result.get("prediction"):
            out.print(f"prediction: {result['prediction']}")
        for r in result.get("next_level_of_work") or []:
            out.print(f"next: {r['recommendation']} (owner {r['owner_id']}, due {r.get('due_date') or '-'})")
    if prediction is None:
        hint(f"record it: `improvenet rounds debrief {visit_id} --prediction TEXT --next 'WHAT|OWNER|DUE'`")
    else:
        hint("follow the next level of work: `improvenet commitments due`")


# --- networks ------------------------------------------------------------------------------------------
def parse_agenda(text: str) -> dict[str, Any]:
    title, _, tags = text.partition(":")
    return {"title": title, "tags": [t for t in tags.split(",") if t]}


def parse_commitment(text: str) -> dict[str, Any]:
    parts = text.split("|")
    if len(parts) < 3 or not all(parts[:3]):
        raise UsageProblem(f"--commit {text!r}: write 'SCHOOL_ID|DESCRIPTION|DUE_DATE[|EDUCATOR_ID]'")
    body: dict[str, Any] = {"school_id": parts[0], "description": parts[1], "due_on": parts[2]}
    if len(parts) > 3 and parts[3]:
        body["educator_id"] = parts[3]
    return body


CANDIDATE_COLUMNS = ["rank", "educator_id", "reason", "score", "expertise", "turn", "matched_tags", "explanation"]
COMMITMENT_COLUMNS = ["id", "due_on", "status", "overdue", "school_id", "educator_id", "description"]


@networks.command(epilog="Example: `improvenet networks meet NETWORK --date 2026-12-03 --agenda "
                         "'Comparing strategies:reasoning,talk' --attendee ED1 --attendee ED2 --commit "
                         "'SCHOOL|Try the comparison task in grade 4|2026-12-17'`; add --suggest-only to see "
                         "the chair suggestion first")
@command
def meet(network_id: Annotated[str, typer.Argument(help="the network's id")],
         agenda: Annotated[list[str], typer.Option(help="'TITLE[:TAG,TAG]' (repeat)")],
         attendee: Annotated[list[str], typer.Option(help="an attendee's educator id (repeat)")],
         meeting_date: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (default today)")] = "",
         meeting_type: Annotated[str, typer.Option("--type", help="learning_session or rounds_visit")] =
         "learning_session",
         chair: Annotated[str | None, typer.Option(help="the chair (default: the suggestion's first)")] = None,
         host: Annotated[str | None, typer.Option(help="the host school (default: the rotation's next)")] = None,
         problem: Annotated[str | None, typer.Option(help="the problem of practice discussed")] = None,
         commit: Annotated[list[str] | None, typer.Option(
             help="a commitment: 'SCHOOL_ID|DESCRIPTION|DUE_DATE[|EDUCATOR_ID]' (repeat)")] = None,
         suggest_only: Annotated[bool, typer.Option(help="only show who should chair and why")] = False,
         output: OutputOpt = Output.table) -> None:
    """Hold a meeting: the chair suggestion with its reasons, attendance, then the commitments made."""
    items = [parse_agenda(a) for a in agenda]
    tags = sorted({t for i in items for t in i["tags"]})
    commits = [parse_commitment(c) for c in commit or []]
    with client() as api:
        suggestion = api.chair_suggestion(network_id, tags, attendee)
        if suggest_only:
            emit(output, suggestion, suggestion["candidates"], CANDIDATE_COLUMNS, "who should chair, and why")
            hint(f"hold it: `improvenet networks meet {network_id} ...` without --suggest-only")
            return
        by_id = {c["educator_id"]: c for c in suggestion["candidates"]}
        chosen = chair or (suggestion["candidates"][0]["educator_id"] if suggestion["candidates"] else None)
        if chosen is None:
            raise UsageProblem("nobody to suggest as chair: name one with --chair EDUCATOR_ID")
        reason = by_id[chosen]["reason"] if chosen in by_id else "rotation"
        host_school = host or api.host_rotation(network_id).get("next_host_school_id")
        body = {"network_id": network_id, "meeting_date": meeting_date or today(), "meeting_type": meeting_type,
                "agenda": items, "attendee_ids": attendee, "chair_id": chosen, "chair_reason": reason,
                "host_school_id": host_school, "problem_of_practice_id": problem}
        meeting = api.create_meeting({k: v for k, v in body.items() if v is not None})
        made = [api.create_commitment({**c, "meeting_id": meeting["id"], "network_id": network_id})
                for c in commits]
    data = {"suggestion": suggestion, "meeting": meeting, "commitments": made}
    if output is Output.table:
        emit(output, data, suggestion["candidates"], CANDIDATE_COLUMNS, "chair suggestion")
        out.print(f"meeting {meeting['id']} on {meeting['meeting_date']}: {len(meeting['attendee_ids'])} attending, "
                  f"chaired by {meeting['chair_id']} ({meeting['chair_reason']})")
        if made:
            emit(output, made, made, COMMITMENT_COLUMNS, "commitments")
    else:
        emit(output, data, made, COMMITMENT_COLUMNS)
    hint("follow up: `improvenet commitments due --network " + network_id + "`")


# --- commitments ---------------------------------------------------------------------------------------
@commitments.command(epilog="Examples: `improvenet commitments due --within 14`; `improvenet commitments due "
                            "--school SCHOOL --output csv > due.csv`")
@command
def due(school: Annotated[str | None, typer.Option(help="one school's")] = None,
        network: Annotated[str | None, typer.Option(help="one network's")] = None,
        within: Annotated[int | None, typer.Option(help="due in the next N days (overdue ones too)")] = None,
        overdue: Annotated[bool, typer.Option(help="only the overdue ones")] = False,
        output: OutputOpt = Output.table) -> None:
    """Open commitments, soonest due first."""
    with client() as api:
        items = list(api.iter_commitments(status="open", school_id=school, network_id=network,
                                          overdue=True if overdue else None))
    if within is not None:
        horizon = (date.today() + timedelta(days=within)).isoformat()
        items = [c for c in items if c["due_on"] <= horizon]
    items.sort(key=lambda c: (c["due_on"], c["id"]))
    emit(output, items, items, COMMITMENT_COLUMNS, f"{len(items)} open commitments")
    if items:
        hint("close one when done: `improvenet commitments close ID` (or --dropped)")


@commitments.command(epilog="Example: `improvenet commitments add --school SCHOOL --description 'Share the "
                            "comparison task' --due 2026-12-17`")
@command
def add(school: Annotated[str, typer.Option(help="the school that commits")],
        description: Annotated[str, typer.Option(help="what, in words")],
        due_on: Annotated[str, typer.Option("--due", help="YYYY-MM-DD")],
        educator: Annotated[str | None, typer.Option(help="the member who commits")] = None,
        meeting: Annotated[str | None, typer.Option(help="the meeting it was made at")] = None,
        network: Annotated[str | None, typer.Option(help="the network")] = None,
        output: OutputOpt = Output.table) -> None:
    """Record a commitment."""
    body = {"school_id": school, "description": description, "due_on": due_on, "educator_id": educator,
            "meeting_id": meeting, "network_id": network}
    with client() as api:
        made = api.create_commitment({k: v for k, v in body.items() if v is not None})
    emit(output, made, [dict(made)], COMMITMENT_COLUMNS, "commitment recorded")
    hint(f"when done: `improvenet commitments close {made['id']}`")


@commitments.command(epilog="Example: `improvenet commitments close COMMITMENT` (or `--dropped`)")
@command
def close(commitment_id: Annotated[str, typer.Argument(help="the commitment's id")],
          dropped: Annotated[bool, typer.Option(help="dropped rather than fulfilled")] = False,
          on: Annotated[str, typer.Option(help="YYYY-MM-DD (default today)")] = "",
          output: OutputOpt = Output.table) -> None:
    """Close a commitment: fulfilled (or dropped)."""
    with client() as api:
        current = api.get_commitment(commitment_id)
        closed = api.transition_commitment(commitment_id, "dropped" if dropped else "fulfilled", on or today(),
                                           current["version"])
    emit(output, closed, [dict(closed)], COMMITMENT_COLUMNS, "commitment closed")
    hint(f"what is still open: `improvenet commitments due --school {closed['school_id']}`")


# --- report --------------------------------------------------------------------------------------------
SIGNAL_COLUMNS = ["series", "rule", "direction", "periods", "observed", "threshold"]


@report.command(name="school", epilog="Example: `improvenet report school SCHOOL --measure math-proficiency "
                                      "--png hamilton.png`")
@command
def school_report(school_id: Annotated[str, typer.Argument(help="the school's id")],
                  measure: Annotated[str, typer.Option(help="the performance measure, e.g. math-proficiency")],
                  period: Annotated[str | None, typer.Option(help="the quality index's term, e.g. 2026-27-T1")] = None,
                  png: Annotated[Path | None, typer.Option(help="also write the charts to this PNG file")] = None,
                  width: Annotated[int, typer.Option(help="terminal chart width")] = 100,
                  output: OutputOpt = Output.table) -> None:
    """The practice-quality index and the quality and performance run charts, with their signals."""
    from improvenet_client import charts

    with client() as api:
        quality = api.get_quality(school_id, period)
        quality_series = api.get_series(school_id, QUALITY_MEASURE)
        performance = api.get_series(school_id, measure)
    series = [(f"practice quality ({QUALITY_MEASURE})", quality_series), (f"performance ({measure})", performance)]
    signals = [{"series": name, **s} for name, sr in series for s in sr.get("signals", [])]
    data: dict[str, Any] = {"school_id": school_id, "quality": quality, "quality_series": quality_series,
                            "performance_series": performance, "signals": signals}
    if png is not None:
        charts.png(series, png, f"school {school_id}")
        data["png"] = {"path": str(png), "width": PNG_SIZE[0], "height": PNG_SIZE[1]}
    if output is Output.table:
        if quality["published"]:
            shares = [{"look_for": k, "share": v} for k, v in sorted(quality["shares"].items())]
            emit(output, data, shares, ["look_for", "share"],
                 f"practice quality {quality['period']}: overall {quality['overall']}")
        else:
            out.print(f"practice quality {quality['period']}: not shown yet ({quality['observed_classrooms']} of "
                      f"{quality['minimum_classrooms']} classrooms observed)")
        out.print(charts.terminal(series, width=width, color=out.is_terminal))
        emit(output, data, signals, SIGNAL_COLUMNS, f"{len(signals)} signals")
    else:
        emit(output, data, signals, SIGNAL_COLUMNS)
    if png is not None:
        note(f"wrote {png} ({PNG_SIZE[0]}x{PNG_SIZE[1]})")
    if not quality["published"]:
        hint(f"the quality index shows from {quality['minimum_classrooms']} classrooms observed: plan a round, "
             f"`improvenet rounds plan --school {school_id} ...`")
    elif png is None:
        hint(f"the charts for the team: `improvenet report school {school_id} --measure {measure} --png FILE`")
    else:
        hint(f"the numbers behind {png}: `improvenet report school {school_id} --measure {measure} -o json`")


# --- district IT ------------------------------------------------------------------------------------------
IMPORT_FORMATS = ("oneroster", "edfi")
ISSUE_COLUMNS = ["file", "line", "column", "value", "expected"]


@district.command(name="import", epilog="Examples: `improvenet district import oneroster roster.zip`; "
                                        "`improvenet district import edfi staff.json --no-wait`")
@command
def import_set(format: Annotated[str, typer.Argument(help="oneroster (a OneRoster 1.2 CSV zip) or edfi (JSON)")],
               file: Annotated[Path, typer.Argument(help="the file the SIS exported", exists=True, dir_okay=False)],
               wait: Annotated[bool, typer.Option(help="follow the job until it ends, with its progress")] = True,
               output: OutputOpt = Output.table) -> None:
    """Upload a district's set as an import job; nothing is written from a set that fails validation."""
    if format not in IMPORT_FORMATS:
        raise UsageProblem(f"unknown format {format!r}: use one of {', '.join(IMPORT_FORMATS)}")
    with client() as api:
        if format == "oneroster":
            job = api.import_oneroster(file.read_bytes())
        else:
            try:
                body = json.loads(file.read_text())
            except (ValueError, UnicodeDecodeError) as exc:
                raise UsageProblem(f"{file} is not JSON: {exc}") from None
            job = api.import_edfi(body)
        if not wait:
            emit(output, job, [job], ["id", "format", "status"], "import queued")
            hint(f"follow it: `improvenet district import-status {job['id']}`")
            return
        job = _follow_import(api, job)
    _show_import(job, output)


def _follow_import(api: Client, job: m.ImportJob) -> m.ImportJob:
    """Wait for the job with a progress bar on stderr (a terminal only). The bar stays when the job ends,
    full when it succeeded, so the screen shows that it got there and with which counts."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task(f"import {job['status']}", total=None)

        def show(j: m.ImportJob) -> None:
            p = j["progress"]
            text = (f"import {j['status']}: {p['read']} read, {p['written']} written, {p['unchanged']} unchanged, "
                    f"{p['failed']} failed")
            # the job reports no total while it runs (rows_read counts students it ignores too): the bar
            # pulses until the end, then is full (succeeded) or empty (failed)
            if j["status"] == "succeeded":
                bar.update(task, description=text, total=max(p["read"], 1), completed=max(p["read"], 1))
            elif j["status"] == "failed":
                bar.update(task, description=text, total=1, completed=0)
            else:
                bar.update(task, description=text)

        return api.wait_for_import(job["id"], progress=show)


@district.command(name="import-status", epilog="Example: `improvenet district import-status JOB`")
@command
def import_status(job_id: Annotated[str, typer.Argument(help="the import job's id")],
                  output: OutputOpt = Output.table) -> None:
    """An import job: its status, progress and report."""
    with client() as api:
        _show_import(api.get_import(job_id), output)


def _show_import(job: m.ImportJob, output: Output) -> None:
    issues = job["report"].get("issues") or []
    p = job["progress"]
    summary = (f"import {job['id']} {job['status']}: {p['read']} rows read, {p['written']} written, "
               f"{p['unchanged']} unchanged, {p['failed']} failed")
    emit(output, job, issues, ISSUE_COLUMNS, summary)
    if job["status"] == "failed":
        hint(f"nothing of it was written: fix the {len(issues)} issues listed (file, line, column) and upload the "
             f"set again: `improvenet district import {job['format']} FILE`")
        raise typer.Exit(EXIT_PROBLEM)
    if job["status"] == "succeeded":
        hint("what changed, for your sync: `improvenet district changes hr educators` (or schools, districts)")
    else:
        hint(f"still {job['status']}: run `improvenet district import-status {job['id']}` again in a moment")


@district.command(epilog="Examples: `improvenet district changes hr educators` (everything, then note the "
                         "version); `improvenet district changes hr educators --since 4812 -o json`")
@command
def changes(service: Annotated[str, typer.Argument(help="hr, observations, networks or strategy")],
            resource: Annotated[str, typer.Argument(help="e.g. educators, schools, visits, plans")],
            since: Annotated[int | None, typer.Option(help="the newest version your last sync saw")] = None,
            output: OutputOpt = Output.table) -> None:
    """What changed and what was deleted since a sync (as Ed-Fi's change queries), and where to start next."""
    from improvenet_client.operations import TRACKED

    if resource not in TRACKED.get(service, ()):
        known = "; ".join(f"{s}: {', '.join(rs)}" for s, rs in TRACKED.items())
        raise UsageProblem(f"no change queries for {service} {resource} (there are: {known})")
    changed: list[dict[str, Any]] = []
    deleted: list[m.Tombstone] = []
    with client() as api:
        newest = api.available_change_versions(service)["newest_change_version"]
        if since is None:  # the first sync: everything up to now (deletes before it do not matter)
            changed = list(api.iter_changed(service, resource, max_change_version=newest))
        elif since < newest:
            changed = list(api.iter_changed(service, resource, since + 1, newest))
            deleted = list(api.iter_deleted(service, resource, since + 1, newest))
    rows = [{"change": "changed", "id": c["id"], "version": c.get("version")} for c in changed]
    rows += [{"change": "deleted", "id": d["id"], "version": d["change_version"]} for d in deleted]
    emit(output, {"newest_change_version": newest, "changed": changed, "deleted": deleted}, rows,
         ["change", "id", "version"], f"{len(changed)} changed, {len(deleted)} deleted up to version {newest}")
    hint(f"next time: `improvenet district changes {service} {resource} --since {newest}`")


EXPORT_FILE_COLUMNS = ["path", "rows", "sha256", "personal_fields_included"]
# What the export job tells while it runs is its status (and attempts), not how far it has read: the bar
# moves by the job's steps, the last of them this machine's download of the zip.
EXPORT_STEPS = {"queued": 0, "running": 1, "succeeded": 2, "downloaded": 3}


def size(n: int | None) -> str:
    """Bytes for people: 1843211 -> 1.8 MB."""
    if n is None:
        return "? bytes"
    value, unit = float(n), "B"
    for bigger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"


def export_text(job: m.ExportJob) -> str:
    if job["status"] == "succeeded":
        rows = sum(f["rows"] for f in job["files"])
        return f"export succeeded: {len(job['files'])} files, {rows} rows, {size(job['archive_bytes'])}"
    if job["status"] == "running":
        return f"export running: the gateway's worker reads every service (attempt {job['attempts']})"
    if job["status"] == "failed":
        return f"export failed after {job['attempts']} attempts"
    return "export queued" + (f" again (attempt {job['attempts']} failed)" if job["attempts"] else "")


def _follow_export(api: Client, job: m.ExportJob, out_file: Path) -> tuple[m.ExportJob, bytes | None]:
    """Wait for the export with a progress bar on stderr (a terminal only), then download it. The bar
    stays when done, full once the zip is written, so the screen shows it got there."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    total = EXPORT_STEPS["downloaded"]
    with Progress(*columns, console=err, disable=not err.is_terminal) as bar:
        task = bar.add_task(export_text(job), total=total, completed=EXPORT_STEPS.get(job["status"], 0))

        def show(j: m.ExportJob) -> None:
            bar.update(task, description=export_text(j), completed=EXPORT_STEPS.get(j["status"], 0))
            bar.refresh()  # each state polled is drawn, however soon the next one comes

        job = api.wait_for_export(job["id"], progress=show)
        if job["status"] != "succeeded":
            return job, None
        archive = api.download_export(job["id"])
        out_file.write_bytes(archive)
        bar.update(task, completed=total, description=f"{export_text(job)}; downloaded to {out_file}")
    return job, archive


@district.command(epilog="Examples: `improvenet district export --out hamilton.zip` (add `--personal-data` for "
                         "names and e-mail; it is audited); `improvenet district export --out hamilton.zip -o json` "
                         "(the job and its manifest's files)")
@command
def export(out_file: Annotated[Path, typer.Option("--out", help="where to write the zip")],
           personal_data: Annotated[bool, typer.Option(help="include personal data (audited)")] = False,
           output: OutputOpt = Output.table) -> None:
    """Everything the tenant holds, on every service, as one zip of JSON lines with a manifest; followed with a
    progress bar. Prints the manifest's files (rows and SHA-256 of each)."""
    with client() as api:
        job, archive = _follow_export(api, api.start_export(personal_data), out_file)
    if archive is None:
        err.print(f"[bold red]the export failed[/bold red]: {job['error']}")
        hint("the gateway's worker could not read a service: check that every service is up (the gateway's "
             "/readyz), then run the export again")
        raise typer.Exit(EXIT_PROBLEM)
    rows = sum(f["rows"] for f in job["files"])
    data = {**job, "out": str(out_file), "bytes": len(archive)}
    emit(output, data, job["files"], EXPORT_FILE_COLUMNS,
         f"export {job['id']}: {len(job['files'])} files, {rows} rows"
         + (" (with personal data)" if job["personal_data"] else ""))
    note(f"wrote {out_file}: {len(job['files'])} files, {rows} rows (manifest.json lists them with SHA-256)")
    hint(f"check it: `unzip -p {out_file} manifest.json`; from now on, sync what changes: `improvenet district "
         "changes hr educators`")


# The names coordinators and the issue tracker use, beside district's: `improvenet import oneroster FILE`,
# `improvenet export tenant --out FILE` run the same commands.
app.command(name="import", epilog="Examples: `improvenet import oneroster roster.zip`; `improvenet import edfi "
                                  "staff.json --no-wait` (the same as `improvenet district import`)")(import_set)
export_app = typer.Typer(no_args_is_help=True, help="Export what the tenant holds (the same as `district export`).")
export_app.command(name="tenant", epilog="Examples: `improvenet export tenant --out hamilton.zip` (add "
                                         "`--personal-data` for names and e-mail; it is audited); `improvenet "
                                         "export tenant --out hamilton.zip -o csv` (the manifest's files)")(export)
app.add_typer(export_app, name="export")


# --- graph -------------------------------------------------------------------------------------------------
MEASURE_COLUMNS = ["period", "nodes", "edges", "density", "reciprocity", "centralization"]
PERSON_COLUMNS = ["rank", "educator_id", "degree", "betweenness", "betweenness_percentile", "effective_size"]


def measure_rows(measured: m.Graph) -> list[dict[str, Any]]:
    """One row per month: the graph at the end of it, cumulative from the start."""
    return [{"period": h["period"], **h["measures"]} for h in measured["history"]]


def person_rows(measured: m.Graph, top: int | None = None) -> list[dict[str, Any]]:
    """People by betweenness, highest first (as networks orders them): who connects the network."""
    people = measured["people"] if top is None else measured["people"][:top]
    return [{"rank": n, **p} for n, p in enumerate(people, start=1)]


def graph_status(measured: m.Graph) -> str | None:
    """What the user must know before trusting the numbers, or None."""
    if measured["refresh_pending"]:
        when = measured["computed_at"] or "never"
        return (f"not recomputed yet: a recent change (a meeting, a visit, a mentoring match) is still queued for "
                f"networks' worker; these are the measures of {when}. Run it again in a moment, or add --wait 30")
    if measured["measures"] is None:
        return "no ties recorded yet: a meeting (`improvenet networks meet`) or a round brings the first"
    return None


@graph.command(name="network", epilog="Examples: `improvenet graph network NETWORK`; `improvenet graph network "
                                      "NETWORK --png network.png --top 5`; `improvenet graph network NETWORK -o csv "
                                      "> people.csv`")
@command
def network_graph(network_id: Annotated[str, typer.Argument(help="the network's id")],
                  png: Annotated[Path | None, typer.Option(help="also draw the graph into this PNG file")] = None,
                  top: Annotated[int, typer.Option(min=1, help="how many people the table shows")] = 10,
                  wait: Annotated[float, typer.Option(min=0, help="seconds to wait for a pending recomputation "
                                                                  "(0: answer at once)")] = 0.0,
                  output: OutputOpt = Output.table) -> None:
    """The network's collaboration graph: its measures by month (density, reciprocity, centralization) and the
    people who connect it (degree, betweenness, effective size); --png draws it."""
    from improvenet_client import charts

    with client() as api:
        measured = api.wait_for_network_graph(network_id, timeout=wait) if wait else api.network_graph(network_id)
        exported = api.network_graph_export(network_id)
    data: dict[str, Any] = {"network_id": network_id, "graph": measured, "export": exported}
    if png is not None:
        degrees = {p["educator_id"]: p["degree"] for p in measured["people"]}
        charts.graph_png(exported, png, f"network {network_id[:8]}: collaboration "
                                        f"({measured['period'] or 'no ties yet'})", degrees)
        data["png"] = {"path": str(png), "width": GRAPH_PNG_SIZE[0], "height": GRAPH_PNG_SIZE[1]}
    if output is Output.table:
        emit(output, data, measure_rows(measured), MEASURE_COLUMNS,
             f"collaboration graph by month (measured {measured['computed_at'] or 'never'})")
        shown = person_rows(measured, top)
        emit(output, data, shown, PERSON_COLUMNS,
             f"top {len(shown)} of {len(measured['people'])} people by betweenness (who connects the network)")
        out.print(f"now: {len(exported['nodes'])} people, {len(exported['edges'])} directed ties "
                  f"(total weight {sum(e['weight'] for e in exported['edges']):g})")
    else:
        emit(output, data, person_rows(measured), PERSON_COLUMNS)
    if (status := graph_status(measured)) is not None:
        err.print(f"[yellow]{status}[/yellow]")
    if png is not None:
        note(f"wrote {png} ({GRAPH_PNG_SIZE[0]}x{GRAPH_PNG_SIZE[1]})")
    hint(f"emerging leaders are offered to hr; the meetings behind the ties: `improvenet commitments due "
         f"--network {network_id}`")


# --- events ------------------------------------------------------------------------------------------------
EVENT_COLUMNS = ["time", "type", "subject", "id"]
TAIL_DEFAULT = 100  # events shown without --follow unless --limit says otherwise
FEED_PAGE = 500  # events asked for per call (the feed allows 1000)


def event_row(ce: dict[str, Any]) -> dict[str, Any]:
    return {c: ce.get(c) for c in EVENT_COLUMNS}


def parse_types(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def read_backlog(api: Client, after: str, types: Sequence[str], limit: int) -> m.EventPage:
    """What the feed holds after the cursor, at most `limit` events, without waiting for more."""
    items: list[dict[str, Any]] = []
    cursor = after
    while len(items) < limit:
        asked = min(FEED_PAGE, limit - len(items))
        page = api.read_events(cursor, types, limit=asked, wait=0)
        items += page["items"]
        cursor = page["next_cursor"]
        if len(page["items"]) < asked:  # caught up: the feed had no more
            break
    return {"items": items, "next_cursor": cursor}


class EventStream:
    """Events printed as they arrive: a line each (table), JSON Lines (json) or CSV rows under one header;
    flushed per page, so a pipe sees each event when it comes."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.csv = csv.writer(sys.stdout, lineterminator="\n")
        if output is Output.csv:
            self.csv.writerow(EVENT_COLUMNS)
            sys.stdout.flush()

    def write(self, items: Sequence[dict[str, Any]]) -> None:
        for ce in items:
            if self.output is Output.json:
                sys.stdout.write(json.dumps(ce, default=str) + "\n")
            elif self.output is Output.csv:
                self.csv.writerow([cell(ce.get(c)) for c in EVENT_COLUMNS])
            else:
                out.print(f"{ce.get('time', '')}  {ce.get('type', '')}  {ce.get('subject', '')}", markup=False)
        sys.stdout.flush()


@dataclass
class FeedPosition:
    """Where a follower is: the cursor after the last page it printed."""

    cursor: str


@contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that comes inside the block until the block is done, then raise it: printing a page and
    moving the cursor past it happen together, so the cursor printed on the way out is after every event
    shown (a resume neither repeats nor skips one)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def follow(api: Client, position: FeedPosition, types: Sequence[str], limit: int | None, wait: float,
           stream: EventStream) -> None:
    """Print pages as the long-poll brings them until `limit` events are shown (or forever). A Ctrl-C while
    waiting stops at once; one while a page is printed, once it is printed and the position past it."""
    shown = 0
    while limit is None or shown < limit:
        asked = FEED_PAGE if limit is None else min(FEED_PAGE, limit - shown)
        page = api.read_events(position.cursor, types, limit=asked, wait=wait)
        with interrupt_deferred():
            stream.write(page["items"])
            position.cursor = page["next_cursor"]
        shown += len(page["items"])


@events.command(name="tail", epilog="Examples: `improvenet events tail` (what is there, then the cursor); "
                                    "`improvenet events tail --follow --after 1042 --types "
                                    "org.improvenet.networks.commitment.made -o json` (JSON Lines until Ctrl-C)")
@command
def tail(types: Annotated[str | None, typer.Option(help="comma-separated event types (granted ones)")] = None,
         after: Annotated[str, typer.Option(help="read after this cursor (an earlier run's); 0: the oldest kept")]
         = "0",
         follow_feed: Annotated[bool, typer.Option("--follow", "-f", help="keep waiting for new events until "
                                                                          "Ctrl-C (exit 130)")] = False,
         limit: Annotated[int | None, typer.Option(min=1, help=f"stop after N events (default {TAIL_DEFAULT}; "
                                                               "with --follow, none)")] = None,
         wait: Annotated[float, typer.Option(min=0, max=300, help="with --follow: seconds each long-poll waits "
                                                                  "for an event (the gateway caps it)")] = 20.0,
         output: OutputOpt = Output.table) -> None:
    """The tenant's granted events after a cursor, oldest first; then the cursor to resume from. With --follow,
    new events as they happen (JSON Lines with -o json) until Ctrl-C or --limit."""
    wanted = parse_types(types)
    if not follow_feed:
        with client() as api:
            page = read_backlog(api, after, wanted, limit or TAIL_DEFAULT)
        emit(output, page, [event_row(ce) for ce in page["items"]], EVENT_COLUMNS,
             f"{len(page['items'])} events after cursor {after}")
        note(f"cursor: {page['next_cursor']}")
        more = " (there may be more: the limit was reached)" if len(page["items"]) == (limit or TAIL_DEFAULT) else ""
        hint(f"read on{more}: `improvenet events tail --after {page['next_cursor']}` (add --follow to wait for "
             "new ones)")
        return
    position = FeedPosition(after)
    note(f"following the feed after cursor {after}; Ctrl-C stops (exit {EXIT_INTERRUPTED})")
    try:
        with client() as api:
            follow(api, position, wanted, limit, wait, EventStream(output))
    except KeyboardInterrupt:
        note(f"stopped at cursor {position.cursor}: resume with `improvenet events tail --follow --after "
             f"{position.cursor}`")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (ProblemError, GatewayUnreachable):  # exit 1 or 3 as usual, and where to start again
        note(f"stopped at cursor {position.cursor}: resume with `improvenet events tail --follow --after "
             f"{position.cursor}`")
        raise
    note(f"cursor: {position.cursor}")
    hint(f"read on: `improvenet events tail --follow --after {position.cursor}`")
