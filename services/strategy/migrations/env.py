from alembic import context

from libs.common.migrations import run_env
from services.strategy.models import StrategyTable

run_env(context, StrategyTable.metadata)
