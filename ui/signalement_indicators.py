"""The signalement indicators page's sections: the coordination's view and the funder's aggregates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.access import Actor
from core.clock import paris_today
from core.formatting import fr_number, fr_percent
from models.signalement import Severity
from services.admin.settings import setting_get
from services.indicators.disclosure import disclosure_legend
from services.signalements.indicators import (
    signalement_breakdown_note,
    signalement_indicator_counts,
    signalement_indicators,
)
from ui.cache import cached, chart
from ui.indicators import month_range_filter
from ui.signalements import count_bars_chart, fr_duration, monthly_chart


def _counts(actor: Actor, by: str, start: date | None, end: date | None) -> list[Any]:
    return cached(signalement_indicator_counts, actor=actor, by=by, start=start, end=end)


def frame(actor: Actor, start: date | None, end: date | None, by: str, label: str) -> pd.DataFrame:
    rows = _counts(actor, by, start, end)
    return pd.DataFrame(
        {
            "key": [r.key for r in rows],
            label: [r.label for r in rows],
            "n": [r.count for r in rows],
            "Signalements": [r.shown for r in rows],
        }
    )


def bars(actor: Actor, withheld: str | None, data: pd.DataFrame, label: str) -> None:
    if data.empty:
        st.caption("Non publié (voir plus haut)." if withheld else "Aucun signalement sur la période.")
        return
    if actor.is_funder:
        st.dataframe(data[[label, "Signalements"]], hide_index=True, width="stretch")
        return
    st.vega_lite_chart(chart(count_bars_chart, data=data, label=label), width="stretch")


def period_picker(actor: Actor) -> tuple[date | None, date | None]:
    """The period: whole months that are over for the funder, any dates for the coordination."""
    if actor.is_funder:  # whole months that are over (services.indicators.disclosure_policy)
        start, end = month_range_filter("signalement_indicators")
    else:
        today = paris_today()
        period = st.date_input(
            "Période de déclaration",
            value=(today - timedelta(days=365), today),
            format="DD/MM/YYYY",
            key="signalement_indicators_period",
        )
        start, end = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
    return start, end


def headline_metrics(result: Any) -> None:
    """The counts, median delays and shares on time."""
    ack, passing = result.time_to_acknowledge, result.time_to_pass_on
    c1, c2, c3 = st.columns(3)
    c1.metric("Signalements déclarés", result.total_shown)
    c2.metric(
        "Prise en compte (médiane)",
        fr_duration(ack.median_seconds),
        help=f"Délai entre la déclaration et la prise en compte par la coordination ; 90 % en moins de "
        f"{fr_duration(ack.p90_seconds)}.",
    )
    c3.metric(
        "Transmission (médiane)",
        fr_duration(passing.median_seconds),
        help=f"Délai entre la déclaration et la première transmission ; 90 % en moins de "
        f"{fr_duration(passing.p90_seconds)}.",
    )
    c1, c2, c3 = st.columns(3)
    c1.metric("Pris en compte", fr_number(ack.count))
    c2.metric(
        "Pris en compte à temps",
        fr_percent(result.acknowledged_within.share),
        help="Parmi les signalements pris en compte ou dont le délai de prise en compte est dépassé.",
    )
    c3.metric(
        "Transmis à temps",
        fr_percent(result.passed_on_within.share),
        help="Parmi les signalements transmis, ou non transmis et dont le délai est dépassé ; "
        "ceux clôturés sans transmission ne comptent pas.",
    )
    st.caption(
        f"90e centile : prise en compte {fr_duration(ack.p90_seconds)}, transmission {fr_duration(passing.p90_seconds)}."
    )


def severity_table(actor: Actor, start: date | None, end: date | None, now: datetime) -> None:
    """Delays and shares on time for each severity."""
    st.subheader("Délais par gravité")
    severity_counts = {row.key: row.shown for row in _counts(actor, "severity", start, end)}
    by_severity = []
    for severity in Severity:
        r = cached(signalement_indicators, actor=actor, start=start, end=end, severity=severity.value, now=now)
        by_severity.append(
            {
                "Gravité": severity.label,
                "Signalements": severity_counts.get(severity.value, "0" if severity_counts else "—"),
                "Prise en compte : médiane / 90e centile": f"{fr_duration(r.time_to_acknowledge.median_seconds)} / "
                f"{fr_duration(r.time_to_acknowledge.p90_seconds)}",
                "Pris en compte à temps": fr_percent(r.acknowledged_within.share),
                "Transmission : médiane / 90e centile": f"{fr_duration(r.time_to_pass_on.median_seconds)} / "
                f"{fr_duration(r.time_to_pass_on.p90_seconds)}",
                "Transmis à temps": fr_percent(r.passed_on_within.share),
            }
        )
    st.dataframe(pd.DataFrame(by_severity), hide_index=True, width="stretch")


def breakdowns(actor: Actor, start: date | None, end: date | None) -> None:
    """Counts by month, severity, recipient, category and region or structure."""
    months = frame(actor, start, end, "month", "Mois")
    st.subheader("Par mois")
    if months.empty:
        st.caption("Aucun signalement sur la période.")
    elif actor.is_funder:
        st.dataframe(months[["Mois", "Signalements"]], hide_index=True, width="stretch")
    else:
        st.vega_lite_chart(chart(monthly_chart, months=months), width="stretch")

    withheld = cached(signalement_breakdown_note, actor=actor, start=start, end=end)
    if withheld:
        st.info(withheld, icon=":material/shield:")
    left, right = st.columns(2)
    with left:
        st.subheader("Par gravité")
        bars(actor, withheld, frame(actor, start, end, "severity", "Gravité"), "Gravité")
        st.subheader("Transmis, par destinataire")
        bars(actor, withheld, frame(actor, start, end, "recipient", "Destinataire"), "Destinataire")
    with right:
        st.subheader("Par catégorie")
        bars(actor, withheld, frame(actor, start, end, "category", "Catégorie"), "Catégorie")
        if actor.is_funder:
            st.subheader("Par région")
            bars(actor, withheld, frame(actor, start, end, "region", "Région"), "Région")
        else:
            st.subheader("Par structure")
            structures = frame(actor, start, end, "structure", "Structure")
            if structures.empty:
                st.caption("Aucun signalement sur la période.")
            else:
                st.dataframe(structures[["Structure", "Signalements"]], hide_index=True, width="stretch", height=300)
    if actor.is_funder:
        st.caption(
            disclosure_legend(
                threshold=int(cached(setting_get, key="disclosure_threshold")),
                rounding=int(cached(setting_get, key="disclosure_rounding")),
            )
        )
