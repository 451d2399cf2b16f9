"""The interactive SolaraViz app (``loyaltysim app``)."""
