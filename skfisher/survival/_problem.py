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
``Σ ⌈d⌉`` of them, enter only the moments, in chunks of bounded size.

The score residuals (Therneau's; R's ``residuals(fit, "score")``) split the
score into rows, ``U = Σ w_i s_i``:

    s_i = δ_i (x_i − x̃_g) − e^{η_i} (x_i Λ_i − Ψ_i) + δ_i e^{η_i} (x_i a11/S0 − φ_g),

with ``x̃ = (a10 x̄ − a11 ē)/d``, ``Ψ_i`` the sum over the same groups of
``ψ = (a20 x̄ − a21 ē)/S0`` and ``φ = (a21 x̄ − a22 ē)/S0`` (the events' own share of
their group's risk under Efron). X is centred and η shifted by its maximum in
each stratum, which changes none of these quantities.
"""

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .._linalg import Design
from .._scoring import ScoringProblem
from ._risksets import RiskSets

_RISK_FLOOR = 1e-100


# Efron's terms are generated in chunks of this many, so that frequency weights
# in the thousands (⌈d⌉ terms per tied time) need no more memory than unit ones.
_TERM_CHUNK = 1 << 20


class Terms:
    """The terms ``(group, c, f)`` of every group's sum, in chunks of bounded size.

    Breslow's: one term per group, ``c = d``, ``f = 0``. Efron's: ``j = 0, …, ⌈d⌉ − 1``
    with ``c_j = min(1, d − j)`` and ``f_j = j/d``.
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
        group = np.searchsorted(self.ends, index, side="right")
        if self.breslow:
            return group, self.deaths[group], np.zeros(group.size)
        d = self.deaths[group]
        j = index - (self.ends[group] - np.maximum(np.ceil(d), 1))
        return group, np.minimum(1.0, d - j), j / d

    def __iter__(self):
        yield self._first
        for start in range(_TERM_CHUNK, self.total, _TERM_CHUNK):
            yield self._chunk(start, min(start + _TERM_CHUNK, self.total))


class CoxState:
    """The sums of the model at one β, computed when first asked for."""

    def __init__(self, problem, beta):
        self.problem = problem
        risk = problem.risk
        eta = problem.X @ beta
        shift = np.empty(len(risk.stratum_bounds))
        for s, (start, stop) in enumerate(risk.stratum_bounds):
            shift[s] = eta[start:stop].max()
        self.shift = shift
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            self.eta = eta - shift[risk.stratum]
            self.e = np.exp(self.eta)
            self.r = risk.weights * self.e
            self.S0 = risk.risk_sums(self.r)
            self.rho = np.minimum(risk.event_sums(self.r[risk.events]) / self.S0, 1.0)
        # A risk set whose sum is beyond 10^100 below the stratum's largest risk
        # (only along a diverging coefficient) is outside the domain: its
        # hazard increments and their squares would not be finite.
        largest = np.array([self.r[a:b].max() for a, b in risk.stratum_bounds])
        floor = _RISK_FLOOR * largest[risk.group_stratum]
        self.finite = bool(np.all(np.isfinite(self.S0)) and np.all(self.S0 >= floor))

    @cached_property
    def means(self):
        """``x̄ = S1/S0`` and ``ē = E1/S0`` of each group, shape (G, k) each."""
        problem = self.problem
        risk = problem.risk
        with np.errstate(over="ignore", invalid="ignore"):
            S1, E1 = risk.weighted_sums(self.r, problem.X, problem.X_events)
            return S1 / self.S0[:, None], E1 / self.S0[:, None]

    @property
    def xbar(self):
        return self.means[0]

    @property
    def ebar(self):
        return self.means[1]

    @cached_property
    def moments(self):
        """``a10, a11, a20, a21, a22`` and ``Σ_j c_j log q_j`` per group."""
        G = self.S0.size
        out = [np.zeros(G) for _ in range(6)]
        with np.errstate(divide="ignore", invalid="ignore"):
            for group, c, f in self.problem.terms:
                q = 1.0 - f * self.rho[group]
                inv = c / q
                parts = (inv, inv * f, inv / q, inv / q * f, inv / q * f * f, c * np.log(q))
                for total, part in zip(out, parts, strict=True):
                    total += np.bincount(group, part, minlength=G)
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
        ev = risk.events
        value = float(risk.weights[ev] @ self.eta[ev])
        value -= float(risk.deaths @ np.log(self.S0) + self.moments[5].sum())
        return value if np.isfinite(value) else -np.inf

    def score(self):
        a10, a11 = self.moments[:2]
        return self.problem.event_total - (a10 @ self.xbar - a11 @ self.ebar)

    @cached_property
    def information(self):
        """The negative Hessian (without the penalty); callers copy it."""
        risk = self.problem.risk
        a11 = self.moments[1]
        v = self.r * self.cumulative
        ev = risk.events
        v[ev] -= self.r[ev] * (a11 / self.S0)[risk.event_group]
        out = self.problem.design.gram(v)
        # Σ_g [x̄ ē] A_g [x̄ ē]ᵀ with the positive semi-definite
        # A_g = [[a20, −a21], [−a21, a22]] = Σ_j c_j/q_j² [1, −f_j]ᵀ[1, −f_j]: with
        # A_g = L Lᵀ (Cholesky) it is two Gram products over the groups.
        a20, a21, a22 = self.moments[2:5]
        l11 = np.sqrt(a20)
        l21 = -a21 / l11
        l22 = np.sqrt(np.maximum(a22 - l21**2, 0.0))
        for rows in (
            self.xbar * l11[:, None] + self.ebar * l21[:, None],
            self.ebar * l22[:, None],
        ):
            out -= Design(rows, fit_intercept=False).gram(np.ones(rows.shape[0]))
        return 0.5 * (out + out.T)

    @cached_property
    def residuals(self):
        """The score residuals of the sorted rows, shape (n, k) (``U = Σ w_i s_i``).

        ``s_i = α_i x_i + e_i (Ψ_i − δ_i φ_g) − δ_i x̃_g`` with the per-row scalar
        ``α_i = −e_i Λ_i + δ_i (1 + e_i a11/S0)``: three gathers from per-block and
        per-group tables, no update of rows in place.
        """
        risk, X = self.problem.risk, self.problem.X
        a10, a11, a20, a21, a22, _ = self.moments
        S0, xbar, ebar = self.S0[:, None], self.xbar, self.ebar
        k = X.shape[1]
        psi = (a20[:, None] * xbar - a21[:, None] * ebar) / S0
        # Row 0 of these tables is for the censored rows; row g + 1 for group g's events.
        phi = np.vstack([np.zeros(k), (a21[:, None] * xbar - a22[:, None] * ebar) / S0])
        mean = np.vstack([np.zeros(k), (a10[:, None] * xbar - a11[:, None] * ebar)])
        mean[1:] /= risk.deaths[:, None]
        index = np.zeros(X.shape[0], dtype=np.intp)
        ev, g = risk.events, risk.event_group
        index[ev] = g + 1
        alpha = -self.e * self.cumulative
        alpha[ev] += 1.0 + self.e[ev] * (a11 / self.S0)[g]
        drift = risk.accumulated(psi, per_block=True)[risk.block] - phi[index]
        return X * alpha[:, None] + self.e[:, None] * drift - mean[index]


class CoxProblem(ScoringProblem):
    """The log partial likelihood of a Cox model, θ = β.

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
    """

    def __init__(self, X, time, event, weights, strata, ties, *, alpha=0.0):
        self.risk = RiskSets(time, event, weights, strata)
        self.center = np.average(X, axis=0, weights=weights)
        self.X = np.ascontiguousarray(X[self.risk.order] - self.center)
        self.design = Design(self.X, fit_intercept=False)
        self.X_events = self.X[self.risk.events]
        self.event_total = self.risk.weights[self.risk.events] @ self.X_events
        self.ties = ties
        self.terms = Terms(self.risk.deaths, ties)
        self.n_params = X.shape[1]
        self.penalty = np.full(self.n_params, alpha * weights.sum())
        self._memo = (None, None)

    def state(self, theta):
        """Return the :class:`CoxState` at θ, cached for the last θ."""
        theta = np.asarray(theta, dtype=float)
        key, state = self._memo
        if key != theta.tobytes():
            state = CoxState(self, theta)
            self._memo = (theta.tobytes(), state)
        return state

    def loglik(self, theta):
        if not np.all(np.isfinite(theta)):
            return -np.inf
        return self.state(theta).loglik()

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
        out = np.empty_like(self.X)
        out[self.risk.order] = self.state(theta).residuals
        return out

    def empirical_fisher(self, theta):
        residuals = self.state(theta).residuals
        return Design(residuals, fit_intercept=False).gram(self.risk.weights)

    def cluster_fisher(self, theta, groups):
        """``Σ_h u_h u_hᵀ`` with ``u_h = Σ_{i ∈ h} w_i s_i`` over the score residuals."""
        groups = np.asarray(groups, dtype=np.intp)[self.risk.order]
        rows = np.arange(groups.size)
        by_group = sp.csr_matrix(
            (self.risk.weights, (groups, rows)), shape=(int(groups.max()) + 1, groups.size)
        )
        sums = by_group @ self.state(theta).residuals
        outer = sums.T @ sums
        return 0.5 * (outer + outer.T)
