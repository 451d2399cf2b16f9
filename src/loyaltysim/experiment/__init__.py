"""Experiments: variants x replications, their seeds, executors and summaries."""
