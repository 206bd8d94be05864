"""Signalements: partner staff declare and follow; the coordination's board, history and deadlines."""

from ui.auth import page_guard
from ui.signalement_coordination import coordination_view
from ui.signalement_partner import partner_view

actor = page_guard("signalements")

if actor.is_partner:
    partner_view(actor)
else:
    coordination_view(actor)
