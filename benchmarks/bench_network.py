"""Benchmark the network builders and neighbour lookup at simulation scale.

Builds every network kind with 1,000,000 customers and mean degree 10, printing the build time,
the number of stored entries (twice the number of edges), the peak memory numpy allocated while
building (tracemalloc, measured in a second, traced build so tracing cannot distort the timing)
and the size of the finished matrix. It then times :func:`gather_neighbours` for 10,000 random
sources, the daily word-of-mouth lookup. The process's peak resident set size is printed last.

Run with ``python benchmarks/bench_network.py``.
"""

import resource
import time
import tracemalloc

import numpy as np

from loyaltysim.engine.network import build_adjacency, gather_neighbours

N = 1_000_000
MEAN_DEGREE = 10
SOURCES = 10_000
GATHER_REPEATS = 50
MIB = 2**20


def main() -> None:
    print(f"n={N:,}  mean_degree={MEAN_DEGREE}")
    print(f"{'kind':<12} {'build s':>8} {'nnz':>11} {'mean deg':>9} {'peak MiB':>9} {'CSR MiB':>8}")
    graphs = {}
    for kind in ("small_world", "scale_free", "random"):
        start = time.perf_counter()
        adj = build_adjacency(kind, N, MEAN_DEGREE, np.random.default_rng(0))
        seconds = time.perf_counter() - start
        del adj

        tracemalloc.start()
        adj = build_adjacency(kind, N, MEAN_DEGREE, np.random.default_rng(0))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        size = adj.data.nbytes + adj.indices.nbytes + adj.indptr.nbytes
        print(
            f"{kind:<12} {seconds:8.2f} {adj.nnz:11,} {adj.nnz / N:9.3f}"
            f" {peak / MIB:9.0f} {size / MIB:8.0f}"
        )
        graphs[kind] = adj

    rng = np.random.default_rng(1)
    print(f"\ngather_neighbours, {SOURCES:,} random sources, median of {GATHER_REPEATS} calls")
    for kind, adj in graphs.items():
        times = []
        for _ in range(GATHER_REPEATS):
            nodes = rng.integers(0, N, size=SOURCES)
            start = time.perf_counter()
            position, _ = gather_neighbours(adj, nodes)
            times.append(time.perf_counter() - start)
        print(f"{kind:<12} {np.median(times) * 1e3:7.2f} ms  {position.size:9,} pairs")

    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nprocess peak RSS: {max_rss_kib / 1024:.0f} MiB (all three graphs held at the end)")


if __name__ == "__main__":
    main()
