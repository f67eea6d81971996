"""Profiles: a gateway URL and either a client's credentials or a signed-in person, kept in `config.toml`
(mode 0600) under `$IMPROVENET_CONFIG_DIR`, else `$XDG_CONFIG_HOME/improvenet`, else `~/.config/improvenet`.
A person's tokens live beside it in `tokens/<profile>.json` (0600), rewritten on every refresh."""

from __future__ import annotations

import fcntl
import json
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from improvenet_client._core import PersonTokens

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    gateway: str
    client_id: str
    client_secret: str  # empty for a person (the CLI is a public client)
    person: bool = False  # signed in with the device flow: tokens in tokens_file(name)


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
    return {name: Profile(name, p["gateway"], p["client_id"], p.get("client_secret", ""), bool(p.get("person")))
            for name, p in data.get("profiles", {}).items()}


def save_profile(profile: Profile) -> Path:
    """Add or replace one profile; the file holds a secret, so only its owner may read it."""
    profiles = {**load_profiles(), profile.name: profile}
    lines = ["# improvenet profiles (written by `improvenet login`; holds secrets: keep it 0600)", ""]
    for p in profiles.values():
        # a JSON string is a valid TOML basic string
        lines += [f"[profiles.{json.dumps(p.name)}]", f"gateway = {json.dumps(p.gateway)}",
                  f"client_id = {json.dumps(p.client_id)}", f"client_secret = {json.dumps(p.client_secret)}",
                  f"person = {json.dumps(p.person)}", ""]
    return _write_private(config_file(), "\n".join(lines))


def forget_profile(name: str) -> None:
    """Remove a profile and its tokens (`improvenet logout`)."""
    profiles = load_profiles()
    if name in profiles:
        del profiles[name]
        path = config_file()
        path.unlink()
        for p in profiles.values():
            save_profile(p)
    tokens_file(name).unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)  # an older file may have been created wider
    return path


def tokens_file(profile: str) -> Path:
    return config_dir() / "tokens" / f"{profile}.json"


class FileTokenStore:
    """A profile's person tokens in a 0600 JSON file, refreshed under an exclusive lock (flock) so that two
    commands run at once never both spend the same rotating refresh token."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def load(self) -> PersonTokens | None:
        try:
            return PersonTokens(**json.loads(self.path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, tokens: PersonTokens) -> None:
        _write_private(self.path, json.dumps(asdict(tokens)))
