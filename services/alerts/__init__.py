"""Alerts: notifications written with the event that causes them, sent by e-mail by the worker."""
