"""Cox's log partial likelihood as a :class:`~skfisher._scoring.ScoringProblem`.

For an event group g (the events of one time in one stratum), with the risk
set R_g (the stratum's rows with time ≥ t_g), its events D_g, weights w,
``r_i = w_i exp(x_iᵀβ)`` and the sums

    S0 = Σ_R r,  S1 = Σ_R r x,  S2 = Σ_R r x xᵀ,   E0, E1, E2 the same over D_g,

the group adds ``Σ_D w η − Σ_j c_j log(S0 − f_j E0)`` to the log partial
likelihood. Breslow's approximation has the one term ``c = d, f = 0`` with
``d = Σ_D w``; Efron's the terms ``j = 0, …, ⌈d⌉ − 1`` with ``f_j = j/d`` and
``c_j = min(1, d − j)``: for integer weights exactly the terms of the data with
each row repeated ``w`` times (frequency weights), and a fractional last term
between integers, so that each term is the log of a positive combination of
``exp(η)`` and the likelihood stays concave.

With ``q_j = 1 − f_j E0/S0``, ``x̄ = S1/S0``, ``ē = E1/S0`` and the moments
``a_pm = Σ_j c_j f_j^m / q_j^p``, the group's score is ``Σ_D w x − (a10 x̄ − a11 ē)``
and its negative Hessian

    (a10 S2 − a11 E2)/S0 − a20 x̄x̄ᵀ + a21 (x̄ēᵀ + ēx̄ᵀ) − a22 ēēᵀ.

Summed over the groups, the S2 and E2 parts are one weighted Gram product
``Xᵀ diag(v) X`` with ``v_i = r_i (Λ_i − δ_i a11/S0)``, where ``Λ_i`` sums the
hazard increments ``h_g = a10/S0`` of the groups at or before row i's time;
the rest is two Gram products over the G groups (the 2 × 2 Cholesky factor of
each group's moments). Everything is O(n k²) (no n × n matrix); Efron's terms,
``Σ ⌈d⌉`` of them, enter only the moments, in chunks of bounded size. X itself
is not copied: the sums over the risk sets are sparse products with the rows
as given, and the Gram products and the score residuals run over chunks of
them, each centred at the weighted means.

The score residuals (Therneau's; R's ``residuals(fit, "score")``) split the
score into rows, ``U = Σ w_i s_i``:

    s_i = δ_i (x_i − x̃_g) − e^{η_i} (x_i Λ_i − Ψ_i) + δ_i e^{η_i} (x_i a11/S0 − φ_g),

with ``x̃ = (a10 x̄ − a11 ē)/d``, ``Ψ_i`` the sum over the same groups of
``ψ = (a20 x̄ − a21 ē)/S0`` and ``φ = (a21 x̄ − a22 ē)/S0`` (the events' own share of
their group's risk under Efron). X is centred and η shifted by its maximum in
each stratum, which changes none of these quantities.

With counting-process data, each row at risk over (start, stop], the risk set
of t holds the rows with start < t ≤ stop (R's ``coxph(Surv(start, stop,
event) ~ …)``): the same formulas with ``Λ_i`` and ``Ψ_i`` summed over the
groups whose time is in (start_i, stop_i] (:class:`CountingRiskSets`).
"""

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .._scoring import ScoringProblem
from ._risksets import CountingRiskSets, RiskSets, centred_gram, centring, gram_block, symmetric

_RISK_FLOOR = 1e-100
# The chunks of rows of the Gram products and the score residuals hold about this
# many values (256 KiB), whatever the number of features.
_CHUNK_VALUES = 1 << 15
# Efron's terms are generated in chunks of this many, so that frequency weights
# in the thousands (⌈d⌉ terms per tied time) need no more memory than unit ones.
_TERM_CHUNK = 1 << 20


class Terms:
    """The terms ``(group, c, f)`` of every group's sum, in chunks of bounded size.

    Breslow's: one term per group, ``c = d``, ``f = 0``. Efron's: ``j = 0, …, ⌈d⌉ − 1``
    with ``c_j = min(1, d − j)`` and ``f_j = j/d``. A c or f that is the same for
    every term of a chunk is a scalar.
    """

    def __init__(self, deaths, ties):
        self.deaths = deaths
        self.breslow = ties == "breslow"
        counts = np.ones(deaths.size) if self.breslow else np.maximum(np.ceil(deaths), 1)
        self.ends = np.cumsum(counts)
        self.total = int(self.ends[-1]) if deaths.size else 0
        self._first = self._chunk(0, min(self.total, _TERM_CHUNK))

    def _chunk(self, start, stop):
        index = np.arange(start, stop, dtype=float)
        group = np.searchsorted(self.ends, index, side="right").astype(np.int32)
        if self.breslow:
            return group, self.deaths[group], 0.0
        d = self.deaths[group]
        j = index - (self.ends[group] - np.maximum(np.ceil(d), 1))
        c = np.minimum(1.0, d - j)
        # c is 1 but for a fractional last term: kept as a scalar then.
        return group, (1.0 if np.all(c == 1.0) else c), j / d

    def __iter__(self):
        yield self._first
        for start in range(_TERM_CHUNK, self.total, _TERM_CHUNK):
            yield self._chunk(start, min(start + _TERM_CHUNK, self.total))


