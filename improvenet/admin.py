"""`improvenet-admin`: run the platform locally, see its status, mint tokens, migrate databases,
list and re-drive dead letters."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from improvenet.registry import ALL_SCOPES, BY_NAME, COMPONENTS
from libs.common.keys import ensure_signing_keys, mint_token
from libs.common.settings import PlatformSettings

cli = typer.Typer(help="Operate an improvenet platform.", no_args_is_help=True, add_completion=False)
console = Console(stderr=True)
StateDir = Annotated[Path, typer.Option(envvar="STATE_DIR", help="Where local data and keys live.")]


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM both stop the platform cleanly, even when started from a script
    (a background job inherits SIGINT ignored)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


@cli.command()
def up(state_dir: StateDir = Path(".improvenet"),
       bus: Annotated[str, typer.Option(envvar="BUS", help="postgres (embedded) or kafka.")] = "postgres") -> None:
    """Start the gateway, the four services and their workers; Ctrl-C stops everything."""
    from improvenet.launcher import LaunchConfig, Platform

    _stop_on_signals()
    from improvenet.launcher import PortTaken

    config = LaunchConfig.from_environment()
    config.state_dir, config.bus = state_dir, bus
    config.supervise = True  # a child that dies is restarted; only a crash loop is given up on
    platform = Platform(config)
    platform.on_event = lambda line: console.print(line, markup=False, highlight=False)
    t0 = time.monotonic()
    try:
        with console.status("preparing database, keys and migrations..."):
            platform.prepare()
        with console.status("starting gateway, services and workers..."):
            try:
                platform.start()
                platform.wait_ready(timeout=90)
            except (PortTaken, RuntimeError, TimeoutError) as exc:  # named, with the log to read: no traceback
                console.print(str(exc), markup=False, style="red")
                raise typer.Exit(1) from None
        elapsed = time.monotonic() - t0
        gw = platform.gateway_url
        creds = platform.bootstrap_client_file
        console.print(f"[bold green]improvenet is up[/] in {elapsed:.1f}s (bus: {config.bus})\n"
                      f"  API:      {gw}/api/v1/<service>/...  (hr, observations, networks, strategy)\n"
                      f"  API docs: {gw}/docs\n"
                      f"  Console:  {gw}/app   (invite yourself first: .venv/bin/improvenet-admin invite "
                      "--email you@example.org --role district-admin)\n"
                      f"  Admin client (tenant demo): {creds}\n"
                      f"  Token:    TOKEN=$(.venv/bin/improvenet-admin login)\n"
                      f"  Try:      curl -s -H \"Authorization: Bearer $TOKEN\" {gw}/api/v1/hr/schools\n"
                      f"  Logs:     {platform.state_dir / 'logs'}/\n"
                      f"  Status:   .venv/bin/improvenet-admin status   (metrics: /metrics on every process)\n"
                      "Press Ctrl-C to stop.")
        while True:  # the supervisor thread restarts children; this thread only waits for Ctrl-C
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.print("stopping...")
    finally:
        platform.stop()
        console.print("stopped.")


@cli.command()
def token(tenant: Annotated[str, typer.Option(help="The tenant the token acts for.")],
          scope: Annotated[list[str] | None, typer.Option(help="Scopes (default: all).")] = None,
          school: Annotated[list[str] | None, typer.Option(help="Limit to these school ids.")] = None,
          subject: str = "local-admin", ttl: int = 3600, state_dir: StateDir = Path(".improvenet")) -> None:
    """Print an access token signed with the local embedded issuer's key."""
    settings = PlatformSettings()
    unknown = sorted(set(scope or []) - set(ALL_SCOPES))
    if unknown:
        raise typer.BadParameter(f"unknown scope(s) {', '.join(unknown)}; known: {' '.join(ALL_SCOPES)}")
    keys = ensure_signing_keys(state_dir)
    print(mint_token((keys / "private.pem").read_bytes(), tenant=tenant, issuer=settings.token_issuer,
                     audience=settings.token_audience, subject=subject, scopes=scope or ALL_SCOPES,
                     schools=school or None, ttl_seconds=ttl))


