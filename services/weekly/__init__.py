"""The weekly figures: a structure's report for a week, its elements and checks, imports, the coordination's board and the running totals."""