class CoxState:
    """The sums of the model at one β, computed when first asked for."""

    def __init__(self, problem, beta):
        self.problem = problem
        risk = problem.risk
        eta = problem.linear_predictor(beta)
        self.shift = np.array([eta[start:stop].max() for start, stop in risk.stratum_bounds])
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            eta -= self.shift[risk.stratum]
            self.event_eta = float(risk.weights[risk.events] @ eta[risk.events])
            # r = w exp(η), in η's array (exp(η) is r/w where needed).
            self.r = np.exp(eta, out=eta)
            self.r *= risk.weights
            self.S0 = risk.risk_sums(self.r)
            self.E0 = risk.event_sums(self.r[risk.events])
            if risk.start is not None:
                # A risk set holds its events, though a sum less the rows gone
                # before it may fall below theirs by rounding.
                np.maximum(self.S0, self.E0, out=self.S0)
            self.rho = np.minimum(self.E0 / self.S0, 1.0)
        # A risk set whose sum is beyond 10^100 below the stratum's largest risk
        # (only along a diverging coefficient) is outside the domain: its
        # hazard increments and their squares would not be finite.
        largest = [self.r[a:b].max() for a, b in risk.stratum_bounds]
        floor = _RISK_FLOOR * np.array(largest)[risk.group_stratum]
        self.finite = bool(np.all(np.isfinite(self.S0)) and np.all(self.S0 >= floor))

    @cached_property
    def means(self):
        """``x̄ = S1/S0`` and ``ē = E1/S0`` of each group (centred x), shape (G, k) each."""
        problem = self.problem
        with np.errstate(over="ignore", invalid="ignore"):
            S1, E1 = problem.risk.weighted_sums(problem.risk.given_order(self.r), problem.data)
            for j, c in enumerate(problem.center):  # column by column: no G × k temporary
                S1[:, j] -= self.S0 * c
                E1[:, j] -= self.E0 * c
            S1 /= self.S0[:, None]
            E1 /= self.S0[:, None]
            return S1, E1

    xbar = property(lambda self: self.means[0], doc="``x̄`` of each group, shape (G, k).")
    ebar = property(lambda self: self.means[1], doc="``ē`` of each group, shape (G, k).")

    @cached_property
    def moments(self):
        """``a10, a11, a20, a21, a22`` and ``Σ_j c_j log q_j`` per group."""
        G = self.S0.size
        out = [np.zeros(G) for _ in range(6)]

        def add(m, part):
            out[m] += np.bincount(group, part, minlength=G)

        with np.errstate(divide="ignore", invalid="ignore"):
            for group, c, f in self.problem.terms:
                # One part at a time, in place: three arrays of the chunk's length.
                q = 1.0 - f * self.rho[group]
                part = c / q
                add(0, part)
                add(1, part * f)
                part /= q
                add(2, part)
                part *= f
                add(3, part)
                part *= f
                add(4, part)
                add(5, np.multiply(c, np.log(q, out=q), out=q))
        return out

    @cached_property
    def hazard(self):
        """The hazard increments ``h_g = a10/S0`` (in the shifted units of η)."""
        return self.moments[0] / self.S0

    @cached_property
    def cumulative(self):
        """``Λ_i``: the increments of the groups at or before each sorted row's time."""
        return self.problem.risk.accumulated(self.hazard)

    def loglik(self):
        risk = self.problem.risk
        if not self.finite:
            return -np.inf
        value = self.event_eta - float(risk.deaths @ np.log(self.S0) + self.moments[5].sum())
        return value if np.isfinite(value) else -np.inf

    def score(self):
        a10, a11 = self.moments[:2]
        return self.problem.event_total - (a10 @ self.xbar - a11 @ self.ebar)

    def group_information(self, omega=None):
        """``Σ_g ω_g I_g`` over the groups' shares ``I_g`` of the negative Hessian (ω = 1: J).

        The S2 and E2 parts are one Gram product of the rows with ``v_i = r_i (Λ_i
        − δ_i a11/S0)`` (the hazard increments and the events' terms weighted by
        ω); the rest ``Σ_g ω_g [x̄ ē] A_g [x̄ ē]ᵀ`` with the positive semi-definite
        ``A_g = [[a20, −a21], [−a21, a22]] = Σ_j c_j/q_j² [1, −f_j]ᵀ[1, −f_j]``: with
        ``A_g = L Lᵀ`` (Cholesky) it is two Gram products over the groups.
        """
        risk = self.problem.risk
        a11, a20, a21, a22 = self.moments[1:5]
        if omega is None:
            v, share = self.r * self.cumulative, a11 / self.S0
        else:
            v, share = self.r * risk.accumulated(omega * self.hazard), omega * a11 / self.S0
        ev = risk.events
        v[ev] -= self.r[ev] * share[risk.event_group]
        out = self.problem.gram(v)
        l11 = np.sqrt(a20)
        l21 = -a21 / l11
        l22 = np.sqrt(np.maximum(a22 - l21**2, 0.0))
        w = np.ones(a20.size) if omega is None else omega
        for g in self.problem.row_chunks(a20.size):
            xbar, ebar = self.xbar[g], self.ebar[g]
            for rows in (xbar * l11[g, None] + ebar * l21[g, None], ebar * l22[g, None]):
                out -= (rows * w[g, None]).T @ rows
        return 0.5 * (out + out.T)

    @cached_property
    def information(self):
        """The negative Hessian (without the penalty); callers copy it."""
        return self.group_information()

    def residual_chunks(self):
        """Yield ``(rows, s)``: the score residuals of runs of rows (``U = Σ w_i s_i``).

        ``s_i = α_i x_i + e_i Ψ_i − δ_i (x̄_g c_i − ē_g c'_i)`` with the per-row
        scalars ``α_i = −e_i Λ_i + δ_i (1 + e_i a11/S0)``, ``c_i = e_i a21/S0 + a10/d``
        and ``c'_i = e_i a22/S0 + a11/d`` (the events' own share ``e_i φ_g + x̃_g``),
        and Ψ_i gathered from the groups' reverse-cumulative table; the runs are
        slices of the rows as given, each a few (m, k) arrays, never (n, k).
        """
        problem = self.problem
        risk = problem.risk
        a10, a11, a20, a21, a22, _ = self.moments
        p11, p21, p22 = a11 / self.S0, a21 / self.S0, a22 / self.S0
        m10, m11 = a10 / risk.deaths, a11 / risk.deaths
        table = np.zeros((a10.size + 1, problem.n_params))  # row G: before every group
        for g in problem.row_chunks(a10.size):
            np.multiply(self.xbar[g], (a20 / self.S0)[g, None], out=table[:-1][g])
            table[:-1][g] -= self.ebar[g] * p21[g, None]
        table = risk.reverse_cumulative(table)
        for part, rows in problem.centred_chunks():
            at = risk.rank[part]
            block, event = risk.block[at], risk.event[at]
            e = self.r[at] / risk.weights[at]
            g = np.where(event == 1, risk.group_of_block[block], 0)
            rows *= (event * (1.0 + e * p11[g]) - e * self.cumulative[at])[:, None]
            drift = risk.gather(table, at)
            drift *= e[:, None]
            rows += drift
            own = self.xbar[g]
            own *= (event * (e * p21[g] + m10[g]))[:, None]
            rows -= own
            own = self.ebar[g]
            own *= (event * (e * p22[g] + m11[g]))[:, None]
            rows += own
            yield part, rows