def _bootstrap_token(state_dir: Path, gateway: str, scope: list[str] | None = None) -> str:
    """An access token for the bootstrap admin client (`make up` wrote its credentials)."""
    import json

    import httpx

    creds_file = state_dir / "bootstrap-client.json"
    if not creds_file.exists():
        raise typer.BadParameter(f"{creds_file} does not exist yet: start the platform with `make up` first")
    creds = json.loads(creds_file.read_text())
    form = {"grant_type": "client_credentials", **({"scope": " ".join(scope)} if scope else {})}
    try:
        r = httpx.post(f"{gateway}/oauth/token", data=form, auth=(creds["client_id"], creds["client_secret"]))
    except httpx.TransportError as exc:
        console.print(f"the gateway at {gateway} does not answer ({exc}): is `make up` running?", markup=False,
                      style="red")
        raise typer.Exit(3) from None
    if r.status_code != 200:
        console.print(f"token refused ({r.status_code}): {r.text}", markup=False, style="red")
        raise typer.Exit(1)
    return str(r.json()["access_token"])


@cli.command()
def login(state_dir: StateDir = Path(".improvenet"),
          gateway: Annotated[str, typer.Option(envvar="GATEWAY_URL")] = "http://127.0.0.1:8000",
          scope: Annotated[list[str] | None, typer.Option(help="Scopes to ask for (default: all granted).")] = None
          ) -> None:
    """Print an access token for the bootstrap admin client, from the gateway's /oauth/token."""
    print(_bootstrap_token(state_dir, gateway, scope))


@cli.command(epilog="Example: improvenet-admin invite --email maria@district.example --role coordinator "
                    "--name 'Maria Santos'")
def invite(email: Annotated[str, typer.Option(help="The person's e-mail address (their sign-in name).")],
           role: Annotated[str, typer.Option(help="observer, coordinator, principal or district-admin.")],
           name: Annotated[str | None, typer.Option(help="How the console greets them.")] = None,
           school: Annotated[list[str] | None, typer.Option(help="Limit them to a school (repeatable; a "
                                                                  "principal needs one).")] = None,
           educator: Annotated[str | None, typer.Option(help="Their educator id in hr, if they have one.")] = None,
           state_dir: StateDir = Path(".improvenet"),
           gateway: Annotated[str, typer.Option(envvar="GATEWAY_URL")] = "http://127.0.0.1:8000") -> None:
    """Invite a person to the bootstrap client's tenant and print their one-time invitation link (no e-mail
    is sent: pass the link on). They open it, choose a password, then sign in at /app or `improvenet login`."""
    import httpx

    token_ = _bootstrap_token(state_dir, gateway, ["admin"])
    body = {"email": email, "role": role, "display_name": name, "schools": school or None, "educator_id": educator}
    r = httpx.post(f"{gateway}/api/v1/admin/people", headers={"Authorization": f"Bearer {token_}"},
                   json={k: v for k, v in body.items() if v is not None})
    if r.status_code != 201:
        problem = r.json() if r.headers.get("content-type", "").endswith("json") else {"detail": r.text}
        console.print(f"invitation refused ({r.status_code}): {problem.get('detail') or problem.get('title')}",
                      markup=False, style="red")
        raise typer.Exit(1)
    invited = r.json()
    console.print(f"Invited {email} as {role} (person {invited['id']}); the link works once, until "
                  f"{invited['invitation_expires_at']}:", markup=False)
    print(invited["invitation_url"])


