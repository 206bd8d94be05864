"""Referrer services (police, gendarmerie, ASE/CRIP, PJJ, hospitals, schools) and their `orienteur` accounts."""
