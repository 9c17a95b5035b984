"""The risk sets of a sample, as runs of rows sorted by stratum and decreasing time.

Sorted so, the risk set of a time t in its stratum (the rows with time ≥ t)
is a prefix of the stratum's rows, ending at the last row of t's block of
tied times: every sum over a risk set is a cumulative sum read at a block's
end, O(n) for all of them, and every per-row sum over the risk sets a row
belongs to is a cumulative sum over the blocks in the other direction. The
rows themselves stay as given: the sums of ``r x`` are sparse products whose
columns are those rows, and the Gram products (``centred_gram``) run over
chunks of them, with weights of the sorted rows.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk


class RiskSets:
    """The order of the rows, their blocks of tied times and the event groups.

    Parameters
    ----------
    time, event, weights : ndarray of shape (n,)
        Times, 0/1 events and positive weights.
    strata : ndarray of int of shape (n,)
        Stratum codes ``0, …, S − 1``.

    Attributes
    ----------
    order : ndarray of int of shape (n,)
        The rows in stratum order, times decreasing within a stratum.
    stratum_bounds : list of (int, int)
        The run of each stratum in the sorted rows.
    block : ndarray of int of shape (n,)
        The block of tied (stratum, time) of each sorted row.
    group_end : ndarray of int of shape (G,)
        One past the last sorted row of each event group (a block with an
        event): its risk set is the stratum's rows before it.
    group_of_block : ndarray of int of shape (n_blocks,)
        The event group of each block, −1 for a block without events.
    events : ndarray of int
        The sorted positions of the events, grouped by event group.
    event_group : ndarray of int
        The event group of each of ``events``.
    rank : ndarray of int of shape (n,)
        The sorted position of each row as given (``rank[order] = 0, …, n − 1``).
    event_rows : ndarray of int
        The events' rows in the data as given, increasing.
    deaths : ndarray of shape (G,)
        Σ w over each group's events (the weighted number of deaths).
    """

    def __init__(self, time, event, weights, strata):
        n = time.size
        index = np.int32 if n < 2**31 else np.int64
        self.order = np.lexsort((-time, strata)).astype(index)
        t, s = time[self.order], strata[self.order].astype(index)
        self.time, self.stratum, self.event = t, s, event[self.order]
        self.weights = weights[self.order]
        # The sorted position of each row as given.
        self.rank = np.empty(n, dtype=index)
        self.rank[self.order] = np.arange(n, dtype=index)
        new_block = np.ones(n, dtype=bool)
        new_block[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
        self.block = np.cumsum(new_block, dtype=index)
        self.block -= 1
        starts = np.flatnonzero(new_block)
        ends = np.r_[starts[1:], n]
        self.n_blocks = starts.size
        weighted = np.bincount(self.block, self.weights * self.event, minlength=self.n_blocks)
        has_event = np.bincount(self.block, self.event, minlength=self.n_blocks) > 0
        self.group_of_block = np.full(self.n_blocks, -1, dtype=index)
        self.group_of_block[has_event] = np.arange(int(has_event.sum()), dtype=index)
        self.group_end = ends[has_event]
        self.group_time = t[starts[has_event]]
        self.group_stratum = s[starts[has_event]]
        self.deaths = weighted[has_event]
        self.events = np.flatnonzero(self.event == 1).astype(index)
        self.event_group = self.group_of_block[self.block[self.events]]
        self._event_starts = np.flatnonzero(np.r_[True, np.diff(self.event_group) != 0])
        cuts = np.flatnonzero(np.diff(s)) + 1
        bounds = np.r_[0, cuts, n]
        self.stratum_bounds = list(zip(bounds[:-1], bounds[1:], strict=True))
        self._stratum_blocks = [
            (self.block[a], self.block[b - 1] + 1) for a, b in self.stratum_bounds
        ]
        group_bounds = np.searchsorted(self.group_end, bounds, side="right")
        self.group_bounds = list(zip(group_bounds[:-1], group_bounds[1:], strict=True))
        # The first group at or after each block (at or before its time) in its
        # stratum, G when none: the row of ``reverse_cumulative``'s table.
        group_blocks = np.flatnonzero(has_event)
        first = np.searchsorted(group_blocks, np.arange(self.n_blocks))
        inside = first < self.n_groups
        inside[inside] = self.group_stratum[first[inside]] == s[starts][inside]
        self.first_group = np.where(inside, first, self.n_groups).astype(index)
        self._indicators(n, index)

    def _indicators(self, n, index):
        """The sparse indicators of :meth:`weighted_sums`, by columns.

        Column j is row j of the data as given (not sorted): an entry at the
        first group at or after its block (the earliest risk set it is in; G,
        a row left out, when it is in none) and, for an event, one at
        ``G + 1`` + its group.
        """
        event_of_row = self.event[self.rank] == 1
        self.event_rows = np.flatnonzero(event_of_row).astype(index)
        self._column_starts = np.zeros(n + 1, dtype=index)
        np.cumsum(1 + event_of_row, out=self._column_starts[1:])
        first = self._column_starts[:-1]
        self._second = first[self.event_rows] + 1
        self._entries = np.empty(self._column_starts[-1], dtype=index)
        self._entries[first] = self.first_group[self.block[self.rank]]
        self._entries[self._second] = (
            self.n_groups
            + 1
            + self.event_group[np.searchsorted(self.events, self.rank[self.event_rows])]
        )

    @property
    def n_groups(self):
        return self.group_end.size

    def given_order(self, values):
        """``values`` of the sorted rows, shape (n,), in the order of the rows as given."""
        out = np.empty_like(values)
        out[self.order] = values
        return out

    def risk_sums(self, values):
        """Return the sums of ``values`` (sorted rows, shape (n,)) over each group's risk set."""
        out = np.empty(self.n_groups)
        for (start, stop), (g0, g1) in zip(self.stratum_bounds, self.group_bounds, strict=True):
            if g1 > g0:
                cumulative = np.cumsum(values[start:stop], axis=0)
                out[g0:g1] = cumulative[self.group_end[g0:g1] - start - 1]
        return out

    def weighted_sums(self, r, X):
        """Return ``Σ_R r x`` and ``Σ_D r x`` of each group, shape (G, k) each (views).

        ``r`` and ``X`` are in the order of the rows as given (not sorted): the
        rows' ``r x`` are summed per earliest risk set and per event group by
        one sparse product that reads X once, in its own order (no n × k
        temporary), and the first sums cumulated over the groups of each stratum.
        """
        data = np.empty(self._entries.size)
        data[self._column_starts[:-1]] = r
        data[self._second] = r[self.event_rows]
        G = self.n_groups
        shape = (2 * G + 1, r.size)
        sums = sp.csc_matrix((data, self._entries, self._column_starts), shape=shape) @ X
        for g0, g1 in self.group_bounds:
            np.cumsum(sums[g0:g1], axis=0, out=sums[g0:g1])
        return sums[:G], sums[G + 1 :]

    def event_sums(self, values):
        """Return the sums of ``values`` (shape (n_events,) or (n_events, m)) over each group."""
        return np.add.reduceat(values, self._event_starts, axis=0)

    def accumulated(self, per_group):
        """Return, per sorted row, Σ over the groups of its stratum at or before its time.

        ``per_group`` has shape (G,): the sums over the risk sets a row belongs
        to (the groups whose time is at most the row's own).
        """
        by_block = np.zeros(self.n_blocks)
        by_block[self.group_of_block >= 0] = per_group
        # Blocks run in decreasing time within a stratum: sum from each
        # stratum's last block back to its first.
        out = np.empty_like(by_block)
        for first, last in self._stratum_blocks:
            out[first:last] = np.cumsum(by_block[first:last][::-1])[::-1]
        return out[self.block]

    def reverse_cumulative(self, table):
        """Turn ``table`` (G + 1, m), last row 0, into the sums ``T[first_group[b]]`` of block b.

        In place: ``T[g]`` sums the rows of group g and the later groups of its
        stratum (the earlier times); ``T[G]`` stays 0, for the blocks before
        every group of their stratum. Row i's sum over the groups at or before
        its time is ``T[first_group[block[i]]]``: a gather from a (G + 1) × m
        table, not an n × m array.
        """
        for g0, g1 in self.group_bounds:
            np.cumsum(table[g0:g1][::-1], axis=0, out=table[g0:g1][::-1])
        return table