@cli.command()
def demo(gateway: Annotated[str, typer.Option(envvar="GATEWAY_URL")] = "http://127.0.0.1:8000",
         tenant: str = "demo", state_dir: StateDir = Path(".improvenet")) -> None:
    """Load the Hamilton Elementary story (a round that makes the model classroom visible)."""
    from improvenet.demo import run

    settings = PlatformSettings()
    keys = ensure_signing_keys(state_dir)
    token_ = mint_token((keys / "private.pem").read_bytes(), tenant=tenant, issuer=settings.token_issuer,
                        audience=settings.token_audience, subject="demo-loader", scopes=ALL_SCOPES)
    result = run(gateway, token_)
    index = result["quality_index"]
    console.print(f"Hamilton Elementary (school {result['school_id']}): a round of 5 classrooms by 4 observers.")
    for p in result["patterns"]:
        console.print(f"  {p['code']}: in {p['classrooms']} of 5 classrooms ({p['notes']} notes) - {p['description']}")
    console.print(f"Practice-quality index {index['period']}: {index['overall']:.2f} over "
                  f"{index['observed_classrooms']} classrooms. Visit: {result['visit_id']}")


@cli.command(name="rotate-signing-key")
def rotate_signing_key(state_dir: StateDir = Path(".improvenet")) -> None:
    """Start signing with a new key; the old one stays published until its tokens have expired.

    On a local install it finds the running platform's database itself; elsewhere set DATABASE_URL (or
    GATEWAY_DATABASE_URL).
    """
    import asyncio

    from gateway.auth import SigningKeys
    from gateway.settings import GatewaySettings
    from libs.common.db import create_engine

    _platform_environment(state_dir)
    _require_database("rotate-signing-key", "GATEWAY_DATABASE_URL", state_dir)
    settings = GatewaySettings()

    async def rotate() -> str:
        engine = create_engine(settings.service_database_url)
        try:
            return await SigningKeys(engine, token_ttl=settings.token_ttl_seconds).rotate()
        finally:
            await engine.dispose()

    console.print(f"signing with key {asyncio.run(rotate())}")


@cli.command()
def keys(state_dir: StateDir = Path(".improvenet")) -> None:
    """Create the embedded issuer's signing keys if they do not exist."""
    console.print(f"keys in {ensure_signing_keys(state_dir)}")


@cli.command()
def migrate(service: Annotated[list[str] | None, typer.Argument(help="Components (default: all).")] = None,
            state_dir: StateDir = Path(".improvenet")) -> None:
    """Bring component databases to the latest migration (the running local platform's server, or the
    one DATABASE_URL names)."""
    from improvenet.__main__ import _migrate

    _platform_environment(state_dir)
    _require_database("migrate", "DATABASE_URL", state_dir)
    _migrate(service or [c.name for c in COMPONENTS])


def _require_database(command: str, specific: str, state_dir: Path) -> None:
    """Say what to do, instead of a traceback, when no database can be found."""
    if os.environ.get("DATABASE_URL") or os.environ.get(specific):
        return
    console.print(f"[red]{command}: no database.[/red] No platform is running from {state_dir} (start it "
                  f"with `make up`), and DATABASE_URL is not set (set it to the PostgreSQL server, e.g. "
                  f"postgresql+asyncpg://user:password@host:5432/postgres).")
    raise typer.Exit(2)


# --- status ------------------------------------------------------------------------------------

def _read_status(state_dir: Path) -> dict[str, object] | None:
    path = state_dir / "status.json"
    try:
        status: dict[str, object] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    pid = status.get("launcher_pid")
    try:
        os.kill(int(pid), 0)  # type: ignore[call-overload]
    except (OSError, TypeError, ValueError):
        return None  # a file left by a launcher that is gone
    return status


def _platform_environment(state_dir: Path) -> None:
    """Fill DATABASE_URL, BUS and KAFKA_BOOTSTRAP_SERVERS from the running platform's status file when the
    shell does not set them, so admin commands work on a local install without extra variables."""
    status = _read_status(state_dir)
    if status is None:
        return
    for var, key in (("DATABASE_URL", "database_url"), ("BUS", "bus"),
                     ("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers")):
        if not os.environ.get(var) and status.get(key):
            os.environ[var] = str(status[key])


def _uptime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


