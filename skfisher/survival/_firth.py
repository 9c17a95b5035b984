"""Firth's penalised partial likelihood of the Cox model (Heinze & Schemper 2001).

The fit maximises

    ℓ*(β) = ℓ(β) + ½ log det J(β),

the log partial likelihood plus the log of Jeffreys' prior, ``J = −∇² ℓ``. Its
maximiser removes the O(1/n) bias of the partial-likelihood estimate and is
finite under monotone likelihood, where that estimate diverges.

**The penalty's gradient.** Each term j of an event group g (one term for
Breslow's ties, ⌈d⌉ for Efron's; see :mod:`~skfisher.survival._problem`) is
``c_j log`` of the sum of ``r'_i = r_i (1 − f_j [i ∈ D_g])`` over the risk set,
so ``J = Σ_g Σ_j c_j V_gj`` with ``V_gj`` the r'-weighted covariance of x there,
and every ``r'_i`` scales with ``exp(x_iᵀβ)``. With ``A = J⁻¹``, ``h_i = x_iᵀ A x_i``
and the term's mean ``x̄_j = (x̄ − f_j ē)/q_j``,

    tr(A ∂V_gj/∂β) = Σ_R r' h x / S0_j − (Σ_R r' h) x̄_j / S0_j − 2 V_gj A x̄_j.

Summed over the terms with the moments ``a_pm = Σ_j c_j f_j^m / q_j^p``, the three
parts are per-row sums over the rows, with the per-row vectors of the score
residuals' code: ``v_i = r_i (Λ_i − δ_i a11/S0)`` (the weights of J's Gram
product), ``p_i = Ψ_i − δ_i φ_g`` (``Ψ_i`` the sum of ``ψ = (a20 x̄ − a21 ē)/S0`` over
the groups row i is at risk in, ``φ = (a21 x̄ − a22 ē)/S0``), and

    tr(A ∂J/∂β) = Σ_i [v_i h_i x_i − r_i h_i p_i − 2 r_i x_i (x_iᵀ A p_i)]
                  + 2 Σ_g [x̄ (a30 α − 2 a31 b + a32 γ) − ē (a31 α − 2 a32 b + a33 γ)],

with ``α = x̄ᵀAx̄``, ``b = x̄ᵀAē`` and ``γ = ēᵀAē`` per group; under Breslow's ties
(``f = 0``, ``a_p0 = d``) ``p_i = Σ_g d_g x̄_g/S0_g`` and the last sum is
``2 Σ_g d_g x̄ (x̄ᵀAx̄)``. Everything is O(n k²): one pass over chunks of the
rows as given, a gather of ``Ψ`` from the (G + 1) × k table of the reverse
cumulative sums (never a G × k × k array), and counting-process data through
the same risk-set primitives. The modified score is ``U* = U + ½ tr(A ∂J/∂β)``.

**The loop and the reported matrices** are those of the linear models' Firth
fits: the step is ``J⁻¹ U*``, halved until ℓ* does not decrease (``J`` is
positive definite, so the step always rises); the information, observed
information, empirical Fisher and cluster sums are those of the unpenalised
partial likelihood at the Firth estimate (R's ``coxphf`` and firthmodels'
``FirthCoxPH.bse_``), and profile intervals profile ℓ*. An L2 penalty
(``alpha > 0``) is kept: the objective is ``ℓ* − ½ α Σw ||β||²`` and the matrices
gain ``α Σw`` on the diagonal; the log-determinant stays that of ``J``.
"""

import numpy as np

from .._linalg import SymmetricFactor
from .._scoring import ScoringProblem, fisher_scoring


