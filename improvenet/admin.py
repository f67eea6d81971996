"""`improvenet-admin`: run the platform locally, mint tokens, migrate databases."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from improvenet.registry import ALL_SCOPES, COMPONENTS
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
    config = LaunchConfig.from_environment()
    config.state_dir, config.bus = state_dir, bus
    platform = Platform(config)
    t0 = time.monotonic()
    try:
        with console.status("preparing database, keys and migrations..."):
            platform.prepare()
        with console.status("starting gateway, services and workers..."):
            platform.start()
            platform.wait_ready(timeout=90)
        elapsed = time.monotonic() - t0
        gw = platform.gateway_url
        creds = platform.bootstrap_client_file
        console.print(f"[bold green]improvenet is up[/] in {elapsed:.1f}s (bus: {config.bus})\n"
                      f"  API:      {gw}/api/v1/<service>/...  (hr, observations, networks, strategy)\n"
                      f"  API docs: {gw}/docs\n"
                      f"  Admin client (tenant demo): {creds}\n"
                      f"  Token:    TOKEN=$(.venv/bin/improvenet-admin login)\n"
                      f"  Try:      curl -s -H \"Authorization: Bearer $TOKEN\" {gw}/api/v1/hr/schools\n"
                      f"  Logs:     {platform.state_dir / 'logs'}/\n"
                      "Press Ctrl-C to stop.")
        while True:
            dead = platform.dead_children()
            if dead:
                console.print(f"[red]{dead[0].name} exited[/]; see {dead[0].log_path}. Stopping.")
                raise typer.Exit(1)
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


@cli.command()
def login(state_dir: StateDir = Path(".improvenet"),
          gateway: Annotated[str, typer.Option(envvar="GATEWAY_URL")] = "http://127.0.0.1:8000",
          scope: Annotated[list[str] | None, typer.Option(help="Scopes to ask for (default: all granted).")] = None
          ) -> None:
    """Print an access token for the bootstrap admin client, from the gateway's /oauth/token."""
    import json

    import httpx

    creds_file = state_dir / "bootstrap-client.json"
    if not creds_file.exists():
        raise typer.BadParameter(f"{creds_file} does not exist yet: start the platform with `make up` first")
    creds = json.loads(creds_file.read_text())
    form = {"grant_type": "client_credentials", **({"scope": " ".join(scope)} if scope else {})}
    r = httpx.post(f"{gateway}/oauth/token", data=form, auth=(creds["client_id"], creds["client_secret"]))
    if r.status_code != 200:
        console.print(f"[red]token refused ({r.status_code})[/]: {r.text}")
        raise typer.Exit(1)
    print(r.json()["access_token"])


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
    console.print(f"Hamilton Elementary (school {result['school_id']}): a round of 4 classrooms by 4 observers.")
    for p in result["patterns"]:
        console.print(f"  {p['code']}: in {p['classrooms']} of 4 classrooms ({p['notes']} notes) - {p['description']}")
    console.print(f"Practice-quality index {index['period']}: {index['overall']:.2f} over "
                  f"{index['observed_classrooms']} classrooms. Visit: {result['visit_id']}")


@cli.command(name="rotate-signing-key")
def rotate_signing_key() -> None:
    """Start signing with a new key; the old one stays published until its tokens have expired."""
    import asyncio

    from gateway.auth import SigningKeys
    from gateway.settings import GatewaySettings
    from libs.common.db import create_engine

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
def migrate(service: Annotated[list[str] | None, typer.Argument(help="Components (default: all).")] = None) -> None:
    """Bring component databases to the latest migration (DATABASE_URL must name the server)."""
    from improvenet.__main__ import _migrate

    _migrate(service or [c.name for c in COMPONENTS])


def main() -> None:
    cli()
