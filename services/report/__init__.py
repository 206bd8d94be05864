"""The annual evaluation report and its exports."""
