import math
import random

import networkx as nx
import numpy as np
import pytest
from mesa.discrete_space import Network
from scipy import sparse

from loyaltysim.engine.network import (
    build_adjacency,
    degree,
    gather_neighbours,
    personal_networks,
    random_graph,
    scale_free,
    small_world,
    to_networkx,
)
from loyaltysim.engine.ties import gather_ties, tie_weights

GRAPH_KINDS = ["small_world", "scale_free", "random", "strong_weak"]


def build(kind, n=500, mean_degree=10, seed=0):
    return build_adjacency(kind, n, mean_degree, np.random.default_rng(seed))


@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_adjacency_is_canonical_simple_graph(kind):
    adj = build(kind)
    assert adj.shape == (500, 500)
    assert adj.dtype == np.int8
    assert np.all(adj.data == 1)  # no explicit zeros
    assert (adj != adj.T).nnz == 0  # symmetric
    assert np.all(adj.diagonal() == 0)  # no self-loops
    for i in range(adj.shape[0]):
        row = adj.indices[adj.indptr[i] : adj.indptr[i + 1]]
        assert np.all(np.diff(row) > 0)  # sorted and no duplicate edges


@pytest.mark.parametrize(("n", "k"), [(20, 4), (30, 6)])
def test_unrewired_small_world_is_networkx_ring_lattice(n, k):
    adj = small_world(n, k, 0.0, np.random.default_rng(0))
    graph = to_networkx(adj)
    expected = nx.watts_strogatz_graph(n, k, 0)
    assert sorted(graph.edges()) == sorted(tuple(sorted(e)) for e in expected.edges())
    # Every lattice node has clustering 3(k-2)/(4(k-1)): 0.5 for k=4, 0.6 for k=6.
    assert nx.average_clustering(graph) == pytest.approx(3 * (k - 2) / (4 * (k - 1)))


def test_rewiring_keeps_edge_count_and_shortens_paths():
    rng = np.random.default_rng(3)
    lattice = to_networkx(small_world(200, 4, 0.0, rng))
    rewired = to_networkx(small_world(200, 4, 0.2, rng))
    # Rewiring only loses the rare edges that collide: at most 400 of them.
    assert 390 <= rewired.number_of_edges() <= 400
    # The lattice needs ~n/(2k) = 25 steps on average; shortcuts collapse that.
    lattice_path = nx.average_shortest_path_length(lattice)
    assert lattice_path > 20
    giant = rewired.subgraph(max(nx.connected_components(rewired), key=len))
    assert nx.average_shortest_path_length(giant) < lattice_path / 2


N_LARGE = 20_000


def test_small_world_mean_degree():
    mean = degree(build("small_world", N_LARGE)).mean()
    # The lattice has exactly 10 per node and rewiring can only lose edges: ~0.1*100000/20000
    # self-loops plus ~10000*10/20000 duplicates, about 5.5 edges or 0.0006 in mean degree.
    assert 10 - 0.01 <= mean <= 10


def test_random_graph_mean_degree():
    mean = degree(build("random", N_LARGE)).mean()
    # Mean degree is 2M/n with M ~ Binomial(n(n-1)/2, 10/(n-1)), so its standard error is
    # sqrt(2 * 10 / n) = 0.032; allow 5 standard errors.
    assert abs(mean - 10) < 0.16


def test_scale_free_mean_degree():
    degrees = degree(scale_free(N_LARGE, 10, 2.5, np.random.default_rng(0)))
    # The degree sequence has standard deviation ~17 (cutoff sqrt(20000 * 10) = 447), so the
    # sample mean has standard error 17 / sqrt(20000) = 0.12; merging multi-edges and dropping
    # self-loops removes ~0.05 more. Allow 5 standard errors around 10 - 0.05.
    assert abs(degrees.std() / math.sqrt(N_LARGE) - 0.12) < 0.03
    assert abs(degrees.mean() - 9.95) < 0.6


def test_scale_free_respects_structural_cutoff():
    degrees = degree(build("scale_free", N_LARGE))
    assert degrees.max() <= math.isqrt(N_LARGE * 10)  # 447


