"""The censored log-likelihood of an accelerated-failure-time model as a scoring problem.

With ``θ = (β, τ)``, ``τ = log σ`` (no τ for the exponential, σ = 1),
``η = x̃ᵀβ`` over the model matrix ``x̃ = [1, x]`` and ``z = (log t − η)/σ``, a row of
weight w adds ``w [m(z) − δ (τ + log t)]``, with m the log-density g of W for an
event (δ = 1) and its log-survival h for a censored time (δ = 0): the
log-likelihood on the time scale, with the Jacobian ``−log t`` of an event, as
R's ``survreg`` reports it. Since ``∂z/∂η = −1/σ`` and ``∂z/∂τ = −z``, a row's
score is ``(−m′/σ · x̃, −m′ z − δ)`` and its negative Hessian

    [[−m″/σ² x̃x̃ᵀ, −(m″ z + m′)/σ x̃], [·, −(m″ z² + m′ z)]].

The expected information of an uncensored time is ``[[a/σ² x̃x̃ᵀ, b/σ x̃], [·, c]]``
with the constants of :mod:`._aft_distributions`. A censored time's expected
information depends on the law of the censoring, which the data do not give
(only the censoring times of the censored rows are seen): so with a censored
row of positive weight the information reported is the observed one.

The loop (:meth:`AFTProblem.score_information`) takes Newton's steps with the
observed information where it is positive definite, and Fisher-scoring
steps with the expected information of the times as if uncensored (positive
definite, so the step still ascends) elsewhere, as the core's ``NewtonSteps``.
"""

import numpy as np
import scipy.sparse as sp

from .._linalg import Design, SymmetricFactor
from .._scoring import ScoringProblem, fisher_scoring


class AFTState:
    """The per-row quantities at one θ."""

    def __init__(self, problem, theta):
        p = problem.n_cols
        self.sigma = 1.0 if problem.fixed_scale else float(np.exp(theta[p]))
        self.eta = problem.design.matvec(theta[:p])
        with np.errstate(over="ignore", invalid="ignore"):
            self.z = (problem.log_time - self.eta) / self.sigma
        self.m, self.m1, self.m2 = problem.distribution.derivatives(self.z, problem.event)
        self.observed = None


