"""A picture of the social network: a few hundred customers, coloured by their main shop.

Drawing a whole market is neither possible (a spring layout of 100,000 nodes takes hours)
nor readable, so the snapshot follows ties outward from a random customer (a snowball
sample) until it has ``size`` customers. A snowball keeps the ties between the customers
drawn, so clusters of customers loyal to the same shop, the visible trace of word of mouth,
show up; a uniform sample of a large network would have almost no ties left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from loyaltysim.engine.network import to_networkx
from loyaltysim.plots._common import NO_SHOP_COLOR, axes, legend, shop_colors

if TYPE_CHECKING:
    from scipy import sparse

    from loyaltysim.engine.model import LoyaltyModel


def snowball_sample(
    adjacency: sparse.csr_array, active: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Up to ``size`` active nodes reached breadth-first from random active seeds.

    When a connected part is used up before ``size`` nodes, a new random seed starts
    another; nodes are taken in the order they are reached.

    Returns:
        The sampled slots, sorted.
    """
    candidates = np.flatnonzero(active)
    size = min(size, candidates.size)
    taken = np.zeros(active.shape[0], bool)
    order: list[int] = []
    indptr, indices = adjacency.indptr, adjacency.indices
    while len(order) < size:
        free = candidates[~taken[candidates]]
        seed = int(rng.choice(free))
        taken[seed] = True
        order.append(seed)
        frontier = [seed]
        while frontier and len(order) < size:
            reached: list[int] = []
            for node in frontier:
                neighbours = indices[indptr[node] : indptr[node + 1]]
                new = neighbours[active[neighbours] & ~taken[neighbours]]
                new = new[: size - len(order)]
                taken[new] = True
                order.extend(new.tolist())
                reached.extend(new.tolist())
                if len(order) >= size:
                    break
            frontier = reached
    return np.sort(np.asarray(order, dtype=np.intp))


def plot_network_snapshot(
    model: LoyaltyModel, size: int = 300, seed: int = 0, ax: Axes | None = None
) -> Axes:
    """Customers of a snowball sample, coloured by main shop and sized by satisfaction.

    The sample and the layout use their own random generator (``seed``), never the model's,
    so drawing a snapshot does not change what the model does next.

    Args:
        model: A model, at any step.
        size: Customers to draw (a spring layout of a few hundred takes well under a second).
        seed: Seed of the sample and the layout.
        ax: Axes to draw on (default: a new figure).

    Returns:
        The Axes; its node collection has one point per sampled customer.
    """
    ax = axes(ax, (7, 7))
    state = model.state
    rng = np.random.default_rng(seed)
    sample = snowball_sample(model.adjacency, state.active, size, rng)
    graph = to_networkx(model.adjacency, nodes=sample)
    layout = nx.spring_layout(graph, seed=seed, iterations=60)
    position = np.array([layout[node] for node in sample.tolist()]).reshape(-1, 2)
    edges = [(layout[u], layout[v]) for u, v in graph.edges()]
    ax.add_collection(LineCollection(edges, colors="#999999", linewidths=0.4, alpha=0.6))
    names = list(model.shop_params.names)
    colors = shop_colors(names)
    main = state.main_shop[sample].astype(int)
    node_color = [colors[names[m]] if m >= 0 else NO_SHOP_COLOR for m in main]
    satisfaction = np.where(main >= 0, state.satisfaction[sample, np.maximum(main, 0)], 0.5).astype(
        float
    )
    ax.scatter(
        position[:, 0],
        position[:, 1],
        s=8 + 120 * satisfaction**2,
        c=node_color,
        edgecolors="black",
        linewidths=0.3,
        zorder=2,
    )
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colors[n], label=f"main shop {n}")
        for n in names
    ]
    handles.append(
        Line2D([], [], marker="o", linestyle="", color=NO_SHOP_COLOR, label="no main shop")
    )
    for level in (0.25, 0.5, 0.9):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color="white",
                markeredgecolor="black",
                markersize=np.sqrt(8 + 120 * level**2),
                label=f"satisfaction {level:g}",
            )
        )
    legend(ax, handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(
        f"Social network, {sample.size} of {int(state.active.sum()):,} customers "
        f"(day {model.day})\ncolour: main shop; size: satisfaction with it"
    )
    ax.autoscale_view()
    return ax