def test_scale_free_has_heavy_tail():
    sf = degree(build("scale_free", N_LARGE))
    sw = degree(build("small_world", N_LARGE))
    er = degree(build("random", N_LARGE))
    assert sf.max() > 10 * sw.max()
    # P(k > 30) is about (31 / 3.85) ** -1.5 = 0.044 for the power law (x_min = 3.85),
    # ~1e-7 for Poisson(10) and exactly 0 for a lightly rewired lattice.
    assert np.mean(sf > 30) > 0.02
    assert np.mean(er > 30) < 1e-3
    assert np.mean(sw > 30) == 0


def test_random_graph_is_exact_even_when_dense():
    # n=50, p=6/49: dropping the ~9 duplicate pairs among ~147 draws would bias the mean degree
    # down to ~5.64, but duplicates are redrawn. One graph's mean degree has standard deviation
    # 2 * sqrt(1225 * p * (1 - p)) / 50 = 0.46, so the mean over 400 graphs has standard error
    # 0.023; allow 5 of them.
    means = [degree(random_graph(50, 6, np.random.default_rng(s))).mean() for s in range(400)]
    assert abs(np.mean(means) - 6) < 0.115


def test_gather_neighbours_matches_networkx_loop():
    rng = np.random.default_rng(11)
    adj = random_graph(40, 2.0, rng)
    isolated = np.flatnonzero(degree(adj) == 0)
    assert isolated.size > 0
    nodes = np.concatenate([rng.integers(0, 40, size=25), isolated[:1], isolated[:1], [7, 7]])
    graph = to_networkx(adj)
    expected = [
        (position, neighbour)
        for position, source in enumerate(nodes.tolist())
        for neighbour in sorted(graph.neighbors(source))
    ]
    position, neighbour = gather_neighbours(adj, nodes)
    assert list(zip(position.tolist(), neighbour.tolist(), strict=True)) == expected


def test_gather_neighbours_of_no_nodes_is_empty():
    position, neighbour = gather_neighbours(build("random"), np.array([], dtype=np.int64))
    assert position.size == 0
    assert neighbour.size == 0


def test_gather_neighbours_rejects_out_of_range_nodes():
    adj = build("random")
    with pytest.raises(IndexError):
        gather_neighbours(adj, np.array([0, 500]))
    with pytest.raises(IndexError):
        gather_neighbours(adj, np.array([-1]))


@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_same_seed_same_graph_different_seed_different_graph(kind):
    first, again, other = build(kind, seed=5), build(kind, seed=5), build(kind, seed=6)
    assert np.array_equal(first.indptr, again.indptr)
    assert np.array_equal(first.indices, again.indices)
    assert not (
        np.array_equal(first.indptr, other.indptr) and np.array_equal(first.indices, other.indices)
    )


def test_well_mixed_has_no_graph():
    assert build("well_mixed") is None


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown network kind"):
        build("lattice")


@pytest.mark.parametrize(
    ("kind", "mean_degree", "kwargs"),
    [
        ("small_world", 7.5, {}),
        ("small_world", 500, {}),
        ("small_world", 10, {"rewire": 1.5}),
        ("scale_free", 10, {"exponent": 2.0}),
        ("scale_free", 1.0, {}),
        ("random", 600, {}),
    ],
)
def test_out_of_range_parameters_raise(kind, mean_degree, kwargs):
    with pytest.raises(ValueError):
        build_adjacency(kind, 500, mean_degree, np.random.default_rng(0), **kwargs)


@pytest.mark.parametrize("kind", GRAPH_KINDS)
def test_to_networkx_round_trips_edges(kind):
    adj = build(kind, n=200, mean_degree=6)
    graph = to_networkx(adj)
    assert list(graph.nodes()) == list(range(200))
    assert graph.number_of_edges() == adj.nnz // 2
    back = nx.to_scipy_sparse_array(graph, nodelist=range(200), dtype=np.int8, format="csr")
    assert (back != adj).nnz == 0


def test_to_networkx_induced_subgraph():
    adj = build("small_world", n=200, mean_degree=6)
    nodes = np.array([50, 3, 4, 5, 199, 0, 1, 3])
    sub = to_networkx(adj, nodes)
    expected = to_networkx(adj).subgraph(nodes.tolist())
    assert list(sub.nodes()) == [0, 1, 3, 4, 5, 50, 199]
    assert sorted(sub.edges()) == sorted(tuple(sorted(e)) for e in expected.edges())


