"""Tie weights: how likely a contact is to take a message in, one weight per tie.

The social network (:mod:`loyaltysim.engine.network`) says who talks to whom; the weights,
stored as the CSR matrix's ``data``, say how much each tie carries. Row ``i`` holds the ties
along which customer ``i`` talks, so a weight may depend on the talker (its degree) and the
weighted matrix need not be symmetric.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from loyaltysim.engine.network import degree, row_entries


def gather_ties(
    adj: sparse.csr_array, nodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`~loyaltysim.engine.network.gather_neighbours`, plus each tie's weight."""
    position, entry = row_entries(adj, nodes)
    return position, adj.indices[entry].astype(np.intp), adj.data[entry].astype(np.float64)


def tie_weights(
    adj: sparse.csr_array, strength: float, normalise: bool = False
) -> sparse.csr_array:
    """The network with a weight on every tie: the chance a contact takes a message in.

    Without normalising every tie weighs ``strength``, so a talker's expected reach,
    ``strength * degree``, grows with its degree and hubs carry word of mouth further than
    the Bass model's homogeneous mixing would. Normalised, the ties of talker ``i`` weigh
    ``strength * mean_degree / degree_i``, ``mean_degree`` being the network's own mean
    degree, so every talker's expected reach is ``strength * mean_degree`` whatever its
    degree (the same total reach as unnormalised, shared equally), as in a well-mixed
    population. A weight is a probability, so it is capped at 1: a talker with fewer than
    ``strength * mean_degree`` contacts reaches all of them and no more (its reach falls
    short; nothing is moved to other talkers). The weights sit on the talker's row, so a
    normalised matrix is in general no longer symmetric.

    Args:
        adj: Adjacency matrix in CSR format (its data is ignored).
        strength: Weight of every tie, or the mean weight before normalisation, in [0, 1].
        normalise: Share each talker's reach out by its degree.

    Returns:
        A matrix with ``adj``'s structure (indices and indptr shared) and float64 weights.

    """
    counts = degree(adj)
    if normalise and counts.size:
        per_row = np.minimum(strength * counts.mean() / np.maximum(counts, 1), 1.0)
    else:
        per_row = np.full(adj.shape[0], float(strength))
    weights = sparse.csr_array((np.repeat(per_row, counts), adj.indices, adj.indptr), adj.shape)
    weights.has_sorted_indices = True
    return weights
