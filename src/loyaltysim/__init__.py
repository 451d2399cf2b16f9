"""loyaltysim."""