def test_to_networkx_feeds_mesa_network():
    adj = small_world(20, 4, 0.0, np.random.default_rng(0))
    space = Network(to_networkx(adj), random=random.Random(0))
    assert len(space.all_cells) == 20
    neighbours = sorted(cell.coordinate for cell in space[0].neighborhood)
    assert neighbours == [1, 2, 18, 19]


# --------------------------------------------------------------------------- strong/weak ties
def test_personal_networks_are_cliques_of_the_given_size():
    # 10 customers in networks of 4: two full networks and a last one of 10 % 4 = 2;
    # 2 x 4*3/2 + 1 = 13 ties; degrees 3 (eight members) and 1 (the pair)
    adj = personal_networks(10, 4, np.random.default_rng(0))
    graph = to_networkx(adj)
    parts = sorted(nx.connected_components(graph), key=len)
    assert [len(p) for p in parts] == [2, 4, 4]
    for part in parts:
        assert graph.subgraph(part).number_of_edges() == len(part) * (len(part) - 1) // 2
    assert graph.number_of_edges() == 13
    assert sorted(degree(adj).tolist()) == [1, 1] + [3] * 8


def test_personal_networks_edge_cases():
    g = np.random.default_rng(1)
    assert personal_networks(5, 1, g).nnz == 0  # networks of one: no ties
    assert personal_networks(4, 9, g).nnz == 4 * 3  # bigger than the market: one clique
    with pytest.raises(ValueError):
        personal_networks(5, 0, g)


def test_strong_weak_degree_is_the_personal_network_not_mean_degree():
    adj = build_adjacency(
        "strong_weak", 600, 3.0, np.random.default_rng(2), personal_network_size=6
    )
    assert np.all(degree(adj) == 5)


def to_star():
    """Customer 0 tied to 1, 2, 3, 4: degrees 4, 1, 1, 1, 1, mean 8 / 5 = 1.6."""
    u, v = np.zeros(4, int), np.arange(1, 5)
    data = np.ones(8, np.int8)
    return sparse.csr_array((data, (np.r_[u, v], np.r_[v, u])), shape=(5, 5))


def test_tie_weights_without_normalising_are_the_tie_strength():
    weighted = tie_weights(to_star(), 0.5)
    assert weighted.dtype == np.float64
    assert np.all(weighted.data == 0.5)
    assert np.array_equal(weighted.indices, to_star().indices)


def test_normalised_tie_weights_give_every_talker_the_same_reach():
    # mean degree 1.6: the hub's ties weigh 0.5 * 1.6 / 4 = 0.2, a leaf's 0.5 * 1.6 / 1 = 0.8;
    # every talker's expected reach is 0.8 and the total, 4 x 0.2 + 4 x 0.8 = 4 = 0.5 x 8 ties,
    # is what it was before normalising
    weighted = tie_weights(to_star(), 0.5, normalise=True)
    position, _, weight = gather_ties(weighted, np.arange(5))
    np.testing.assert_allclose(weight, [0.2] * 4 + [0.8] * 4)
    np.testing.assert_allclose(np.bincount(position, weights=weight), [0.8] * 5)
    assert weighted.data.sum() == pytest.approx(4.0)


def test_normalised_tie_weights_are_capped_at_one():
    # strength 1: a leaf would weigh 1.6, capped at 1 (its reach is 1, short of 1.6);
    # the hub's ties weigh 1.6 / 4 = 0.4
    weighted = tie_weights(to_star(), 1.0, normalise=True)
    _, _, weight = gather_ties(weighted, np.arange(5))
    np.testing.assert_allclose(weight, [0.4] * 4 + [1.0] * 4)


def test_gather_ties_lists_what_gather_neighbours_lists():
    adj = build("small_world", n=60, mean_degree=4)
    nodes = np.array([3, 3, 59, 0])
    position, neighbour, weight = gather_ties(tie_weights(adj, 0.3), nodes)
    expected = gather_neighbours(adj, nodes)
    np.testing.assert_array_equal(position, expected[0])
    np.testing.assert_array_equal(neighbour, expected[1])
    assert np.all(weight == 0.3)
