"""Monotone partial likelihood: when a Cox coefficient diverges (Bryson & Johnson 1981).

The log partial likelihood rises without bound along a direction d, and the
estimate does not exist, exactly when every event's ``xᵀd`` is the largest in
its risk set and some row of some risk set has a smaller one: then each term
``η_i − log Σ_R exp(η_j)`` (Breslow's, and each of Efron's) never falls along d
and one rises to its limit. That is the separation of the logit of each event
against its risk set; the pairs are O(n²), but with one variable ``M_g`` per
event group for the largest ``xᵀd`` of its risk set, and risk sets nested in
time, the linear programme has O(n) constraints:

* ``M_g ≤ x_iᵀd`` for each event i of group g;
* ``x_jᵀd ≤ M_g`` for the latest group g at or before row j's time (its
  stratum's);
* ``M_g ≤ M_{g'}`` for consecutive groups ``t_{g'} < t_g`` of a stratum.

It maximises ``Σ_g Σ_{j ∈ R_g} (M_g − x_jᵀd)``, which is linear (row j counts once
per group whose risk set holds it), with ``|d_j| ≤ 1`` on columns scaled to a
unit maximum: a positive optimum is a direction of monotone likelihood, and
its non-zero entries are the coefficients that diverge.

With counting-process data the risk sets are not nested: row j is at risk in
a run of consecutive groups, from the first at or before its stop to the last
after its start. The groups are the leaves of a segment tree, with a variable
``N_v`` for each node, ``N_v ≤ N_child`` (so that each leaf, ``M_g``, is at least
every node above it), and the run of row j is covered by O(log G) nodes:

* ``x_jᵀd ≤ y_j`` and ``y_j ≤ N_v`` for each node v of the cover of its run;

O(n log G) constraints of two entries each, besides the n of X's rows.
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._warnings import warn
from ..exceptions import PerfectSeparationWarning

# The programme runs when the loop did not converge, or when some coefficient
# times its feature's range exceeds this (a hazard ratio above e^15 across the
# data, which a diverging coefficient reaches before the loop stops).
_CHECK_SPAN = 15.0


def _entries(values, columns, n_columns):
    """A sparse matrix with ``values[i]`` at ``(i, columns[i])``."""
    rows = np.arange(len(columns))
    return sp.csr_matrix((values, (rows, columns)), shape=(len(columns), n_columns))


def _programme(problem):
    """Return ``(objective, A_ub, n_features, scale)`` of the programme on the problem's rows."""
    risk, X = problem.risk, problem.X
    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    X = X / scale
    n, k = X.shape
    if risk.start is not None:
        return (*_counting_programme(problem, X), k, scale)
    G = risk.n_groups
    stratum_last = np.empty(n, dtype=np.intp)  # one past the stratum's last group
    for (start, stop), (_, g1) in zip(risk.stratum_bounds, risk.group_bounds, strict=True):
        stratum_last[start:stop] = g1
    # The latest group at or before each row's time: the first group ending after it.
    latest = np.searchsorted(risk.group_end, np.arange(n), side="right")
    rows = np.flatnonzero(latest < stratum_last)
    ev = risk.events
    blocks = [
        sp.hstack([-sp.csr_matrix(X[ev]), _entries(np.ones(ev.size), risk.event_group, G)]),
        sp.hstack([sp.csr_matrix(X[rows]), _entries(-np.ones(rows.size), latest[rows], G)]),
    ]
    same = np.flatnonzero(np.diff(risk.group_stratum) == 0)
    if same.size:  # M_g ≤ M_{g+1}: group g + 1 is the earlier time
        chain = _entries(np.ones(same.size), same, G) - _entries(np.ones(same.size), same + 1, G)
        blocks.append(sp.hstack([sp.csr_matrix((same.size, k)), chain]))
    counts = np.zeros(n)
    counts[rows] = stratum_last[rows] - latest[rows]
    first_row = [a for a, _ in risk.stratum_bounds]
    starts = np.repeat(first_row, [g1 - g0 for g0, g1 in risk.group_bounds])
    at_risk = (risk.group_end - starts).astype(float)
    objective = np.r_[counts @ X, -at_risk] / at_risk.sum()
    return objective, sp.vstack(blocks, format="csr"), k, scale


