"""Analysis of results: retention and CLV, the customer base, Bass, summaries, findings."""
