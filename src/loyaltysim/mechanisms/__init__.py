"""One module per mechanism: pure functions over arrays, testable on ten customers.

Each module's docstring states its rule and the literature behind it; the model
(:mod:`loyaltysim.engine.model`) calls them in the daily order of ``docs/architecture.md``.
"""
