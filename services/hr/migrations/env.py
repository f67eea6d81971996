from alembic import context

from libs.common.migrations import run_env
from services.hr.models import HRTable

run_env(context, HRTable.metadata)