def _cover(first, last, size):
    """The ``(row, node)`` pairs of the nodes of a segment tree that cover each ``[first, last)``.

    The tree has ``size`` leaves (a power of two), node v's children ``2v`` and
    ``2v + 1``, leaf p at node ``size + p``: bottom-up, each run is split into
    at most two nodes per level.
    """
    low, high = first + size, last + size
    index = np.arange(first.size)
    rows, nodes = [], []
    while np.any(active := low < high):
        take = active & (low % 2 == 1)
        rows.append(index[take])
        nodes.append(low[take])
        low[take] += 1
        take = active & (high % 2 == 1)
        high[take] -= 1
        rows.append(index[take])
        nodes.append(high[take])
        low //= 2
        high //= 2
    return np.concatenate(rows), np.concatenate(nodes)


def _counting_programme(problem, X):
    """The programme of counting-process data: ``(objective, A_ub)`` over ``[d, y, N]``.

    ``X`` are the sorted rows, scaled; N has a variable per node ``1, …, 2P − 1``
    of a segment tree with P ≥ G leaves (the first group's at node P).
    """
    risk = problem.risk
    n, k = X.shape
    G = risk.n_groups
    size = 1 << max(G - 1, 0).bit_length()
    first, last = risk.row_groups()
    used = np.flatnonzero(last > first)
    m, nodes = used.size, 2 * size - 1

    ev = risk.events
    pairs, covering = _cover(first[used], last[used], size)
    parents = np.repeat(np.arange(1, size), 2)
    children = np.arange(2, 2 * size)
    blocks = [
        sp.hstack(
            [
                -sp.csr_matrix(X[ev]),
                sp.csr_matrix((ev.size, m)),
                _entries(np.ones(ev.size), size + risk.event_group - 1, nodes),
            ]
        ),
        sp.hstack([sp.csr_matrix(X[used]), -sp.eye(m), sp.csr_matrix((m, nodes))]),
        sp.hstack(
            [
                sp.csr_matrix((pairs.size, k)),
                _entries(np.ones(pairs.size), pairs, m),
                -_entries(np.ones(pairs.size), covering - 1, nodes),
            ]
        ),
        sp.hstack(
            [
                sp.csr_matrix((children.size, k + m)),
                _entries(np.ones(children.size), parents - 1, nodes)
                - _entries(np.ones(children.size), children - 1, nodes),
            ]
        ),
    ]
    at_risk = risk.risk_sums(np.ones(n))
    leaves = np.zeros(nodes)
    leaves[size - 1 : size - 1 + G] = at_risk
    objective = np.r_[(last - first) @ X, np.zeros(m), -leaves] / at_risk.sum()
    return objective, sp.vstack(blocks, format="csr")


def monotone_direction(problem):
    """Return the direction of monotone likelihood (in the features' units), or None."""
    objective, A, k, scale = _programme(problem)
    # A constant feature (centred to zeros) moves nothing: it stays at 0.
    constant = ~np.any(problem.X != 0, axis=0)
    bounds = [(0.0, 0.0) if c else (-1.0, 1.0) for c in constant]
    bounds += [(None, None)] * (A.shape[1] - k)
    found = linprog(objective, A_ub=A, b_ub=np.zeros(A.shape[0]), bounds=bounds, method="highs")
    if found.status != 0 or -found.fun <= 1e-9:
        return None
    d = found.x[:k]
    d[np.abs(d) <= 1e-7 * np.abs(d).max()] = 0.0
    return d / scale


def monotone_params(names, problem, result):
    """The driver's diagnose: warn on monotone likelihood, return the diverging coefficients.

    None when the estimate exists (or a penalised fit, whose estimate always does).
    """
    if problem.penalty.any():
        return None
    span = np.abs(result.theta) * np.ptp(problem.data, axis=0)  # ptp ignores centring
    if result.converged and not np.any(span > _CHECK_SPAN):
        return None
    direction = monotone_direction(problem)
    if direction is None:
        return None
    diverging = np.flatnonzero(direction)
    signs = ["+inf" if direction[j] > 0 else "-inf" for j in diverging]
    named = ", ".join(f"{names[j]} → {s}" for j, s in zip(diverging, signs, strict=True))
    warn(
        f"Monotone likelihood: the partial likelihood keeps increasing as the coefficients "
        f"{[names[j] for j in diverging]} diverge ({named}): the events' values of these "
        "features are the most extreme in every risk set they meet, so the maximum partial "
        "likelihood estimate does not exist. The fit is reported with converged_=False and "
        "nan standard errors for them. Possible remedies: bias_reduction='firth' (Firth's "
        "penalised partial likelihood, whose estimates are finite), remove or coarsen these "
        "features, or set alpha > 0 (an L2 penalty on the coefficients).",
        PerfectSeparationWarning,
    )
    return diverging
