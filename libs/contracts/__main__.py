"""`python -m libs.contracts schemas [--out DIR]`: write every event type's JSON Schema and the
AsyncAPI document; `python -m libs.contracts asyncapi [--out FILE]`: the AsyncAPI document alone."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from libs.contracts import REGISTRY
from libs.contracts._asyncapi import build_document

ASYNCAPI_FILE = Path(__file__).resolve().parent / "asyncapi.json"

cli = typer.Typer(help="Event contracts of the improvenet platform.", no_args_is_help=True)


def schema_documents() -> dict[str, dict[str, object]]:
    """Each event type's JSON Schema, keyed by CloudEvents type."""
    documents = {}
    for event_type, model in sorted(REGISTRY.items()):
        schema = model.model_json_schema()
        schema["$id"] = model.dataschema()
        schema["title"] = event_type
        schema["x-topic"] = model.topic
        schema["x-subject"] = model.subject_field
        documents[event_type] = schema
    return documents


@cli.command()
def schemas(out: Path = typer.Option(Path("libs/contracts/schemas"), help="Folder to write into.")) -> None:
    """Write one JSON Schema file per event type."""
    out.mkdir(parents=True, exist_ok=True)
    for event_type, schema in schema_documents().items():
        (out / f"{event_type}.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    typer.echo(f"wrote {len(REGISTRY)} schemas to {out}")
    write_asyncapi(ASYNCAPI_FILE)  # `make schemas` keeps the AsyncAPI document in step too


def asyncapi_text() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def write_asyncapi(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(asyncapi_text())
    typer.echo(f"wrote the AsyncAPI 3.0 document ({len(REGISTRY)} messages) to {path}")


@cli.command()
def asyncapi(out: Path = typer.Option(ASYNCAPI_FILE, help="File to write.")) -> None:
    """Write the AsyncAPI 3.0 document of every event type."""
    write_asyncapi(out)


@cli.command(name="list")
def list_types() -> None:
    """List event types with their topics."""
    for event_type, model in sorted(REGISTRY.items()):
        typer.echo(f"{event_type}\t{model.topic}")


if __name__ == "__main__":
    cli()
