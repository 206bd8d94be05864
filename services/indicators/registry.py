"""The indicator registry: which feature packages contribute indicators to the catalogue.

Each feature package declares its indicators in its own ``indicator_sources`` module (a tuple
``INDICATORS`` of :class:`~services.indicators.model.IndicatorSpec`, next to the adapters that
compute them). This module lists those modules explicitly, so that every caller of the catalogue
sees the same indicators whatever it imported before; adding an indicator touches its feature
package only (and this list, for a package that had none).
"""

from __future__ import annotations

from services.directory import indicator_sources as directory_indicators
from services.indicators.model import IndicatorSpec
from services.outreach import indicator_sources as outreach_indicators
from services.path import indicator_sources as path_indicators
from services.signalements import indicator_sources as signalements_indicators
from services.training import indicator_sources as training_indicators
from services.weekly import indicator_sources as weekly_indicators

FEATURES = (
    path_indicators,
    directory_indicators,
    training_indicators,
    signalements_indicators,
    weekly_indicators,
    outreach_indicators,
)

DUPLICATE = "indicator declared twice: {}"


def registered_indicators() -> dict[str, IndicatorSpec]:
    """Every registered indicator by key, in the catalogue's order (by number).

    Two entries with the same key or the same number are a programming error, raised at once."""
    specs = sorted((spec for feature in FEATURES for spec in feature.INDICATORS), key=lambda spec: spec.number)
    by_key: dict[str, IndicatorSpec] = {}
    numbers: set[int] = set()
    for spec in specs:
        if spec.key in by_key or spec.number in numbers:
            raise ValueError(DUPLICATE.format(spec.key))
        by_key[spec.key] = spec
        numbers.add(spec.number)
    return by_key
