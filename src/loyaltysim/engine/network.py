"""Social networks over which customers pass on word of mouth.

Every graph here is built as an undirected adjacency matrix stored as a
:class:`scipy.sparse.csr_array` with ``int8`` ones, symmetric, with sorted column indices, no
self-loops and no duplicate edges; :func:`loyaltysim.engine.ties.tie_weights` then gives
each tie the weight the simulation uses. The graphs are built directly from numpy arrays
instead of through networkx because a networkx graph of 1,000,000 customers takes tens of
seconds and gigabytes to build, whereas the vectorised builders below take a few seconds and a
few hundred megabytes. networkx is only used, via :func:`to_networkx`, for small graphs that
are drawn or handed to Mesa.

The CSR layout is also what the simulation needs every day: the neighbours of customer ``i`` are
``adj.indices[adj.indptr[i]:adj.indptr[i + 1]]``, so :func:`gather_neighbours` can look up the
contacts of the few customers who talk on a given day at a cost proportional to the number of
contacts, not to the number of customers.

All randomness comes from the :class:`numpy.random.Generator` passed in, and no step depends on
set or hash ordering, so the same seed always gives identical arrays.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from scipy import optimize, sparse

from loyaltysim.engine import libm
from loyaltysim.scenario.sizes import expected_floor_power_law

KINDS: tuple[str, ...] = ("small_world", "scale_free", "random", "well_mixed", "strong_weak")
"""Network kinds understood by :func:`build_adjacency`."""


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """Sort ``keys`` in place and return its distinct values.

    Equivalent to :func:`numpy.unique`, which in numpy 2 is several times slower on millions of
    integers than a plain sort followed by dropping each value equal to its predecessor.
    """
    keys.sort()
    if keys.size == 0:
        return keys
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first]


def _symmetric_csr(n: int, u: np.ndarray, v: np.ndarray) -> sparse.csr_array:
    """Build the canonical symmetric adjacency matrix of the undirected edges ``u[i]--v[i]``.

    Self-loops are dropped and repeated edges (in either orientation) are merged, so every
    generator can produce its raw endpoint arrays without caring about collisions. Each
    undirected edge is written in both orientations as the single integer key ``row * n + col``;
    one sort of those keys then orders the entries by row and, within a row, by column, which is
    exactly CSR order, and duplicates become adjacent so they can be removed with one comparison.
    This avoids scipy's COO conversion, which would need extra copies and a second sort.

    Args:
        n: Number of nodes.
        u: First endpoints, integers in ``[0, n)``.
        v: Second endpoints, same length as ``u``.

    Returns:
        The ``n x n`` adjacency matrix.

    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    not_loop = u != v
    u, v = u[not_loop], v[not_loop]
    keys = np.concatenate((u * n + v, v * n + u))
    del u, v, not_loop
    keys = _sorted_unique(keys)
    rows, cols = np.divmod(keys, n)
    del keys
    index_dtype = np.int32 if max(n, cols.size) < np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n + 1, dtype=index_dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    data = np.ones(cols.size, dtype=np.int8)
    adj = sparse.csr_array((data, cols.astype(index_dtype), indptr), shape=(n, n))
    adj.has_sorted_indices = True
    return adj


