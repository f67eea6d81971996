"""Every `improvenet ...` command line docs/cli.md shows still parses: its commands exist, its options are the
commands' options with values of their types, nothing required is left out. Each line goes through click's own
parser (`make_context`, down the chain of groups) without running anything; the completion options, which
would write to a shell's files, are only looked up."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
from improvenet_client.cli import app
from typer._click import exceptions as click_errors  # typer 0.29 carries its own click
from typer._click.core import Command, Context
from typer.core import TyperGroup

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "cli.md"
# options of the root that act when parsed (they print or install a completion script): checked by name only
ACTING_OPTIONS = {"--install-completion", "--show-completion"}


PUNCTUATION = "|><();&"


def shell_words(text: str) -> list[str]:
    """Words as bash splits them: quotes kept together, comments dropped, `|`, `>`, `<(`... their own words."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=PUNCTUATION)
    lexer.whitespace_split = True
    return list(lexer)


def commands_in(words: list[str]) -> list[list[str]]:
    """Each `improvenet ...` of a shell line, up to a pipe, a redirection or the end of a `<(...)`."""
    found = []
    for start, word in enumerate(words):
        if word == "improvenet":
            end = next((i for i in range(start, len(words)) if set(words[i]) <= set(PUNCTUATION)), len(words))
            found.append(words[start:end])
    return found


def command_lines(text: str) -> list[list[str]]:
    """The command lines of the page: each `improvenet` a bash block runs (continuations joined), the
    `improvenet ...` spans of its comments, and each inline `improvenet ...` span of the prose."""
    lines: list[list[str]] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            lines += commands_in(shell_words(line))
            for span in re.findall(r"`(improvenet [^`]+)`", line.partition("#")[2]):  # `improvenet import ...`
                lines += commands_in(shell_words(span))
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    for span in re.findall(r"`(improvenet(?: [^`]*)?)`", prose):
        # `improvenet gr<Tab>`: what is typed before completion; `improvenet ...`: the tool, no command
        if "<Tab>" not in span and not span.endswith("..."):
            lines += commands_in(shell_words(span))
    return lines


def parses(words: list[str], tmp: Path) -> None:
    line = shlex.join(words)
    assert words[0] == "improvenet", line
    args = words[1:]
    for word in args:  # the files a line reads (`import oneroster roster.zip`) exist, empty, where it runs
        if re.fullmatch(r"[\w-]+\.(zip|json|csv)", word):
            (tmp / word).touch()
    command: Command = typer.main.get_command(app)
    acting = ACTING_OPTIONS & set(args)
    if acting:  # parsing them would print or install a completion script: the root must have them
        assert acting <= {name for param in command.params for name in param.opts}, line
        return
    ctx = context(command, "improvenet", list(args), None)
    while ctx is not None and isinstance(command, TyperGroup):
        rest = [*ctx._protected_args, *ctx.args]  # what the group left for its command
        if not rest:
            return
        name, found, rest = command.resolve_command(ctx, rest)
        assert found is not None, f"{line}: no command {name}"
        command = found
        ctx = context(command, name or "", rest, ctx)


def context(command: Command, name: str, args: list[str], parent: Context | None) -> Context | None:
    """click's parse of one level; None when the line asks for help (`--help`, or a group alone, which
    shows its help): a usage in itself, nothing further to parse."""
    try:
        return command.make_context(name, args, parent=parent)
    except click_errors.NoArgsIsHelpError:
        return None
    except typer.Exit as done:  # --help printed the help and exits 0
        assert done.exit_code == 0, (name, args)
        return None


LINES = command_lines(DOC.read_text())


def test_the_page_shows_the_weeks_commands() -> None:
    assert len(LINES) >= 30
    shown = {" ".join(words[1:3]) for words in LINES}
    assert {"rounds plan", "rounds observe", "rounds sync", "rounds debrief", "networks meet", "commitments due",
            "commitments add", "commitments close", "report school", "events tail", "district import",
            "district export", "export tenant"} <= shown


@pytest.mark.parametrize("words", LINES, ids=shlex.join)
def test_every_command_line_in_the_docs_parses(words: list[str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # nothing parsed may touch the user's home
    monkeypatch.setenv("IMPROVENET_CONFIG_DIR", str(tmp_path / "config"))
    try:
        parses(words, tmp_path)
    except click_errors.UsageError as wrong:
        raise AssertionError(f"docs/cli.md: `{shlex.join(words)}` does not parse: {wrong.format_message()}") \
            from None
