"""Feedback on practice: continuous, in two domains, never fed by rounds evidence."""