class CoxProblem(ScoringProblem):
    """The log partial likelihood of a Cox model, θ = β (X kept as given, not copied).

    Parameters
    ----------
    X : ndarray of shape (n, k)
        The features (no intercept: the baseline hazard takes its place).
    time, event, weights : ndarray of shape (n,)
        Times, 0/1 events and positive frequency weights.
    strata : ndarray of int of shape (n,)
        Stratum codes: a baseline hazard for each.
    ties : {"efron", "breslow"}
        The handling of tied event times.
    alpha : float, default=0.0
        The objective is ``ℓ(β) − ½ α Σw ||β||²``.
    start : ndarray of shape (n,), default=None
        Counting-process data: each row is at risk over (start, time].
    """

    def __init__(self, X, time, event, weights, strata, ties, *, alpha=0.0, start=None):
        if start is None:
            self.risk = RiskSets(time, event, weights, strata)
        else:
            self.risk = CountingRiskSets(start, time, event, weights, strata)
        self.chunk_rows = max(256, _CHUNK_VALUES // max(X.shape[1], 1))
        self.data, self.center = centring(X, weights)
        at_events = np.where(event == 1, weights, 0.0)
        self.event_total = sum(at_events[part] @ rows for part, rows in self.centred_chunks())
        self.ties = ties
        self.terms = Terms(self.risk.deaths, ties)
        self.n_params = X.shape[1]
        self.penalty = np.full(self.n_params, alpha * weights.sum())
        self._memo = (None, None)
        self._logliks = {}

    @property
    def X(self):
        """The centred rows in the sorted order: a copy of X made on each access."""
        rows = self.data[self.risk.order]
        rows -= self.center
        return rows

    def linear_predictor(self, beta):
        """``(x − x̄)ᵀβ`` of the sorted rows, a new array."""
        return self.centred_product(beta)[self.risk.order]

    def row_chunks(self, n):
        """The slices of ``chunk_rows`` rows that cover ``n``."""
        return [slice(a, a + self.chunk_rows) for a in range(0, n, self.chunk_rows)]

    def centred_chunks(self):
        """Yield ``(part, x − x̄)`` over runs of the rows as given (no n × k temporary)."""
        for part in self.row_chunks(self.data.shape[0]):
            yield part, np.subtract(self.data[part], self.center)

    def centred_product(self, vector):
        """``(x − x̄)ᵀ v`` of the rows as given, by chunks of rows."""
        out = np.empty(self.data.shape[0])
        for part, rows in self.centred_chunks():
            np.matmul(rows, vector, out=out[part])
        return out

    def gram(self, v):
        """``Σ_i v_i (x_i − x̄)(x_i − x̄)ᵀ`` for ``v`` in the sorted order, by chunks of rows."""
        return centred_gram(self.data, self.center, v, self.chunk_rows, self.risk.rank)

    def state(self, theta):
        """Return the :class:`CoxState` at θ, cached for the last θ."""
        theta = np.asarray(theta, dtype=float)
        key, state = self._memo
        if key != theta.tobytes():
            self._memo = (None, None)  # the last state's arrays go before the next's come
            state = CoxState(self, theta)
            self._memo = (theta.tobytes(), state)
        return state

    def loglik(self, theta):
        if not np.all(np.isfinite(theta)):
            return -np.inf
        # Kept per θ: the fit asks for ℓ(0) again after the loop, whose state is gone.
        key = np.asarray(theta, dtype=float).tobytes()
        if key not in self._logliks:
            if len(self._logliks) >= 8:
                self._logliks.pop(next(iter(self._logliks)))
            self._logliks[key] = self.state(theta).loglik()
        return self._logliks[key]

    def objective(self, theta):
        return self.loglik(theta) - 0.5 * float(self.penalty @ np.square(theta))

    def score(self, theta):
        return self.state(theta).score() - self.penalty * np.asarray(theta, dtype=float)

    def observed_information(self, theta):
        out = self.state(theta).information.copy()
        out[np.diag_indices_from(out)] += self.penalty
        return out

    # For the partial likelihood the loop's information is the negative Hessian.
    information = observed_information

    def score_information(self, theta):
        return self.score(theta), self.observed_information(theta)

    def residuals(self, theta):
        """The score residuals in the order of the rows given, shape (n, k)."""
        out = np.empty(self.data.shape)
        for part, rows in self.state(theta).residual_chunks():
            out[part] = rows
        return out

    def empirical_fisher(self, theta):
        out = np.zeros((self.n_params, self.n_params))
        weights = self.risk.given_order(self.risk.weights)
        for part, rows in self.state(theta).residual_chunks():
            out += gram_block(rows, weights[part])
        return symmetric(out)

    def cluster_fisher(self, theta, groups):
        """``Σ_h u_h u_hᵀ`` with ``u_h = Σ_{i ∈ h} w_i s_i`` over the score residuals."""
        groups = np.asarray(groups, dtype=np.intp)
        sums = np.zeros((int(groups.max()) + 1, self.n_params))
        weights = self.risk.given_order(self.risk.weights)
        for part, rows in self.state(theta).residual_chunks():
            m = rows.shape[0]
            by_group = sp.csr_matrix(
                (weights[part], (groups[part], np.arange(m))), shape=(sums.shape[0], m)
            )
            sums += by_group @ rows
        outer = sums.T @ sums
        return 0.5 * (outer + outer.T)
