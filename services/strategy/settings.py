from pydantic import Field

from libs.common.settings import ServiceSettings

SERVICE = "strategy"


class StrategySettings(ServiceSettings):
    service: str = SERVICE
    stale_sweep_seconds: float = Field(
        default=3600.0, gt=0, description="How often the worker reviews every adopted plan for stale items.")


def get_settings() -> StrategySettings:
    return StrategySettings()
