"""Trainings: the module catalogue, sessions and their participants, the import of past sessions, training indicators."""
