"""The risk sets of a sample, as runs of rows sorted by stratum and decreasing time.

Sorted so, the risk set of a time t in its stratum (the rows with time ≥ t)
is a prefix of the stratum's rows, ending at the last row of t's block of
tied times: every sum over a risk set is a cumulative sum read at a block's
end, O(n) for all of them, and every per-row sum over the risk sets a row
belongs to is a cumulative sum over the blocks in the other direction.
"""

import numpy as np
import scipy.sparse as sp


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
    deaths : ndarray of shape (G,)
        Σ w over each group's events (the weighted number of deaths).
    """

    def __init__(self, time, event, weights, strata):
        self.order = np.lexsort((-time, strata))
        t, s = time[self.order], strata[self.order]
        self.time, self.stratum, self.event = t, s, event[self.order]
        self.weights = weights[self.order]
        n = t.size
        new_block = np.ones(n, dtype=bool)
        new_block[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
        self.block = np.cumsum(new_block) - 1
        starts = np.flatnonzero(new_block)
        ends = np.r_[starts[1:], n]
        self.n_blocks = starts.size
        weighted = np.bincount(self.block, self.weights * self.event, minlength=self.n_blocks)
        has_event = np.bincount(self.block, self.event, minlength=self.n_blocks) > 0
        self.group_of_block = np.full(self.n_blocks, -1)
        self.group_of_block[has_event] = np.arange(int(has_event.sum()))
        self.group_end = ends[has_event]
        self.group_time = t[starts[has_event]]
        self.group_stratum = s[starts[has_event]]
        self.deaths = weighted[has_event]
        self.events = np.flatnonzero(self.event == 1)
        self.event_group = self.group_of_block[self.block[self.events]]
        self._event_starts = np.flatnonzero(np.r_[True, np.diff(self.event_group) != 0])
        # The sparse block and event-group indicators of weighted_sums.
        self._rows = np.arange(n)
        self._block_indptr = np.r_[starts, n]
        self._event_rows = np.arange(self.events.size)
        self._event_indptr = np.r_[self._event_starts, self.events.size]
        cuts = np.flatnonzero(np.diff(s)) + 1
        bounds = np.r_[0, cuts, n]
        self.stratum_bounds = list(zip(bounds[:-1], bounds[1:], strict=True))
        self._stratum_blocks = [
            (self.block[a], self.block[b - 1] + 1) for a, b in self.stratum_bounds
        ]
        group_bounds = np.searchsorted(self.group_end, bounds, side="right")
        self.group_bounds = list(zip(group_bounds[:-1], group_bounds[1:], strict=True))

    @property
    def n_groups(self):
        return self.group_end.size

    def risk_sums(self, values):
        """Return the sums of ``values`` (sorted rows, shape (n,)) over each group's risk set."""
        out = np.empty(self.n_groups)
        for (start, stop), (g0, g1) in zip(self.stratum_bounds, self.group_bounds, strict=True):
            if g1 > g0:
                cumulative = np.cumsum(values[start:stop], axis=0)
                out[g0:g1] = cumulative[self.group_end[g0:g1] - start - 1]
        return out

    def weighted_sums(self, r, X, X_events):
        """Return ``Σ_R r x`` and ``Σ_D r x`` of each group, shape (G, k) each.

        The rows' ``r x`` are summed per block of tied times by one sparse
        product (no n × k temporary), then cumulated over the blocks of each
        stratum; ``X`` and ``X_events`` (the events' rows) are C-ordered.
        """
        n = r.size
        by_block = sp.csr_matrix((r, self._rows, self._block_indptr), shape=(self.n_blocks, n))
        block_sums = by_block @ X
        for first, last in self._stratum_blocks:
            np.cumsum(block_sums[first:last], axis=0, out=block_sums[first:last])
        ev = r[self.events]
        by_group = sp.csr_matrix(
            (ev, self._event_rows, self._event_indptr), shape=(self.n_groups, ev.size)
        )
        return block_sums[self.group_of_block >= 0], by_group @ X_events

    def event_sums(self, values):
        """Return the sums of ``values`` (shape (n_events,) or (n_events, m)) over each group."""
        return np.add.reduceat(values, self._event_starts, axis=0)

    def accumulated(self, per_group, per_block=False):
        """Return, per sorted row, Σ over the groups of its stratum at or before its time.

        ``per_group`` has shape (G,) or (G, m): the sums over the risk sets a
        row belongs to (the groups whose time is at most the row's own). With
        ``per_block``, one value per block of tied times instead of per row.
        """
        per_group = np.asarray(per_group, dtype=float)
        by_block = np.zeros((self.n_blocks,) + per_group.shape[1:])
        by_block[self.group_of_block >= 0] = per_group
        # Blocks run in decreasing time within a stratum: sum from each
        # stratum's last block back to its first.
        out = np.empty_like(by_block)
        for first, last in self._stratum_blocks:
            out[first:last] = np.cumsum(by_block[first:last][::-1], axis=0)[::-1]
        return out if per_block else out[self.block]
