"""Gateway settings: where each service lives, and how long to wait for it."""

from __future__ import annotations

from pydantic import Field

from libs.common.settings import DEFAULT_PORTS, SERVICES, PlatformSettings


class GatewaySettings(PlatformSettings):
    port: int = DEFAULT_PORTS["gateway"]
    hr_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['hr']}"
    observations_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['observations']}"
    networks_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['networks']}"
    strategy_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['strategy']}"
    upstream_timeout_seconds: float = Field(default=30.0, description="Longest wait for an upstream's answer.")
    upstream_connect_timeout_seconds: float = 2.0
    upstream_max_connections: int = 200

    def upstreams(self) -> dict[str, str]:
        return {s: getattr(self, f"{s}_url").rstrip("/") for s in SERVICES}
