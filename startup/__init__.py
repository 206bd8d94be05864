"""Start-up wiring above the layers: preparing the database (migrations, reference and demo data) and
the first account. Run as commands (`python -m startup.bootstrap`), imported by app.py."""
