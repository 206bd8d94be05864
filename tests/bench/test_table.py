"""The benchmark's table: targets checked from the measures, and each miss explained by them."""

from bench.run import evaluate, markdown


def _page(median, floor, warm, *, rows=10, warm_statements=0, page="dashboard", role="coordination"):
    return {
        "page": page,
        "role": role,
        "median_s": median,
        "max_s": median,
        "sql_floor_s": floor,
        "warm_median_s": warm,
        "warm_statements": warm_statements,
        "statements": 5,
        "rows": rows,
    }


def _run(*pages, peak=150.0):
    return {"pages": list(pages), "peak_rss_mb": peak, "baseline_rss_mb": 100.0}


def test_a_page_within_every_target_is_marked_met():
    rows = evaluate(
        {
            ("sqlite", 0): _run(_page(0.050, 0.0, 0.010)),
            ("sqlite", 1): _run(_page(0.060, 0.005, 0.012)),
            ("sqlite", 10): _run(_page(0.070, 0.010, 0.015)),
        }
    )
    assert [(r["scale"], r["ok"], r["why"]) for r in rows] == [(1, True, []), (10, True, [])]
    assert markdown(rows).startswith("2 lignes sur 2 tiennent toutes les cibles (sqlite 1 : 1/1, sqlite 10 : 1/1).")


def test_each_missed_target_is_named_with_its_cause():
    rows = evaluate(
        {
            ("postgresql", 0): _run(_page(0.040, 0.0, 0.010)),
            ("postgresql", 1): _run(_page(0.060, 0.010, 0.012, rows=100)),
            # the SQL floor grew tenfold, the rerun ran two queries, the memory went 180 MB above the baseline
            ("postgresql", 10): _run(_page(0.200, 0.150, 0.050, rows=1000, warm_statements=2), peak=280.0),
        }
    )
    scale_10 = next(r for r in rows if r["scale"] == 10)
    assert scale_10["checks"] == {"ratio": True, "growth": False, "warm": False, "memory": False}
    assert scale_10["why"] == [
        "croissance (SQL) : plancher SQL 10 ms → 150 ms, rendu hors SQL 50 ms → 50 ms, lignes 100 → 1000",
        "relance : 50 ms contre 10 ms pour la page vide, 2 requête(s) par relance",
        "mémoire : 180 Mo au-dessus de la base",
    ]
    assert "manquées : growth, warm, memory" in markdown(rows)


def test_a_ratio_miss_says_what_the_page_draws_beyond_the_empty_one():
    rows = evaluate(
        {
            ("sqlite", 0): _run(_page(0.020, 0.0, 0.010)),
            ("sqlite", 1): _run(_page(0.060, 0.002, 0.012)),
        }
    )
    assert rows[0]["checks"]["ratio"] is False
    assert rows[0]["why"] == ["ratio : rendu hors SQL 58 ms contre 20 ms pour la page vide (plancher SQL 2 ms)"]


def test_beyond_scale_10_memory_is_shown_but_growth_is_held_to_3_and_the_annual_report_to_a_second():
    rows = evaluate(
        {
            ("postgresql", 0): _run(_page(0.040, 0.0, 0.010), _page(0.040, 0.0, 0.010, page="annual_report")),
            ("postgresql", 1): _run(_page(0.060, 0.010, 0.012), _page(0.100, 0.030, 0.012, page="annual_report")),
            ("postgresql", 100): _run(
                _page(0.900, 0.700, 0.015, rows=5000),
                _page(0.250, 0.180, 0.015, page="annual_report"),
                peak=300.0,
            ),
        }
    )
    dashboard, report = (r for r in rows if r["scale"] == 100)
    assert dashboard["checks"] == {"ratio": True, "growth": False, "warm": True}
    assert round(dashboard["growth"], 1) == 15.0 and dashboard["memory_mb"] == 200.0
    assert dashboard["why"] == [
        "croissance (SQL) : plancher SQL 10 ms → 700 ms, rendu hors SQL 50 ms → 200 ms, lignes 10 → 5000"
    ]
    assert report["checks"] == {"ratio": True, "growth": True, "warm": True, "time": True} and report["ok"]
    slow = evaluate(
        {
            ("postgresql", 0): _run(_page(0.040, 0.0, 0.010, page="annual_report")),
            ("postgresql", 1): _run(_page(0.500, 0.400, 0.012, page="annual_report")),
            ("postgresql", 100): _run(_page(1.400, 1.300, 0.015, page="annual_report")),
        }
    )[-1]
    assert slow["checks"]["growth"] and not slow["checks"]["time"]
    assert slow["why"] == ["durée : 1400 ms pour 1000 ms au plus, dont plancher SQL 1300 ms"]
    assert "| 15.00 |" in markdown(rows) and "| 200 | manquées : growth |" in markdown(rows)
