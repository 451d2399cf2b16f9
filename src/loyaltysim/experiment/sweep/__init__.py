"""Sweeps: designs, runs streamed to an executor, the sweep folder, its analysis."""