def small_world(
    n: int, mean_degree: int, rewire: float, rng: np.random.Generator
) -> sparse.csr_array:
    """Build a Watts–Strogatz small-world network.

    Customers mostly know people "near" them (high clustering) but a few long-range
    acquaintances make word of mouth reach the whole population in few steps. Start from a ring
    lattice in which every node links to its ``mean_degree // 2`` nearest neighbours on each side
    (as :func:`networkx.watts_strogatz_graph` does, an odd ``mean_degree`` is rounded down), then
    move the far end of each lattice edge, with probability ``rewire``, to a uniformly random node.
    Unlike networkx, rewiring does not redraw on collision: self-loops and duplicate edges it
    creates are dropped afterwards, which keeps the construction fully vectorised and removes
    only about ``rewire * mean_degree / n`` of the edges.

    Args:
        n: Number of nodes.
        mean_degree: Lattice degree before rewiring; must be below ``n``.
        rewire: Probability in ``[0, 1]`` that an edge is rewired.
        rng: Source of all randomness.

    Returns:
        The symmetric ``n x n`` adjacency matrix.

    Raises:
        ValueError: If the arguments are out of range.

    """
    if n < 1 or not 0 <= mean_degree < n:
        raise ValueError(f"need n >= 1 and 0 <= mean_degree < n, got n={n}, {mean_degree=}")
    if not 0.0 <= rewire <= 1.0:
        raise ValueError(f"rewire must be a probability, got {rewire}")
    half = mean_degree // 2
    u = np.repeat(np.arange(n, dtype=np.int64), half)
    v = (u + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    moved = rng.random(u.size) < rewire
    v[moved] = rng.integers(0, n, size=int(np.count_nonzero(moved)))
    return _symmetric_csr(n, u, v)


def scale_free(
    n: int, mean_degree: float, exponent: float, rng: np.random.Generator
) -> sparse.csr_array:
    """Build a configuration-model network with a power-law degree distribution.

    Real social networks have a few very well connected customers (hubs) whose recommendations
    reach many others; a power-law degree sequence ``P(k) ~ k**-exponent`` reproduces that.

    Degree sequence: each degree is ``floor(X)`` with ``X`` drawn from a continuous power law
    (density ``∝ x**-exponent``) on ``[x_min, k_max + 1)``, so ``P(k) ∝ k**(1 - exponent) -
    (k + 1)**(1 - exponent) ≈ (exponent - 1) * k**-exponent`` for all degrees above the
    lowest. The lower bound ``x_min`` is real-valued rather than an integer minimum degree,
    so the expected degree is a continuous function of it; it is solved for (Brent's method on
    the exact expected degree) so that the expected degree equals ``mean_degree``. The maximum
    degree is capped at the structural cutoff ``k_max = floor(sqrt(n * mean_degree))`` (and at
    ``n - 1``): beyond it the configuration model must join hubs by multiple edges, so larger
    degrees would mostly be lost when multi-edges are merged.

    Edges: every node gets as many "stubs" as its degree, the stubs are shuffled and consecutive
    pairs are joined (an odd stub left over is discarded). Self-loops and multi-edges are then
    removed, so the realised mean degree is slightly below ``mean_degree``; the loss grows with
    the hubs' degrees, about 0.5 % at ``n = 20000, mean_degree = 10, exponent = 2.5``.

    Args:
        n: Number of nodes.
        mean_degree: Target mean degree; must be reachable, i.e. at least the mean obtained with
            ``x_min = 1`` (about 2.5 for ``exponent = 2.5``) and at most ``k_max``.
        exponent: Power-law exponent; must exceed 2 so that the mean degree is finite.
        rng: Source of all randomness.

    Returns:
        The symmetric ``n x n`` adjacency matrix.

    Raises:
        ValueError: If the arguments are out of range.

    """
    if exponent <= 2.0:
        raise ValueError(f"exponent must be > 2 for a finite mean degree, got {exponent}")
    k_max = min(math.isqrt(int(n * mean_degree)), n - 1)
    if k_max < 1 or not 0 < mean_degree <= k_max:
        raise ValueError(f"mean_degree must lie in (0, {k_max}] for n={n}, got {mean_degree}")
    lowest = expected_floor_power_law(1.0, exponent, k_max)
    if mean_degree < lowest:
        raise ValueError(
            f"mean_degree must be at least {lowest:.3f} for exponent={exponent}, got {mean_degree}"
        )
    x_min = optimize.brentq(
        lambda x: expected_floor_power_law(x, exponent, k_max) - mean_degree, 1.0, float(k_max)
    )
    power = 1.0 - exponent
    low, high = x_min**power, (k_max + 1.0) ** power
    x = libm.power(low - rng.random(n) * (low - high), 1.0 / power)
    degrees = np.minimum(np.floor(x).astype(np.int64), k_max)
    stubs = np.repeat(np.arange(n, dtype=np.int64), degrees)
    rng.shuffle(stubs)
    pairs = stubs.size // 2
    return _symmetric_csr(n, stubs[0 : 2 * pairs : 2], stubs[1 : 2 * pairs : 2])


def random_graph(n: int, mean_degree: float, rng: np.random.Generator) -> sparse.csr_array:
    """Build an Erdős–Rényi ``G(n, p)`` random network with ``p = mean_degree / (n - 1)``.

    This is the null model: contacts carry no structure beyond their number. The number of
    edges is drawn from its binomial distribution and then that many distinct node pairs are
    drawn uniformly: endpoints are sampled in bulk, pairs that repeat an earlier one are
    discarded and the shortfall is redrawn, which is an exact ``G(n, p)`` sample even for small
    dense graphs. Sparse graphs need one or two bulk rounds; each round draws as many pairs as
    are still missing, so the loop runs over rounds, never over nodes or edges.

    Args:
        n: Number of nodes.
        mean_degree: Expected mean degree, in ``[0, n - 1]``.
        rng: Source of all randomness.

    Returns:
        The symmetric ``n x n`` adjacency matrix.

    Raises:
        ValueError: If the arguments are out of range.

    """
    if n < 1 or not 0 <= mean_degree <= n - 1:
        raise ValueError(f"need n >= 1 and 0 <= mean_degree <= n - 1, got n={n}, {mean_degree=}")
    n_pairs = n * (n - 1) // 2
    n_edges = int(rng.binomial(n_pairs, mean_degree / (n - 1))) if n > 1 else 0
    keys = np.empty(0, dtype=np.int64)  # sorted unique ``low * n + high`` codes of drawn edges
    while keys.size < n_edges:
        missing = n_edges - keys.size
        u = rng.integers(0, n, size=missing)
        v = (u + rng.integers(1, n, size=missing)) % n  # uniform over the other n - 1 nodes
        new = _sorted_unique(np.minimum(u, v) * n + np.maximum(u, v))
        where = np.searchsorted(keys, new)
        fresh = np.append(keys, -1)[where] != new  # the -1 sentinel catches where == keys.size
        keys = np.insert(keys, where[fresh], new[fresh])
    return _symmetric_csr(n, *np.divmod(keys, n))


def personal_networks(n: int, size: int, rng: np.random.Generator) -> sparse.csr_array:
    """Split ``n`` customers at random into personal networks of ``size``, each a clique.

    Goldenberg, Libai & Muller (2001) divide the market equally into personal networks,
    each customer in exactly one, everyone in a network tied to everyone else in it by a
    strong tie. When ``size`` does not divide ``n`` the last network is smaller (``n % size``
    members). The loop runs over the ``size - 1`` offsets within a network, never over
    customers: member ``i`` of the shuffled order is tied to member ``i + d`` of its network.

    Args:
        n: Number of nodes.
        size: Members of each personal network, at least 1 (1: no ties at all).
        rng: Source of all randomness (one permutation).

    Returns:
        The symmetric ``n x n`` adjacency matrix; every node's degree is ``size - 1``, except
        in the last, smaller network.

    Raises:
        ValueError: If the arguments are out of range.

    """
    if n < 1 or size < 1:
        raise ValueError(f"need n >= 1 and size >= 1, got n={n}, {size=}")
    order = rng.permutation(n)
    rank = np.arange(n, dtype=np.int64)
    u, v = [], []
    for d in range(1, min(size, n)):
        same = (rank % size + d < size) & (rank + d < n)
        u.append(order[rank[same]])
        v.append(order[rank[same] + d])
    empty = np.empty(0, np.int64)
    return _symmetric_csr(n, np.concatenate([empty, *u]), np.concatenate([empty, *v]))


def build_adjacency(
    kind: str,
    n: int,
    mean_degree: float,
    rng: np.random.Generator,
    *,
    rewire: float = 0.1,
    exponent: float = 2.5,
    personal_network_size: int = 17,
) -> sparse.csr_array | None:
    """Build the word-of-mouth network named by ``kind``.

    One entry point lets the simulation pick its network from configuration. ``"well_mixed"``
    means there is no network at all: word of mouth then reaches uniformly random customers, so
    ``None`` is returned rather than a complete graph, which would not fit in memory.

    Args:
        kind: One of :data:`KINDS`.
        n: Number of customers.
        mean_degree: Mean number of contacts. For ``"small_world"`` it must be a whole number;
            an odd number is rounded down to the even lattice degree.
        rng: Source of all randomness.
        rewire: Rewiring probability, used by ``"small_world"`` only.
        exponent: Power-law exponent, used by ``"scale_free"`` only.
        personal_network_size: Members of each personal network, used by ``"strong_weak"``
            only (its ``mean_degree`` is ``personal_network_size - 1``; the weak ties are
            drawn each day, not stored).

    Returns:
        The symmetric ``n x n`` adjacency matrix, or ``None`` for ``"well_mixed"``.

    Raises:
        ValueError: If ``kind`` is unknown or the parameters are out of range.

    """
    match kind:
        case "small_world":
            if not float(mean_degree).is_integer():
                raise ValueError(f"small_world needs a whole mean_degree, got {mean_degree}")
            return small_world(n, int(mean_degree), rewire, rng)
        case "scale_free":
            return scale_free(n, mean_degree, exponent, rng)
        case "random":
            return random_graph(n, mean_degree, rng)
        case "strong_weak":
            return personal_networks(n, personal_network_size, rng)
        case "well_mixed":
            return None
    raise ValueError(f"unknown network kind {kind!r}; expected one of {KINDS}")


def row_entries(adj: sparse.csr_array, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(position, entry)`` of every stored entry in the rows ``nodes``, row by row.

    ``entry`` indexes ``adj.indices`` and ``adj.data``. The CSR row slices of all sources are
    concatenated with ``np.repeat`` and ``np.arange`` arithmetic on ``indptr`` rather than a
    Python loop.
    """
    nodes = np.asarray(nodes, dtype=np.intp)
    if nodes.size and (nodes.min() < 0 or nodes.max() >= adj.shape[0]):
        raise IndexError(f"nodes must lie in [0, {adj.shape[0]})")
    starts = adj.indptr[nodes].astype(np.intp)
    counts = adj.indptr[nodes + 1] - starts
    ends = np.cumsum(counts)
    position = np.repeat(np.arange(nodes.size, dtype=np.intp), counts)
    # Entry j of the output is pair number j - (ends - counts)[p] of source p, whose neighbours
    # start at indptr position starts[p]; shifting a global arange by a per-source offset gives
    # every pair's position in ``adj.indices`` at once.
    offset = np.repeat(starts - (ends - counts), counts)
    total = int(ends[-1]) if ends.size else 0
    return position, np.arange(total, dtype=np.intp) + offset


def gather_neighbours(adj: sparse.csr_array, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """List every (source, neighbour) pair for a batch of source nodes.

    Called every simulated day with the handful of customers who talk, so its cost is
    proportional to ``len(nodes)`` plus the number of pairs returned and independent of the
    network size.

    Args:
        adj: Adjacency matrix in CSR format.
        nodes: Integer source nodes; may repeat, in which case their neighbours are listed again.

    Returns:
        ``(position, neighbour)``: for each pair, the index into ``nodes`` of its source and the
        neighbour's node id. Pairs are grouped by position in order, and neighbours within a
        group are in ascending order. Both arrays have dtype ``np.intp``.

    Raises:
        IndexError: If a node lies outside ``[0, adj.shape[0])``.

    """
    position, entry = row_entries(adj, nodes)
    return position, adj.indices[entry].astype(np.intp)


def degree(adj: sparse.csr_array) -> np.ndarray:
    """Return each node's number of neighbours, read from ``indptr`` without touching the data."""
    return np.diff(adj.indptr)


def to_networkx(adj: sparse.csr_array, nodes: np.ndarray | None = None) -> nx.Graph:
    """Convert a (small) adjacency matrix to a :class:`networkx.Graph`.

    Intended for drawing and for :class:`mesa.discrete_space.Network`, which need a networkx
    graph; do not use it on the full population of a large simulation.

    Args:
        adj: Symmetric adjacency matrix.
        nodes: If given, build the subgraph induced by these nodes (duplicates are ignored);
            otherwise use all nodes.

    Returns:
        A graph whose node ids are the integer customer indices, added in ascending order.

    """
    if nodes is None:
        ids, sub = np.arange(adj.shape[0]), adj
    else:
        ids = np.unique(np.asarray(nodes, dtype=np.intp))
        sub = adj[ids][:, ids]
    upper = sparse.triu(sub, k=1, format="coo")
    graph = nx.Graph()
    graph.add_nodes_from(ids.tolist())
    graph.add_edges_from(zip(ids[upper.row].tolist(), ids[upper.col].tolist(), strict=True))
    return graph