class AFTProblem(ScoringProblem):
    """The log-likelihood of right-censored times under ``log T = x̃ᵀβ + σ W``.

    Parameters
    ----------
    X : ndarray of shape (n, p)
        The features (rows of positive weight only).
    time, event, weights : ndarray of shape (n,)
        Positive times, 0/1 events and positive frequency weights.
    distribution : ErrorDistribution
        The law of W.
    fit_intercept : bool
        Whether the model matrix has a column of ones first.
    alpha : float, default=0.0
        The objective is ``ℓ − ½ α Σw ||coef||²`` (the intercept and τ are not
        penalised).
    """

    def __init__(self, X, time, event, weights, distribution, fit_intercept, *, alpha=0.0):
        self.design = Design(np.ascontiguousarray(X), fit_intercept)
        self.log_time = np.log(time)
        self.event = event == 1
        self.weights = weights
        self.distribution = distribution
        self.fixed_scale = distribution.fixed_scale
        self.n_cols = self.design.n_cols
        self.n_params = self.n_cols + (not self.fixed_scale)
        self.censored = bool(np.any(~self.event))
        self.jacobian = float(weights[self.event] @ self.log_time[self.event])
        self.event_weight = float(weights[self.event].sum())
        self.penalty = np.zeros(self.n_params)
        self.penalty[int(fit_intercept) : self.n_cols] = alpha * weights.sum()
        self._memo = (None, None)
        self._gram = None

    def null_problem(self):
        """The model with an intercept (and σ) only, on the same rows."""
        null = AFTProblem.__new__(AFTProblem)
        null.__dict__.update(self.__dict__)
        null.design = Design(np.empty((self.log_time.size, 0)), True)
        null.n_cols = 1
        null.n_params = 1 + (not self.fixed_scale)
        null.penalty = np.zeros(null.n_params)
        null._memo, null._gram = (None, None), None
        return null

    def state(self, theta):
        """Return the :class:`AFTState` at θ, cached for the last θ."""
        theta = np.asarray(theta, dtype=float)
        key, state = self._memo
        if key != theta.tobytes():
            state = AFTState(self, theta)
            self._memo = (theta.tobytes(), state)
        return state

    def loglik(self, theta):
        theta = np.asarray(theta, dtype=float)
        if not np.all(np.isfinite(theta)):
            return -np.inf
        state = self.state(theta)
        log_scale = 0.0 if self.fixed_scale else theta[self.n_cols]
        value = float(self.weights @ state.m) - self.event_weight * log_scale - self.jacobian
        return value if np.isfinite(value) else -np.inf

    def objective(self, theta):
        return self.loglik(theta) - 0.5 * float(self.penalty @ np.square(theta))

    def _residual_factors(self, state):
        """``∂ℓ_i/∂η`` and ``∂ℓ_i/∂τ`` per row."""
        return -state.m1 / state.sigma, -state.m1 * state.z - self.event

    def score(self, theta):
        state = self.state(theta)
        d_eta, d_tau = self._residual_factors(state)
        out = self.design.rmatvec(self.weights * d_eta)
        if not self.fixed_scale:
            out = np.append(out, self.weights @ d_tau)
        return out - self.penalty * np.asarray(theta, dtype=float)

    def _blocks(self, eta_eta, eta_tau, tau_tau):
        """``[[X̃ᵀ diag(w u) X̃, X̃ᵀ (w v)], [·, Σ w s]]`` from the per-row u, v and s."""
        w = self.weights
        if self.fixed_scale:
            return self.design.gram(w * eta_eta)
        k = self.n_params
        out = np.empty((k, k))
        # The cross column from the same pass over the rows as the Gram product.
        out[:-1, :-1], cross = self.design.gram(w * eta_eta, w * eta_tau)
        out[:-1, -1] = out[-1, :-1] = cross
        out[-1, -1] = w @ tau_tau
        return out

    def _penalised(self, matrix):
        matrix[np.diag_indices_from(matrix)] += self.penalty
        return matrix

    def observed_information(self, theta):
        state = self.state(theta)
        if state.observed is None:  # once per θ: the loop, then the result, ask for it
            s, z, m1, m2 = state.sigma, state.z, state.m1, state.m2
            matrix = self._blocks(-m2 / s**2, -(m2 * z + m1) / s, -(m2 * z + m1) * z)
            state.observed = self._penalised(matrix)
        return state.observed.copy()

    def complete_information(self, theta):
        """The expected information as if no time were censored (penalty included)."""
        if self._gram is None:
            self._gram = self.design.gram(self.weights), self.design.rmatvec(self.weights)
        gram, column = self._gram
        a, b, c = self.distribution.information
        sigma = 1.0 if self.fixed_scale else float(np.exp(theta[self.n_cols]))
        k = self.n_params
        out = np.empty((k, k))
        out[: self.n_cols, : self.n_cols] = gram * (a / sigma**2)
        if not self.fixed_scale:
            out[:-1, -1] = out[-1, :-1] = column * (b / sigma)
            out[-1, -1] = c * self.weights.sum()
        return self._penalised(out)

    def information(self, theta):
        """The reported information: expected without censoring, observed with it."""
        if self.censored:
            return self.observed_information(theta)
        return self.complete_information(theta)

    def score_information(self, theta):
        score = self.score(theta)
        observed = self.observed_information(theta)
        if np.all(np.isfinite(observed)):
            factor = SymmetricFactor(observed)
            if not factor.negative and not factor.deficient.size:
                return score, observed
        return score, self.complete_information(theta)

    def score_rows(self, theta):
        """The per-row scores of the log-likelihood (unpenalised), shape (n, k)."""
        state = self.state(theta)
        d_eta, d_tau = self._residual_factors(state)
        rows = self.design.dense_rows(0, self.design.n_rows) * d_eta[:, None]
        return rows if self.fixed_scale else np.column_stack([rows, d_tau])

    def empirical_fisher(self, theta):
        d_eta, d_tau = self._residual_factors(self.state(theta))
        return self._blocks(d_eta * d_eta, d_eta * d_tau, d_tau * d_tau)

    def cluster_fisher(self, theta, groups):
        """``Σ_g u_g u_gᵀ`` with ``u_g = Σ_{i ∈ g} w_i s_i``."""
        groups = np.asarray(groups, dtype=np.intp)
        rows = np.arange(groups.size)
        by_group = sp.csr_matrix(
            (self.weights, (groups, rows)), shape=(int(groups.max()) + 1, groups.size)
        )
        sums = by_group @ self.score_rows(theta)
        outer = sums.T @ sums
        return 0.5 * (outer + outer.T)


def aft_loop(problem, theta0, max_iter, tol):
    """The driver's loop: the problem's own steps, then its reported information at θ̂."""
    result = fisher_scoring(problem, theta0, max_iter=max_iter, tol=tol)
    result.information = problem.information(result.theta)
    result.factor = SymmetricFactor(result.information)
    return problem, result
