"""Harrell's concordance index, as scikit-survival's ``concordance_index_censored``.

A pair (i, j) is comparable when i has an event and j a later time, or j is
censored at i's time (it was at risk longer). It is concordant when i's risk
score is the higher, by more than ``tied_tol``, and counts ½ when the two are
within ``tied_tol`` (a tie in risk). With frequency weights a pair counts
``w_i w_j``, as the pairs of the data with each row repeated.

Sorted by time, with the events of a tied time before its censored rows, the
rows comparable with event i are a suffix of the order. The weighted counts
of the scores below a bound in every suffix are read from a merge-sort tree:
at each level the sorted keys of its blocks, one ``searchsorted`` for all the
queries (the suffix's complement, a prefix, is a union of one block per level):
O(n log² n) in all.
"""

import numpy as np


def _prefix_weights(values, weights, starts, bounds):
    """Return Σ w over the first ``starts[q]`` rows with ``values < bounds[q]``, per query.

    ``values`` are integer ranks in ``0, …, n − 1`` and ``bounds`` integers.
    """
    n = values.size
    out = np.zeros(starts.size)
    level = 0
    while (1 << level) <= n:
        take = (starts >> level) & 1 == 1  # the prefix includes block (start >> level) - 1
        if take.any():
            block = np.arange(n) >> level
            keys = block * n + values
            order = np.argsort(keys, kind="stable")
            cumulative = np.r_[0.0, np.cumsum(weights[order])]
            sorted_keys = keys[order]
            target = (starts[take] >> level) - 1
            low = np.searchsorted(sorted_keys, target * n, side="left")
            high = np.searchsorted(sorted_keys, target * n + bounds[take], side="left")
            out[take] += cumulative[high] - cumulative[low]
        level += 1
    return out


def concordance_index(time, event, estimate, weights=None, tied_tol=1e-8):
    """Return Harrell's C, and the weighted counts of concordant, discordant and tied pairs.

    Parameters
    ----------
    time, event : ndarray of shape (n,)
        Times and 0/1 events.
    estimate : ndarray of shape (n,)
        Risk scores: a higher score predicts an earlier event.
    weights : ndarray of shape (n,), default=None
        Frequency weights.
    tied_tol : float, default=1e-8
        Scores within this distance are a tie (scikit-survival's default).

    Returns
    -------
    cindex : float
        ``(concordant + ½ tied) / comparable``.
    concordant, discordant, tied : float
        The weighted numbers of such pairs.
    """
    n = time.size
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    order = np.lexsort((1 - event, time))
    t, d, s, w = time[order], event[order] == 1, estimate[order], weights[order]
    # The rows comparable with an event start after the last event of its time.
    block = np.cumsum(np.r_[True, t[1:] != t[:-1]]) - 1
    last_event = np.full(block[-1] + 1, -1)
    np.maximum.at(last_event, block, np.where(d, np.arange(n), -1))
    start = last_event[block] + 1
    ranks = np.empty(n, dtype=np.int64)
    sorted_scores = np.sort(s)
    ranks[np.argsort(s, kind="stable")] = np.arange(n)
    events = np.flatnonzero(d)
    queries = start[events]
    below = np.searchsorted(sorted_scores, s[events] - tied_tol, side="left")
    within = np.searchsorted(sorted_scores, s[events] + tied_tol, side="right")
    total = w.sum()
    # Σ w over rows j ≥ start with rank < bound = Σ over all − Σ over the prefix.
    cumulative = np.r_[0.0, np.cumsum(w[np.argsort(ranks)])]
    everything = np.concatenate([queries, queries])
    bounds = np.concatenate([below, within])
    prefix = _prefix_weights(ranks, w, everything, bounds)
    suffix_below = cumulative[below] - prefix[: events.size]
    suffix_within = cumulative[within] - prefix[events.size :]
    comparable_w = total - np.r_[0.0, np.cumsum(w)][queries]
    we = w[events]
    concordant = float(we @ suffix_below)
    tied = float(we @ (suffix_within - suffix_below))
    comparable = float(we @ comparable_w)
    discordant = comparable - concordant - tied
    if comparable == 0:
        raise ValueError(
            "There are no comparable pairs (no event is followed by a later time), so the "
            "concordance index is not defined."
        )
    return (concordant + 0.5 * tied) / comparable, concordant, discordant, tied


def stratified_concordance(time, event, estimate, weights, strata):
    """Harrell's C over the pairs within each stratum (R's ``concordance`` of a stratified fit).

    nan when no stratum has a comparable pair.
    """
    concordant = tied = comparable = 0.0
    for s in np.unique(strata):
        rows = strata == s
        try:
            _, c, d, t = concordance_index(time[rows], event[rows], estimate[rows], weights[rows])
        except ValueError:  # no comparable pair in this stratum
            continue
        concordant, tied, comparable = concordant + c, tied + t, comparable + c + d + t
    return (concordant + 0.5 * tied) / comparable if comparable else np.nan
