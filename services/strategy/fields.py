"""Field types of strategy's own: periods and measure names (the shared ones are in libs.common.fields)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# Periods sort in time order as strings: they begin with a year ("2026-27-T1", "2026-09", "2026-27").
Period = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}[0-9A-Za-z-]{0,16}$")]
Measure = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
QUALITY_MEASURE = "practice-quality"  # the overall index; "practice-quality.<look-for>" for each share