class FirthCoxProblem(ScoringProblem):
    """The penalised log partial likelihood ``ℓ + ½ log det J`` of a :class:`CoxProblem`.

    Parameters
    ----------
    cox : CoxProblem
        The partial likelihood; its L2 penalty, if any, is kept. ``loglik``,
        the matrices and the score residuals are its own.

    Notes
    -----
    The factor of ``J`` at the last θ is cached: the line search evaluates ℓ* at
    the candidate, and the loop's next call reuses it for the score.
    """

    def __init__(self, cox):
        self.cox = cox
        self._key, self._factor = None, None

    # Forwarded so that the estimator reads the rows and risk sets of the fit.
    @property
    def risk(self):
        return self.cox.risk

    def linear_predictor(self, theta):
        """``(x − x̄)ᵀβ`` of the sorted rows, a new array."""
        return self.cox.linear_predictor(theta)

    def residuals(self, theta):
        """The score residuals of the unpenalised partial likelihood, shape (n, k)."""
        return self.cox.residuals(theta)

    def _factor_at(self, theta):
        """``(factor, log det J)`` at θ, unpenalised (cached); ``(None, −inf)`` if not finite.

        A singular J has its log pseudo-determinant (as the linear models' Firth
        fits), and J = 0 (no risk set with two different rows: one row, or only
        constant features) the empty product's 0: the penalty is then constant.
        """
        key = np.asarray(theta, dtype=float).tobytes()
        if key != self._key:
            information = self.cox.state(theta).information
            factor, logdet = None, -np.inf
            if np.all(np.isfinite(information)):
                factor = SymmetricFactor(information)
                logdet = factor.logdet if np.any(information) else 0.0
            self._key, self._factor = key, (factor, logdet)
        return self._factor

    def objective(self, theta):
        value = self.cox.objective(theta)
        if not np.isfinite(value):
            return -np.inf
        logdet = self._factor_at(theta)[1]
        return value + 0.5 * logdet if np.isfinite(logdet) else -np.inf

    def penalty_score(self, theta):
        """``½ tr(J⁻¹ ∂J/∂β)``, the gradient of ``½ log det J`` at θ, shape (k,)."""
        root = self._factor_at(theta)[0].inverse_root()
        return 0.5 * logdet_gradient(self.cox, theta, root)

    def score_information(self, theta):
        score = self.cox.score(theta) + self.penalty_score(theta)
        return score, self.cox.observed_information(theta)

    def loglik(self, theta):
        return self.cox.loglik(theta)

    def observed_information(self, theta):
        return self.cox.observed_information(theta)

    # For the partial likelihood the loop's information is the negative Hessian.
    information = observed_information

    def empirical_fisher(self, theta):
        return self.cox.empirical_fisher(theta)

    def cluster_fisher(self, theta, groups):
        return self.cox.cluster_fisher(theta, groups)


def third_moments(state):
    """``a30, a31, a32, a33``: the sums ``Σ_j c_j f_j^m / q_j³`` of each group."""
    G = state.S0.size
    out = [np.zeros(G) for _ in range(4)]
    for group, c, f in state.problem.terms:
        q = 1.0 - f * state.rho[group]
        part = c / q**3
        for m in range(4):
            out[m] += np.bincount(group, part, minlength=G)
            part = part * f
    return out


def logdet_gradient(problem, theta, root):
    """``tr(J⁻¹ ∂J/∂β_t)`` for each t (module docstring), ``J⁻¹ = root rootᵀ``."""
    state = problem.state(theta)
    risk = problem.risk
    a10, a11, a20, a21, a22, _ = state.moments
    xbar, ebar = state.xbar, state.ebar
    phi = xbar * (a21 / state.S0)[:, None] - ebar * (a22 / state.S0)[:, None]
    table = np.zeros((a10.size + 1, problem.n_params))  # row G: before every group
    table[:-1] = xbar * (a20 / state.S0)[:, None] - ebar * (a21 / state.S0)[:, None]
    table = risk.reverse_cumulative(table)
    v = state.r * state.cumulative
    ev = risk.events
    v[ev] -= state.r[ev] * (a11 / state.S0)[risk.event_group]
    out = np.zeros(problem.n_params)
    for part, rows in problem.centred_chunks():
        at = risk.rank[part]
        event = risk.event[at]
        g = np.where(event == 1, risk.group_of_block[risk.block[at]], 0)
        p = risk.gather(table, at)
        p -= phi[g] * event[:, None]
        z = rows @ root
        h = np.einsum("ij,ij->i", z, z)
        quadratic = np.einsum("ij,ij->i", z, p @ root)  # x_iᵀ A p_i
        r = state.r[at]
        out += rows.T @ (v[at] * h - 2.0 * r * quadratic) - (r * h) @ p
    u, e = xbar @ root, ebar @ root
    alpha, b, gamma = (np.einsum("ij,ij->i", s, t) for s, t in ((u, u), (u, e), (e, e)))
    a30, a31, a32, a33 = third_moments(state)
    out += 2.0 * ((a30 * alpha - 2.0 * a31 * b + a32 * gamma) @ xbar)
    out -= 2.0 * ((a31 * alpha - 2.0 * a32 * b + a33 * gamma) @ ebar)
    return out


def firth_loop(problem, theta0, max_iter, tol):
    """The loop of a Firth fit (the driver's ``Model.loop``): its problem and result."""
    firth = FirthCoxProblem(problem)
    return firth, fisher_scoring(firth, theta0, max_iter=max_iter, tol=tol)
