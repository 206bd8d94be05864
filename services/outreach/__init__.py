"""Detection circuit: outreach sessions, their links to requests, staff supervision and prevention actions."""
