"""The `improvenet` command line in a real terminal: a tmux session (160 x 50) runs the installed console
script in bash against the platform, and the test reads the screen as a person would see it: the import's
progress bar reaching done with its row counts, the school report's run charts drawn with plotext, and
bash completing a command on Tab.

tmux is required (.ci/run installs it): without it these tests fail, they never skip."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from improvenet.launcher import Platform
from tests.e2e.test_cli import CLI, Device

# test_cli's module fixtures, reused (each module gets its own platform, so its own instances of them)
from tests.e2e.test_cli import coordinator_client as coordinator_client
from tests.e2e.test_cli import world as world

WIDTH, HEIGHT = 160, 50
PROMPT = "$ "


class Terminal:
    """One tmux server of its own (its socket in the test's directory, no user config) with one bash session
    in it."""

    def __init__(self, env: dict[str, str], home: Path) -> None:
        self.socket = home / "tmux.sock"
        self.target = "cli"
        rcfile = home / "bashrc"  # the prompt from an rc file: tmux does not hand PS1 on to the session's shell
        rcfile.write_text(f"PS1='{PROMPT}'\nunset PROMPT_COMMAND\n")
        self._tmux("new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", self.target,
                   f"bash --noprofile --rcfile {rcfile}", env=env)
        try:
            self.wait_for(lambda screen: screen.rstrip().endswith(PROMPT.strip()), what="the bash prompt")
        except AssertionError:
            self.close()
            raise

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["tmux", "-S", str(self.socket), "-f", "/dev/null", *args], capture_output=True,
                              text=True, timeout=30, env=env)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    def type(self, line: str, enter: bool = True) -> None:
        self._tmux("send-keys", "-t", self.target, "-l", line)  # -l: the text as it is, no key names
        if enter:
            self._tmux("send-keys", "-t", self.target, "Enter")

    def key(self, name: str) -> None:
        self._tmux("send-keys", "-t", self.target, name)

    def screen(self) -> str:
        """What the pane shows, with its scrollback (-S -), wrapped lines joined (-J), no colours."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.target)

    def wait_for(self, found: Callable[[str], Any], what: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if found(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not on the screen within {timeout} s:\n{screen}")
            time.sleep(0.1)

    def run(self, command: str, timeout: float = 120.0) -> tuple[int, str]:
        """Type a command, wait for it to end; its exit code (echoed after it) and the screen's new part."""
        marker = f"done-{uuid.uuid4().hex[:8]}"
        typed = f"{command}; echo {marker}=$?"
        self.type(typed)
        pattern = re.compile(rf"^{marker}=(\d+)$", re.MULTILINE)  # the echo's output, not the typed line
        screen = self.wait_for(pattern.search, what=f"the end of `{command}`", timeout=timeout)
        match = pattern.search(screen)
        assert match is not None
        return int(match.group(1)), screen[screen.index(typed) + len(typed):match.start()]

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[[Device], Terminal]]:
    """A terminal for a device: the venv's `improvenet` first on PATH (as after `pip install`), the device's
    config dir, the real size (no COLUMNS: rich asks the terminal)."""
    assert shutil.which("tmux"), "these tests need tmux (`apt-get install tmux`; .ci/run installs it)"
    opened: list[Terminal] = []

    def open_for(device: Device) -> Terminal:
        env = {k: v for k, v in device.env().items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR",
                                                                  "TMUX", "TMUX_PANE")}
        env.update(PATH=f"{Path(CLI).parent}{os.pathsep}{env.get('PATH', '')}", HOME=str(tmp_path),
                   TERM="xterm-256color")
        home = tmp_path / f"terminal-{len(opened)}"
        home.mkdir()
        opened.append(Terminal(env, home))
        return opened[-1]

    yield open_for
    for t in opened:
        t.close()


def test_an_import_and_a_report_in_a_real_terminal(platform: Platform, coordinator_client: dict[str, str],
                                                   world: dict[str, Any], terminal: Callable[[Device], Terminal],
                                                   tmp_path: Path) -> None:
    from tests.data.hr.sets import oneroster, zipped

    laptop = Device(tmp_path / "laptop")
    laptop.run("login", "--gateway", platform.gateway_url, "--client-id", coordinator_client["client_id"],
               "--client-secret", coordinator_client["client_secret"])
    (tmp_path / "roster.zip").write_bytes(zipped(oneroster("bulk")))
    term = terminal(laptop)

    # --- the import: followed with a progress bar, which stays on the screen, full, once the job is done ---
    code, shown = term.run(f"improvenet district import oneroster {tmp_path / 'roster.zip'}")
    assert code == 0, shown
    bar = re.search(r"^import succeeded: (\d+) read, (\d+) written, (\d+) unchanged, (\d+) failed +━+ +100%",
                    shown, re.MULTILINE)
    assert bar, f"no finished progress bar on the screen:\n{shown}"
    flat = " ".join(shown.split())  # the summary is a table's title: rich may wrap it to the table's width
    summary = re.search(r"import \S+ succeeded: (\d+) rows read, (\d+) written, (\d+) unchanged, (\d+) failed",
                        flat)
    assert summary, shown
    assert bar.groups() == summary.groups()  # the bar's last counts are the job's
    assert int(bar.group(2)) > 0 and bar.group(4) == "0"
    assert flat.index(" ".join(bar.group(0).split())) < summary.start()  # the bar stays, above the summary

    # --- the school report: both run charts drawn in the terminal, their axes and the signal -----------------
    code, shown = term.run(f"improvenet report school {world['host']} --measure math")
    assert code == 0, shown
    assert "practice quality (practice-quality): no data yet" in shown
    assert "performance (math)" in shown
    periods = world["periods"]
    chart = shown[shown.index("performance (math)"):]
    assert periods[0] in chart and periods[-2] in chart, chart  # the x axis' labels (every other period)
    assert re.search(r"^\s*5\d(\.\d+)?\s*┤", chart, re.MULTILINE), chart  # a y tick in the 50s: after the shift
    assert re.search(r"^\s*4\d(\.\d+)?\s*┤", chart, re.MULTILINE), chart  # and one in the 40s: before it
    assert "median" in chart and "shift" in chart  # the legend and the signals table


def test_bash_completes_the_commands_on_tab(terminal: Callable[[Device], Terminal], tmp_path: Path) -> None:
    """What `improvenet --install-completion` sets up, in a real bash: Tab completes commands and options."""
    term = terminal(Device(tmp_path / "laptop"))
    code, shown = term.run("source <(improvenet --show-completion)")
    assert code == 0, shown
    term.type("improvenet gra", enter=False)
    term.key("Tab")
    term.wait_for(lambda screen: screen.rstrip().endswith("improvenet graph"), what="`graph` completed")
    term.type("netw", enter=False)  # bash put a space after `graph`
    term.key("Tab")
    term.wait_for(lambda screen: screen.rstrip().endswith("improvenet graph network"), what="`network` completed")
    term.key("C-c")
    term.type("improvenet events tail --fol", enter=False)
    term.key("Tab")
    term.wait_for(lambda screen: screen.rstrip().endswith("improvenet events tail --follow"),
                  what="`--follow` completed")
    term.key("C-c")
