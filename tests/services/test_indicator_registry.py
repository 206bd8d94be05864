"""The indicator registry: every feature package's entries, once each, in the catalogue's order."""

import pytest

from services.indicators import registry
from services.indicators.model import IndicatorSpec


def test_every_feature_package_contributes_its_indicators_in_number_order():
    specs = registry.registered_indicators()
    assert [spec.number for spec in specs.values()] == list(range(1, len(specs) + 1))
    by_package = {}
    for feature in registry.FEATURES:
        package = feature.__name__.rsplit(".", 1)[0]
        by_package[package] = {spec.key for spec in feature.INDICATORS}
        assert all(spec.source.startswith(package + ".") for spec in feature.INDICATORS), package
    assert by_package["services.path"] == {
        "requests",
        "oriented",
        "placed",
        "time_to_placement",
        "distance",
        "runaways",
    }
    assert by_package["services.directory"] == {"partners", "coverage"}
    assert by_package["services.training"] == {"trained", "strategy"}
    assert by_package["services.signalements"] == {"signalements"}
    assert by_package["services.weekly"] == {"weekly_completeness"}
    assert set(specs) == set().union(*by_package.values())


def test_an_indicator_declared_twice_is_refused(monkeypatch):
    first = registry.FEATURES[0].INDICATORS[0]

    class Twice:
        INDICATORS: tuple[IndicatorSpec, ...] = (first,)

    monkeypatch.setattr(registry, "FEATURES", (*registry.FEATURES, Twice))
    with pytest.raises(ValueError, match=first.key):
        registry.registered_indicators()
