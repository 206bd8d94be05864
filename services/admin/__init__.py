"""Administration: accounts, the audit log, settings and the log-in throttle."""
