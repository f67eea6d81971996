"""Profiles: a gateway URL and a client's credentials, kept in `config.toml` (mode 0600) under
`$IMPROVENET_CONFIG_DIR`, else `$XDG_CONFIG_HOME/improvenet`, else `~/.config/improvenet`."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    gateway: str
    client_id: str
    client_secret: str


def config_dir() -> Path:
    if explicit := os.environ.get("IMPROVENET_CONFIG_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "improvenet"


def config_file() -> Path:
    return config_dir() / "config.toml"


def load_profiles() -> dict[str, Profile]:
    path = config_file()
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    return {name: Profile(name, p["gateway"], p["client_id"], p["client_secret"])
            for name, p in data.get("profiles", {}).items()}


def save_profile(profile: Profile) -> Path:
    """Add or replace one profile; the file holds a secret, so only its owner may read it."""
    profiles = {**load_profiles(), profile.name: profile}
    lines = ["# improvenet profiles (written by `improvenet login`; holds secrets: keep it 0600)", ""]
    for p in profiles.values():
        # a JSON string is a valid TOML basic string
        lines += [f"[profiles.{json.dumps(p.name)}]", f"gateway = {json.dumps(p.gateway)}",
                  f"client_id = {json.dumps(p.client_id)}", f"client_secret = {json.dumps(p.client_secret)}", ""]
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = config_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))
    os.chmod(path, 0o600)  # an older file may have been created wider
    return path