@cli.command()
def status(state_dir: StateDir = Path(".improvenet"),
           as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False) -> None:
    """Every process of the running platform: pid, uptime, restarts and readiness (exit 1 if any is not ready)."""
    import httpx
    from rich.table import Table

    current = _read_status(state_dir)
    if current is None:
        console.print(f"no platform running from {state_dir} (no live {state_dir / 'status.json'}); "
                      "`make up` starts one")
        raise typer.Exit(2)
    instance = current["instance_id"]
    processes: list[dict[str, object]] = list(current["processes"])  # type: ignore[call-overload]
    now = time.time()
    with httpx.Client(timeout=2) as client:
        for p in processes:
            ready, why = False, "no probe"
            if p.get("readyz") and p.get("alive"):
                try:
                    r = client.get(str(p["readyz"]))
                    tag = r.headers.get("x-improvenet-instance")
                    if tag is not None and tag != instance:
                        why = f"port answered by another platform ({tag[:8]})"
                    else:
                        ready = r.status_code == 200
                        why = "ready" if ready else _reason(r)
                except httpx.HTTPError as exc:
                    why = f"unreachable ({type(exc).__name__})"
            elif not p.get("alive"):
                why = str(p.get("state"))
            p["ready"], p["readiness"] = ready, why
            started = p.get("started_at")
            p["uptime_seconds"] = round(now - float(started), 1) if started else None  # type: ignore[arg-type]
    if as_json:
        print(json.dumps({**current, "processes": processes}, indent=1))
    else:
        table = Table(title=f"improvenet (bus: {current['bus']}, instance {str(instance)[:8]}, "
                            f"launcher pid {current['launcher_pid']})")
        for col in ("process", "pid", "state", "uptime", "restarts", "last exit", "ready"):
            table.add_column(col)
        for p in processes:
            table.add_row(str(p["name"]), str(p["pid"]), str(p["state"]),
                          _uptime(p["uptime_seconds"]), str(p["restarts"]),  # type: ignore[arg-type]
                          str(p.get("last_exit") or "-"),
                          "[green]ready[/]" if p["ready"] else f"[red]{p['readiness']}[/]")
        Console().print(table)
    if not all(p["ready"] for p in processes):
        raise typer.Exit(1)


def _reason(r: object) -> str:
    import httpx

    assert isinstance(r, httpx.Response)
    try:
        body = r.json()
    except ValueError:
        return f"not ready ({r.status_code})"
    if isinstance(body, dict):
        if isinstance(body.get("checks"), dict):
            return "; ".join(f"{k}: {v}" for k, v in body["checks"].items() if v != "ok") or str(r.status_code)
        return str(body.get("detail") or r.status_code)
    return str(r.status_code)


# --- dead letters ---------------------------------------------------------------------------------

dlq_cli = typer.Typer(help="Dead-lettered events: list, show, replay through the normal inbox.",
                      no_args_is_help=True)
cli.add_typer(dlq_cli, name="dlq")


def _topics() -> list[str]:
    from libs.contracts import REGISTRY

    return sorted({model.topic for model in REGISTRY.values()})


async def _inbox_states(entries: Sequence[object]) -> dict[str, str]:
    """Per entry id: the group's inbox outcome now (dead-lettered = still pending; applied = re-driven)."""
    import asyncpg

    from libs.common.dlq import DeadLetter
    from libs.common.settings import PlatformSettings, asyncpg_dsn, database_url_for

    out: dict[str, str] = {}
    by_service: dict[str, list[DeadLetter]] = {}
    for e in entries:
        assert isinstance(e, DeadLetter)
        by_service.setdefault(e.group.split(".")[0], []).append(e)
    server = PlatformSettings().server_url()
    for service, group_entries in by_service.items():
        component = BY_NAME.get(service)
        if component is None:
            continue
        url = os.environ.get(f"{service.upper()}_DATABASE_URL") or database_url_for(server, component.database)
        conn = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
        try:
            for e in group_entries:
                outcome = await conn.fetchval("SELECT outcome FROM inbox WHERE consumer_group = $1 AND "
                                              "event_id = $2::uuid", e.group, e.event_id or None)
                out[e.id] = {"dead-lettered": "pending", "applied": "replayed"}.get(outcome, outcome or "unknown")
        finally:
            await conn.close()
    return out


