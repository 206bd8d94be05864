"""French administrative reference data: régions and départements.

Plain Python data, no database. Codes follow the INSEE Code officiel
géographique (régions as reshaped in 2016). Département centroids are
approximate (about 0.01 degree) WGS84 coordinates, precise enough to compare
straight-line distances between départements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region_code: str
    overseas: bool
    lat: float
    lon: float


REGIONS: tuple[Region, ...] = (
    Region("01", "Guadeloupe"),
    Region("02", "Martinique"),
    Region("03", "Guyane"),
    Region("04", "La Réunion"),
    Region("06", "Mayotte"),
    Region("11", "Île-de-France"),
    Region("24", "Centre-Val de Loire"),
    Region("27", "Bourgogne-Franche-Comté"),
    Region("28", "Normandie"),
    Region("32", "Hauts-de-France"),
    Region("44", "Grand Est"),
    Region("52", "Pays de la Loire"),
    Region("53", "Bretagne"),
    Region("75", "Nouvelle-Aquitaine"),
    Region("76", "Occitanie"),
    Region("84", "Auvergne-Rhône-Alpes"),
    Region("93", "Provence-Alpes-Côte d'Azur"),
    Region("94", "Corse"),
)

OVERSEAS_REGION_CODES: frozenset[str] = frozenset({"01", "02", "03", "04", "06"})

# (code, name, region code, centroid latitude, centroid longitude)
_DEPARTEMENT_ROWS: tuple[tuple[str, str, str, float, float], ...] = (
    ("01", "Ain", "84", 46.10, 5.35),
    ("02", "Aisne", "32", 49.56, 3.56),
    ("03", "Allier", "84", 46.39, 3.19),
    ("04", "Alpes-de-Haute-Provence", "93", 44.11, 6.24),
    ("05", "Hautes-Alpes", "93", 44.66, 6.26),
    ("06", "Alpes-Maritimes", "93", 43.94, 7.12),
    ("07", "Ardèche", "84", 44.75, 4.42),
    ("08", "Ardennes", "44", 49.62, 4.64),
    ("09", "Ariège", "76", 42.92, 1.50),
    ("10", "Aube", "44", 48.30, 4.16),
    ("11", "Aude", "76", 43.10, 2.41),
    ("12", "Aveyron", "76", 44.28, 2.68),
    ("13", "Bouches-du-Rhône", "93", 43.54, 5.09),
    ("14", "Calvados", "28", 49.10, -0.36),
    ("15", "Cantal", "84", 45.05, 2.67),
    ("16", "Charente", "75", 45.72, 0.20),
    ("17", "Charente-Maritime", "75", 45.78, -0.67),
    ("18", "Cher", "24", 47.06, 2.49),
    ("19", "Corrèze", "75", 45.36, 1.88),
    ("2A", "Corse-du-Sud", "94", 41.86, 8.99),
    ("2B", "Haute-Corse", "94", 42.39, 9.21),
    ("21", "Côte-d'Or", "27", 47.42, 4.77),
    ("22", "Côtes-d'Armor", "53", 48.44, -2.86),
    ("23", "Creuse", "75", 46.09, 2.02),
    ("24", "Dordogne", "75", 45.10, 0.74),
    ("25", "Doubs", "27", 47.17, 6.36),
    ("26", "Drôme", "84", 44.68, 5.17),
    ("27", "Eure", "28", 49.11, 1.00),
    ("28", "Eure-et-Loir", "24", 48.39, 1.37),
    ("29", "Finistère", "53", 48.26, -4.07),
    ("30", "Gard", "76", 43.99, 4.18),
    ("31", "Haute-Garonne", "76", 43.36, 1.17),
    ("32", "Gers", "76", 43.69, 0.45),
    ("33", "Gironde", "75", 44.83, -0.58),
    ("34", "Hérault", "76", 43.58, 3.37),
    ("35", "Ille-et-Vilaine", "53", 48.15, -1.64),
    ("36", "Indre", "24", 46.78, 1.58),
    ("37", "Indre-et-Loire", "24", 47.26, 0.69),
    ("38", "Isère", "84", 45.26, 5.58),
    ("39", "Jura", "27", 46.73, 5.70),
    ("40", "Landes", "75", 43.97, -0.78),
    ("41", "Loir-et-Cher", "24", 47.62, 1.43),
    ("42", "Loire", "84", 45.73, 4.17),
    ("43", "Haute-Loire", "84", 45.13, 3.81),
    ("44", "Loire-Atlantique", "52", 47.36, -1.68),
    ("45", "Loiret", "24", 47.91, 2.34),
    ("46", "Lot", "76", 44.62, 1.60),
    ("47", "Lot-et-Garonne", "75", 44.37, 0.46),
    ("48", "Lozère", "76", 44.52, 3.50),
    ("49", "Maine-et-Loire", "52", 47.39, -0.56),
    ("50", "Manche", "28", 49.08, -1.33),
    ("51", "Marne", "44", 48.95, 4.24),
    ("52", "Haute-Marne", "44", 48.11, 5.23),
    ("53", "Mayenne", "52", 48.15, -0.66),
    ("54", "Meurthe-et-Moselle", "44", 48.79, 6.17),
    ("55", "Meuse", "44", 48.99, 5.38),
    ("56", "Morbihan", "53", 47.85, -2.81),
    ("57", "Moselle", "44", 49.04, 6.66),
    ("58", "Nièvre", "27", 47.12, 3.50),
    ("59", "Nord", "32", 50.45, 3.22),
    ("60", "Oise", "32", 49.41, 2.43),
    ("61", "Orne", "28", 48.62, 0.13),
    ("62", "Pas-de-Calais", "32", 50.49, 2.29),
    ("63", "Puy-de-Dôme", "84", 45.73, 3.14),
    ("64", "Pyrénées-Atlantiques", "75", 43.26, -0.76),
    ("65", "Hautes-Pyrénées", "76", 43.05, 0.16),
    ("66", "Pyrénées-Orientales", "76", 42.60, 2.52),
    ("67", "Bas-Rhin", "44", 48.67, 7.55),
    ("68", "Haut-Rhin", "44", 47.86, 7.27),
    ("69", "Rhône", "84", 45.87, 4.64),
    ("70", "Haute-Saône", "27", 47.64, 6.09),
    ("71", "Saône-et-Loire", "27", 46.64, 4.54),
    ("72", "Sarthe", "52", 47.99, 0.22),
    ("73", "Savoie", "84", 45.48, 6.44),
    ("74", "Haute-Savoie", "84", 46.03, 6.43),
    ("75", "Paris", "11", 48.86, 2.34),
    ("76", "Seine-Maritime", "28", 49.66, 1.03),
    ("77", "Seine-et-Marne", "11", 48.63, 2.93),
    ("78", "Yvelines", "11", 48.81, 1.84),
    ("79", "Deux-Sèvres", "75", 46.56, -0.32),
    ("80", "Somme", "32", 49.96, 2.28),
    ("81", "Tarn", "76", 43.79, 2.17),
    ("82", "Tarn-et-Garonne", "76", 44.09, 1.29),
    ("83", "Var", "93", 43.46, 6.22),
    ("84", "Vaucluse", "93", 44.01, 5.18),
    ("85", "Vendée", "52", 46.67, -1.30),
    ("86", "Vienne", "75", 46.56, 0.46),
    ("87", "Haute-Vienne", "75", 45.89, 1.24),
    ("88", "Vosges", "44", 48.20, 6.38),
    ("89", "Yonne", "27", 47.84, 3.57),
    ("90", "Territoire de Belfort", "27", 47.63, 6.93),
    ("91", "Essonne", "11", 48.52, 2.24),
    ("92", "Hauts-de-Seine", "11", 48.85, 2.25),
    ("93", "Seine-Saint-Denis", "11", 48.92, 2.48),
    ("94", "Val-de-Marne", "11", 48.78, 2.47),
    ("95", "Val-d'Oise", "11", 49.08, 2.13),
    ("971", "Guadeloupe", "01", 16.19, -61.55),
    ("972", "Martinique", "02", 14.65, -61.02),
    ("973", "Guyane", "03", 3.93, -53.13),
    ("974", "La Réunion", "04", -21.13, 55.53),
    ("976", "Mayotte", "06", -12.82, 45.15),
)

DEPARTEMENTS: tuple[Departement, ...] = tuple(
    Departement(
        code=code,
        name=name,
        region_code=region_code,
        overseas=region_code in OVERSEAS_REGION_CODES,
        lat=lat,
        lon=lon,
    )
    for code, name, region_code, lat, lon in _DEPARTEMENT_ROWS
)

_REGIONS_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}
_DEPARTEMENTS_BY_CODE: dict[str, Departement] = {d.code: d for d in DEPARTEMENTS}


def region_by_code(code: str) -> Region:
    """Return the région with this INSEE code; raise KeyError if unknown."""
    return _REGIONS_BY_CODE[code]


def departement_by_code(code: str) -> Departement:
    """Return the département with this INSEE code; raise KeyError if unknown.

    >>> departement_by_code("2A").name
    'Corse-du-Sud'
    """
    try:
        return _DEPARTEMENTS_BY_CODE[code]
    except KeyError:
        raise KeyError(f"Unknown département code: {code!r}") from None


def distance_km(code_a: str, code_b: str) -> float:
    """Great-circle (haversine) distance in km between two département centroids.

    The result is a straight-line estimate between the centres of the two
    départements, not a road distance; it is 0.0 for the same département.

    >>> round(distance_km("75", "13"))
    628
    """
    a = departement_by_code(code_a)
    b = departement_by_code(code_b)
    lat_a, lon_a = math.radians(a.lat), math.radians(a.lon)
    lat_b, lon_b = math.radians(b.lat), math.radians(b.lon)
    h = math.sin((lat_b - lat_a) / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
