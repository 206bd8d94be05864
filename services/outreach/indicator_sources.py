"""The detection circuit's indicators (outreach, its activity, prevention), as the registry reads them."""

from __future__ import annotations

from services.indicators.model import IndicatorSpec
from services.outreach.indicators import indicator_specs

INDICATORS = tuple(IndicatorSpec(**spec) for spec in indicator_specs())
