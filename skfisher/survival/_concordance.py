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

With counting-process data, each row at risk over (start, stop], an event at
t is compared with the rows at risk at t (start < t), of a later stop or
censored at t: R's ``concordance`` (its C routine ``concordance6``, which
takes out of the comparable rows those whose start is at or after each event
time). Those rows are all in the event's suffix; the same counts over the
rows sorted by start, whose rows starting at or after t are a suffix too, are
subtracted.
"""

import numpy as np


def _prefix_weights(values, weights, starts, bounds):
    """Return Σ w over the first ``starts[q]`` rows with ``values < bounds[q]``, per query.

    ``values`` are integer ranks in ``0, …, n − 1`` and ``bounds`` integers. At
    level L the rows are sorted by (position >> L, value): each block of 2^L
    rows keeps its place, sorted within, so a block starts at its own index
    times 2^L, and the order of one level is a merge of the previous one's
    runs (a stable sort of runs, linear).
    """
    n = values.size
    out = np.zeros(starts.size)
    positions = np.arange(n)
    order = positions
    level = 0
    while (1 << level) <= n:
        keys = (positions >> level) * n + values
        if level:
            order = order[np.argsort(keys[order], kind="stable")]
        take = (starts >> level) & 1 == 1  # the prefix includes block (start >> level) - 1
        if take.any():
            cumulative = np.r_[0.0, np.cumsum(weights[order])]
            target = (starts[take] >> level) - 1
            high = np.searchsorted(keys[order], target * n + bounds[take], side="left")
            out[take] += cumulative[high] - cumulative[target << level]
        level += 1
    return out


def _suffix_counts(order, begin, end, events, ranks, weights, below, within):
    """Σ w over the rows ``order[begin[q]:end[q]]`` with scores below and within the q-th bounds.

    ``ranks`` and ``weights`` are of the rows as given, ``order`` a permutation of
    them; returns the sums below ``below[q]``, below ``within[q]`` (ranks) and all.
    """
    m = events.size
    prefix = _prefix_weights(
        ranks[order],
        weights[order],
        np.concatenate([end, end, begin, begin]),
        np.concatenate([below, within, below, within]),
    )
    cumulative = np.r_[0.0, np.cumsum(weights[order])]
    return (
        prefix[:m] - prefix[2 * m : 3 * m],
        prefix[m : 2 * m] - prefix[3 * m :],
        cumulative[end] - cumulative[begin],
    )


def _started(start, strata, event_time, event_stratum):
    """The rows by (stratum, start) and the run of each event's stratum with start ≥ its time."""
    order = np.lexsort((start, strata))
    s, g = start[order], strata[order]
    bounds = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1, g.size]
    codes = g[bounds[:-1]]
    where = np.searchsorted(codes, event_stratum)
    begin = np.empty(event_time.size, dtype=np.int64)
    for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        rows = where == j
        begin[rows] = a + np.searchsorted(s[a:b], event_time[rows], side="left")
    return order, begin, bounds[1:][where]


def pair_counts(time, event, estimate, weights=None, strata=None, tied_tol=1e-8, start=None):
    """Return the weighted numbers of concordant, discordant and tied comparable pairs.

    Parameters
    ----------
    time, event : ndarray of shape (n,)
        Times and 0/1 events.
    estimate : ndarray of shape (n,)
        Risk scores: a higher score predicts an earlier event.
    weights : ndarray of shape (n,), default=None
        Frequency weights.
    strata : ndarray of int of shape (n,), default=None
        Pairs are compared within a stratum only (R's ``concordance`` of a
        stratified fit).
    tied_tol : float, default=1e-8
        Scores within this distance are a tie (scikit-survival's default).
    start : ndarray of shape (n,), default=None
        Counting-process data, each row at risk over (start, time]: an event at
        t is compared with the rows at risk at t, ``start < t``, a later time or
        censored at t (R's ``concordance`` of ``Surv(start, stop, event)``).

    Returns
    -------
    concordant, discordant, tied : float
    """
    n = time.size
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    strata = np.zeros(n, dtype=np.intp) if strata is None else strata
    order = np.lexsort((1 - event, time, strata))
    t, d, g = time[order], event[order] == 1, strata[order]
    # The rows comparable with an event run from after the last event of its
    # time to the end of its stratum.
    new_stratum = np.r_[True, g[1:] != g[:-1]]
    block = np.cumsum(new_stratum | np.r_[True, t[1:] != t[:-1]]) - 1
    last_event = np.full(block[-1] + 1, -1)
    np.maximum.at(last_event, block, np.where(d, np.arange(n), -1))
    stratum_end = np.r_[np.flatnonzero(new_stratum)[1:], n]
    events = np.flatnonzero(d)
    begin = last_event[block[events]] + 1
    end = stratum_end[np.cumsum(new_stratum)[events] - 1]
    # The ranks of the scores, ties in the time order, kept by row.
    ranks = np.empty(n, dtype=np.int64)
    ranks[order[np.argsort(estimate[order], kind="stable")]] = np.arange(n)
    sorted_scores = np.sort(estimate)
    scores = estimate[order[events]]
    below = np.searchsorted(sorted_scores, scores - tied_tol, side="left")
    within = np.searchsorted(sorted_scores, scores + tied_tol, side="right")
    bounds = (ranks, weights, below, within)
    lower, close, comparable = _suffix_counts(order, begin, end, events, *bounds)
    if start is not None:
        # Less the rows that start at or after the event (all later in time).
        started = _started(start, strata, t[events], g[events])
        gone = _suffix_counts(*started, events, *bounds)
        lower, close, comparable = lower - gone[0], close - gone[1], comparable - gone[2]
    we = weights[order[events]]
    concordant = float(we @ lower)
    tied = float(we @ (close - lower))
    comparable = float(we @ comparable)
    return concordant, comparable - concordant - tied, tied


def concordance_index(time, event, estimate, weights=None, strata=None, tied_tol=1e-8, start=None):
    """Return Harrell's C, ``(concordant + ½ tied) / comparable`` (see :func:`pair_counts`).

    Raises ``ValueError`` when no pair is comparable.
    """
    concordant, discordant, tied = pair_counts(
        time, event, estimate, weights, strata, tied_tol, start
    )
    comparable = concordant + discordant + tied
    if comparable == 0:
        raise ValueError(
            "There are no comparable pairs (no event is followed by a later time), so the "
            "concordance index is not defined."
        )
    return (concordant + 0.5 * tied) / comparable
