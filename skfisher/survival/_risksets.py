"""The risk sets of a sample, as runs of rows sorted by stratum and decreasing time.

Sorted so, the risk set of a time t in its stratum (the rows with time ≥ t)
is a prefix of the stratum's rows, ending at the last row of t's block of
tied times: every sum over a risk set is a cumulative sum read at a block's
end, O(n) for all of them, and every per-row sum over the risk sets a row
belongs to is a cumulative sum over the blocks in the other direction. The
rows themselves stay as given: the sums of ``r x`` are sparse products whose
columns are those rows, and the Gram products (``centred_gram``) run over
chunks of them, with weights of the sorted rows.

Rows at risk over (start, stop] (counting-process data, :class:`CountingRiskSets`)
are sorted by stop: the risk set of t, the rows with start < t ≤ stop, is the
prefix of the rows with stop ≥ t less the rows with start ≥ t. In the groups'
order (time decreasing) a row is at risk from the first group at or before its
stop up to, not including, the first group at or before its start (its exit
group): each sum over the risk sets is the plain one less the same cumulated
sum of the rows entered at their exit groups, and each per-row sum over the
groups a row is at risk in is the reverse-cumulative value at its first group
less that at its exit group.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk

# A column whose weighted mean is beyond this many times its range is centred in
# a copy of X (see centring).
_OFFSET = 100.0


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

    start = None  # the sorted rows' start times, for counting-process data

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

    def _leading_entries(self):
        """The groups of each sorted row's entries of r before its event's, with their signs."""
        return [(self.first_group[self.block], 1.0)]

    def _indicators(self, n, index):
        """The sparse indicators of :meth:`weighted_sums`, by columns.

        Column j is row j of the data as given (not sorted): an entry at the
        first group at or after its block (the earliest risk set it is in; G,
        a row left out, when it is in none), the entries of
        :meth:`_leading_entries` after it, and, for an event, one at
        ``G + 1`` + its group.
        """
        leading = self._leading_entries()
        event_of_row = self.event[self.rank] == 1
        self.event_rows = np.flatnonzero(event_of_row).astype(index)
        self._column_starts = np.zeros(n + 1, dtype=index)
        np.cumsum(len(leading) + event_of_row, out=self._column_starts[1:])
        first = self._column_starts[:-1]
        self._second = first[self.event_rows] + len(leading)
        self._entries = np.empty(self._column_starts[-1], dtype=index)
        self._signs = [sign for _, sign in leading]
        for j, (groups, _) in enumerate(leading):
            self._entries[first + j] = groups[self.rank]
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
        first = self._column_starts[:-1]
        for j, sign in enumerate(self._signs):
            data[first + j] = r if sign > 0 else -r
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

    def gather(self, table, rows):
        """The sums of the groups each of ``rows`` (sorted positions) is at risk in.

        ``table`` is a table of :meth:`reverse_cumulative`, shape (G + 1, m).
        """
        return table[self.first_group[self.block[rows]]]


class CountingRiskSets(RiskSets):
    """The risk sets of rows at risk over (start, stop]: those with start < t ≤ stop.

    Parameters
    ----------
    start, stop, event, weights : ndarray of shape (n,)
        The intervals (start < stop), 0/1 events at stop and positive weights.
    strata : ndarray of int of shape (n,)
        Stratum codes ``0, …, S − 1``.

    Attributes
    ----------
    start : ndarray of shape (n,)
        The sorted rows' start times (``time`` holds their stops).
    exit_group : ndarray of int of shape (n,)
        The first group of each sorted row's stratum at or before its start (G
        when there is none): the row is at risk in the groups from
        ``first_group[block]`` up to it.
    """

    def __init__(self, start, stop, event, weights, strata):
        self._given_start = start
        super().__init__(stop, event, weights, strata)

    def _indicators(self, n, index):
        # The last step of RiskSets.__init__: the groups are known.
        self.start = self._given_start[self.order]
        del self._given_start
        self.exit_group = np.full(n, self.n_groups, dtype=index)
        for (a, b), (g0, g1) in zip(self.stratum_bounds, self.group_bounds, strict=True):
            # The groups run in decreasing time: the first with t_g ≤ start.
            at = g0 + np.searchsorted(-self.group_time[g0:g1], -self.start[a:b], side="left")
            self.exit_group[a:b] = np.where(at < g1, at, self.n_groups)
        super()._indicators(n, index)

    def _leading_entries(self):
        return [*super()._leading_entries(), (self.exit_group, -1.0)]

    def risk_sums(self, values):
        out = super().risk_sums(values)
        exits = np.bincount(self.exit_group, values, minlength=self.n_groups + 1)
        for g0, g1 in self.group_bounds:
            out[g0:g1] -= np.cumsum(exits[g0:g1])
        return out

    def accumulated(self, per_group):
        table = np.zeros((self.n_groups + 1, 1))
        table[:-1, 0] = per_group
        table = self.reverse_cumulative(table)[:, 0]
        return table[self.first_group[self.block]] - table[self.exit_group]

    def gather(self, table, rows):
        return super().gather(table, rows) - table[self.exit_group[rows]]

    def row_groups(self):
        """``(first, last)``: each sorted row is at risk in the groups ``first ≤ g < last``."""
        sizes = [b - a for a, b in self.stratum_bounds]
        stratum_end = np.repeat([g1 for _, g1 in self.group_bounds], sizes)
        first = np.minimum(self.first_group[self.block], stratum_end)
        last = np.where(self.exit_group < self.n_groups, self.exit_group, stratum_end)
        return first, np.maximum(last, first)


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


def centring(X, weights):
    """Return ``(data, center)``: X as given and its weighted means, or X centred and zeros.

    The sums over the risk sets take ``Σ r x − x̄ Σ r``, which loses ``log10(|x̄|/range)``
    digits; a column whose mean is beyond ``_OFFSET`` times its range is
    centred first, in a copy of X (the copy-free path keeps 13 digits). A
    constant column is centred at its value, to exact zeros.
    """
    span = np.ptp(X, axis=0)
    center = (weights @ X) / weights.sum()
    constant = span == 0
    center[constant] = X[0, constant]
    if np.any((np.abs(center) > _OFFSET * span) & ~constant):
        return X - center, np.zeros(X.shape[1])
    return X, center
