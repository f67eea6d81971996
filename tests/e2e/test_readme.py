"""The README's quick start, pasted: every shell block under "Two commands" runs twice, in order, in one
shell, against the platform started as `make up` starts it. A block that breaks when pasted, or when
pasted again (a 409, a placeholder), fails here."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from improvenet.launcher import ROOT, Platform

MARK = "=== block"


def quick_start_blocks() -> list[str]:
    """The bash blocks between "## Two commands" and the next top-level section, except the one that
    starts the platform (the fixture does what `make up` does)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [b for b in blocks if not re.search(r"^make ", b, flags=re.M)]


def run_twice(blocks: list[str], cwd: Path, gateway: str) -> list[str]:
    """One shell, as a user's terminal: each block after the other, then all of them again. Returns
    each block's output, in the order they ran."""
    script = ["set -eo pipefail"]
    for round_ in (1, 2):
        for i, block in enumerate(blocks):
            script += [f"echo; echo '{MARK} {round_}.{i}'", block]  # curl prints no final newline
    run = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "GW": gateway, "HOME": str(cwd)})
    assert run.returncode == 0, \
        f"a quick start block failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    parts = re.split(rf"^{MARK} \d\.\d+\n", run.stdout, flags=re.M)[1:]
    assert len(parts) == 2 * len(blocks), run.stdout
    return parts


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_every_quick_start_block_runs_twice_as_pasted(platform: Platform) -> None:
    blocks = quick_start_blocks()
    assert len(blocks) == 2, f"the quick start has {len(blocks)} pasteable blocks; this test knows 2"
    assert not any(re.search(r"<[a-z][a-z ]+>", b) for b in blocks), "a placeholder would break when pasted"
    first_try, first_client, second_try, second_client = run_twice(blocks, platform.state_dir.parent,
                                                                  platform.gateway_url)

    # The same school and educator both times: created by the first run, unchanged by the second.
    ids = re.search(r"^school ([0-9a-f-]{36}), educator ([0-9a-f-]{36})$", first_try, flags=re.M)
    assert ids, first_try
    assert ids.group(0) in second_try.splitlines(), second_try
    school, educator = ids.groups()
    # The directory replica in networks knows the educator, with no personal data.
    for output in (first_try, second_try):
        (directory,) = json_lines(output)
        assert directory["educator_id"] == educator and directory["school_id"] == school, directory
        assert "given_name" not in directory and "family_name" not in directory, directory
    # A client limited to the two schools, registered on each run, its secret shown once.
    clients = [json_lines(out)[0] for out in (first_client, second_client)]
    for client in clients:
        assert str(client["client_id"]).startswith("cli_") and client["client_secret"], client
        assert school in client["schools"] and len(client["schools"]) == 2, client  # type: ignore[operator,arg-type]
    assert clients[0]["client_id"] != clients[1]["client_id"]
    assert clients[0]["schools"] == clients[1]["schools"], "the second school was created twice"
