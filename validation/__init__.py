"""Checks of the model's mechanisms against published marketing science.

One module per mechanism (``validation/<mechanism>.py``), each exposing
``measure(replications: int) -> list[Check]``: it sets up the published situation, runs the
model, and returns what it measured next to what the paper reports. The fast cases run in CI
through ``tests/test_validation_<mechanism>.py`` (pytest marker ``validation``) with few
replications; ``python scripts/validate_mechanisms.py`` runs them all with many and prints
the table that ``docs/validation.md`` quotes.
"""