def _with_bus(state_dir: Path, work):  # type: ignore[no-untyped-def]
    from libs.common.bus import create_bus
    from libs.common.settings import PlatformSettings

    _platform_environment(state_dir)

    async def run():  # type: ignore[no-untyped-def]
        bus = create_bus(PlatformSettings())
        try:
            return await work(bus)
        finally:
            await bus.close()

    return asyncio.run(run())


GroupOption = Annotated[str | None, typer.Option(help="Only this consumer group's (e.g. networks.directory).")]


@dlq_cli.command("list")
def dlq_list(state_dir: StateDir = Path(".improvenet"), group: GroupOption = None,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every dead letter: id, group, event, error, and whether it is still pending or was re-driven."""
    from libs.common.dlq import list_dead_letters

    async def work(bus):  # type: ignore[no-untyped-def]
        entries = await list_dead_letters(bus, _topics(), group=group)
        return entries, await _inbox_states(entries)

    entries, states = _with_bus(state_dir, work)
    rows = [{**e.summary(), "state": states.get(e.id, "unknown")} for e in entries]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} dead letter(s), {sum(r['state'] == 'pending' for r in rows)} pending")
    for col in ("id", "group", "type", "event", "attempts", "error", "state"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["group"], str(r["type"]), r["event_id"], str(r["attempts"]),
                      str(r["error"])[:60], r["state"])
    Console().print(table)


@dlq_cli.command("show")
def dlq_show(entry: Annotated[str, typer.Argument(help="An id from `dlq list` (<topic>.dlq/<partition>/<offset>).")],
             state_dir: StateDir = Path(".improvenet")) -> None:
    """One dead letter in full: headers, payload, error."""
    from libs.common.dlq import find_dead_letter

    async def work(bus):  # type: ignore[no-untyped-def]
        found = await find_dead_letter(bus, entry)
        return found, (await _inbox_states([found]) if found else {})

    found, states = _with_bus(state_dir, work)
    if found is None:
        console.print(f"[red]no dead letter {entry}[/]")
        raise typer.Exit(1)
    print(json.dumps({**found.detail(), "state": states.get(found.id, "unknown")}, indent=1, default=str))


@dlq_cli.command("replay")
def dlq_replay(entries: Annotated[list[str] | None, typer.Argument(help="Ids from `dlq list`.")] = None,
               all_pending: Annotated[bool, typer.Option("--all", help="Every pending dead letter.")] = False,
               group: GroupOption = None, state_dir: StateDir = Path(".improvenet")) -> None:
    """Re-drive dead letters through their group's normal inbox (a replay never applies twice)."""
    from libs.common.dlq import list_dead_letters, replay

    if not entries and not all_pending:
        raise typer.BadParameter("name entries to replay, or --all")

    async def work(bus):  # type: ignore[no-untyped-def]
        found = await list_dead_letters(bus, _topics(), group=group)
        states = await _inbox_states(found)
        if all_pending:
            chosen = [e for e in found if states.get(e.id) == "pending"]
        else:
            wanted = set(entries or [])
            chosen = [e for e in found if e.id in wanted]
            missing = wanted - {e.id for e in chosen}
            if missing:
                raise typer.BadParameter(f"no dead letter {', '.join(sorted(missing))}")
        return chosen, await replay(bus, chosen)

    chosen, count = _with_bus(state_dir, work)
    for e in chosen:
        console.print(f"replayed {e.id} (event {e.event_id}) for {e.group}")
    console.print(f"{count} event(s) re-driven; each applies at most once (the group's inbox decides)")


def main() -> None:
    cli()