def gram_block(rows, w):
    """The upper triangle of ``rowsᵀ diag(w) rows`` for w ≥ 0 (rows scaled in place)."""
    rows *= np.sqrt(w)[:, None]
    return dsyrk(1.0, rows.T, trans=0, lower=0)


def symmetric(upper):
    """The symmetric matrix of an upper triangle."""
    return np.triu(upper) + np.triu(upper, 1).T


def centred_gram(X, center, w, chunk_rows, rank):
    """``Σ_i w_i (x_i − c)(x_i − c)ᵀ`` by chunks of rows (w of either sign).

    ``w`` is in the sorted order: row i's is ``w[rank[i]]``. Signed weights are
    two rank-k updates, of the positive and of the negative part (``syrk``,
    which, unlike a general product of these shapes, runs on one thread).
    """
    k = X.shape[1]
    out = np.zeros((k, k))
    signed = not bool(np.all(w >= 0))
    for start in range(0, X.shape[0], chunk_rows):
        part = slice(start, start + chunk_rows)
        rows = np.subtract(X[part], center)
        weights = w[rank[part]]
        if signed:
            out -= gram_block(rows.copy(), np.maximum(-weights, 0.0))
            weights = np.maximum(weights, 0.0)
        out += gram_block(rows, weights)
    return symmetric(out)
