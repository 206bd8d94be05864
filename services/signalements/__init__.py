"""Signalements of worrying situations: declaration, acknowledgement, transmission, follow-up and their indicators."""
