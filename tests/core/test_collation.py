from core.collation import french_key, french_sorted


def test_accented_capitals_sort_among_their_letter():
    regions = ["Occitanie", "Normandie", "Île-de-France", "Hauts-de-France", "Grand Est"]
    assert sorted(regions, key=french_key) == [
        "Grand Est",
        "Hauts-de-France",
        "Île-de-France",
        "Normandie",
        "Occitanie",
    ]
    assert sorted(regions)[-1] == "Île-de-France"  # what code-point order does


def test_ties_are_broken_by_accents_then_case_and_the_order_is_total():
    names = ["cote", "Côte", "côte", "coté", "Cote"]
    assert french_sorted(names) == french_sorted(list(reversed(names)))
    assert french_sorted(names)[0] in ("cote", "Cote")
    assert french_sorted([("b", 2), ("Étang", 1)], key=lambda item: item[0]) == [("b", 2), ("Étang", 1)]
    assert french_key(None) == french_key("")
