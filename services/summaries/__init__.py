"""Reads of the summary tables kept at write time (models.summary, core.summaries)."""
