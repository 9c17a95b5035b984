"""Scoring problems of the GLM families beyond the base: dispersion and estimated α.

:class:`DispersionGLMProblem` is the GLM of a family with a dispersion φ
(Gaussian, gamma, inverse Gaussian, Tweedie); :class:`NegativeBinomialProblem`
is the negative binomial with α estimated along with the coefficients. Both
plug into the one Fisher-scoring loop.
"""

import copy

import numpy as np

from .._scoring import ScoringProblem
from ..links import Log
from ._problem import GLMProblem, group_score_sums, weight_scale

_LOG = Log()

# Smallest α the negative binomial fit visits. Below it the model is the Poisson
# to eight digits (Var Y = μ (1 + αμ)) and the derivatives in α, which carry
# powers of 1/α, lose their precision; an estimate that reaches it is on the
# boundary α = 0 (no overdispersion).
ALPHA_FLOOR = 1e-8


class DispersionGLMProblem(GLMProblem):
    """A GLM whose family has a dispersion φ.

    The fit runs at a fixed ``loop_phi`` (φ₀) and the fitted quantities are
    reported at ``phi`` (the Pearson φ̂), set after the fit by
    :meth:`set_dispersion`.

    Why φ₀: φ multiplies neither the estimate nor the step, but it scales the
    score and the information alike, and so the Newton decrement ``Uᵀ I⁻¹ U``
    on which the loop stops. Run at φ = 1, the decrement of data in units of
    1e-3 would be 1e-6 of the decrement in standard errors, and the loop would
    stop long before its estimate is accurate (units of 1e3: never stop). At a
    φ₀ of the size of φ̂ (the Pearson statistic of the starting means) the
    stop is again a step length in standard errors, whatever the units of y.

    The objective is ``−D(θ) / (2 φ₀)`` minus the penalty over φ₀: the
    log-likelihood at φ₀ up to a constant that does not depend on θ, since
    ``ℓ(θ; φ₀) = ℓ_sat − D(θ)/(2φ₀)`` for an exponential-dispersion family.
    The deviance is in closed form for every family, where the Tweedie density
    needs a series.
    """

    def __init__(
        self, design, y, sample_weight, family, link, *, offset=None, alpha=0.0, var_weights=None
    ):
        super().__init__(
            design,
            y,
            sample_weight,
            family,
            link,
            offset=offset,
            alpha=alpha,
            var_weights=var_weights,
        )
        self._unit_penalty = self.penalty.copy()
        self.loop_phi = 1.0
        self.loglik_phi = 1.0

    def set_loop_dispersion(self, phi0):
        """Fix the φ₀ at which the loop runs (the penalty is divided by it too)."""
        self.loop_phi = float(phi0)
        self.penalty = self._unit_penalty / self.loop_phi

    def set_dispersion(self, phi, loglik_phi):
        """Set the φ̂ of the matrices and the φ at which ``loglik`` is evaluated."""
        self.phi = float(phi)
        self.loglik_phi = float(loglik_phi)
        self.penalty = self._unit_penalty / self.phi

    def decrement_scale(self, theta):
        """Return ``φ₀ / φ̂(θ)`` (times the weights' scale), φ̂(θ) = Pearson's ``χ² / (Σw − k)``.

        The loop's decrement is at φ₀; times this it is the decrement at the
        dispersion the fit would report at θ, so the loop stops only where
        the step is below ``tol`` standard errors at the reported φ̂ (a φ₀ far
        above φ̂ would otherwise stop it early, one far below never).
        """
        chi2, total = self.pearson_chi2(theta)
        df = total - self.design.n_cols
        if not (df > 0 and np.isfinite(chi2)):
            # No φ̂ to report (the fit warns and reports nan matrices): the
            # estimate is still the maximiser, measured at φ₀.
            return self.weight_scale
        if chi2 <= 0.0:
            return np.inf  # an exact fit: any remaining score is infinitely many SEs
        return self.weight_scale * self.loop_phi * df / chi2

    def objective(self, theta):
        _, mu, _ = self._state(theta)
        if not self.family.in_mean_domain(mu):
            return -np.inf
        with np.errstate(all="ignore"):
            deviance = float(self.w @ self.family.unit_deviance(self.y, mu))
        value = -0.5 * deviance / self.loop_phi - 0.5 * float(self.penalty @ np.square(theta))
        return value if np.isfinite(value) else -np.inf

    def loglik(self, theta):
        eta, mu, _ = self._state(theta)
        with np.errstate(all="ignore"):
            return self.family.loglik(
                self.y, eta, mu, self.link, *self._loglik_weights(self.loglik_phi)
            )


class NegativeBinomialProblem(ScoringProblem):
    """The negative binomial (NB2, log link) with ``θ = [intercept, coef..., α]``.

    Parameters
    ----------
    design : Design
        The model matrix.
    y : ndarray of shape (n,)
        Counts.
    sample_weight : ndarray of shape (n,)
        Frequency weights.
    family : NegativeBinomial
        Its ``alpha`` is set to the α of the θ evaluated.
    offset : ndarray of shape (n,) or None
        Added to the linear predictor.
    alpha : float
        L2 penalty on the coefficients (not on the intercept or α), as in
        :class:`GLMProblem`.

    Notes
    -----
    The expected information is block diagonal: the coefficient block is
    ``Xᵀ diag(w μ/(1 + αμ)) X`` and the α entry is the series of
    :meth:`NegativeBinomial.alpha_information_obs`; α and the coefficients are
    orthogonal (Lawless 1987). The observed information has the cross terms
    ``Σ w (y − μ) μ/(1 + αμ)² x``.
    """

    def __init__(self, design, y, sample_weight, family, *, offset=None, alpha=0.0):
        self.design = design
        self.y = y
        self.w = sample_weight
        # A private copy whose α follows θ: the caller's family is not changed.
        self.family = copy.copy(family)
        self.offset = offset
        self.penalty = np.zeros(design.n_cols + 1)
        self.penalty[int(design.fit_intercept) : design.n_cols] = alpha * sample_weight.sum()
        self._key = None
        self.weight_scale = weight_scale(sample_weight)

    def decrement_scale(self, theta):
        """Return ``max(1, n / Σw)``, as :meth:`GLMProblem.decrement_scale`."""
        return self.weight_scale

    def score_rounding(self, theta, directions):
        """Return a bound on ``‖Bᵀ δU‖`` for the score's rounding (see GLMProblem.score_rounding).

        The coefficients' part: ``y − μ`` carries ``ε (|y| + μ)`` and μ = e^η
        carries ``μ ε |X||β|``, divided by ``1 + αμ``, and the rounding of the
        sum (:meth:`Design.rounding_bound`); α's own entry is left out (its row
        of ``B`` unused).
        """
        eps = np.finfo(float).eps
        _, mu = self._state(theta)
        eta_bound, _ = self.design.abs_products(theta[:-1], np.zeros(self.design.n_rows))
        if self.offset is not None:
            eta_bound += np.abs(self.offset)
        with np.errstate(all="ignore"):
            rows = eps * (np.abs(self.y) + mu * (1.0 + eta_bound)) / (1.0 + theta[-1] * mu)
            score = (self.y - mu) / (1.0 + theta[-1] * mu)
        rows = np.where(np.isfinite(rows), rows, 0.0)
        score = np.where(np.isfinite(score), score, 0.0)
        return self.design.rounding_bound(self.w * rows, self.w * score, directions[:-1])

    def _state(self, theta):
        key = theta.tobytes()
        if key != self._key:
            eta = self.design.matvec(theta[:-1])
            if self.offset is not None:
                eta = eta + self.offset
            with np.errstate(all="ignore"):
                mu = np.exp(eta)
            self._key, self._eta, self._mu = key, eta, mu
        self.family.alpha = float(theta[-1])
        return self._eta, self._mu

    def linear_predictor(self, theta):
        """Return ``η = X β + offset``, shape (n,)."""
        return self._state(theta)[0]

    def _penalty_value(self, theta):
        return 0.5 * float(self.penalty @ np.square(theta))

    def objective(self, theta):
        if not theta[-1] >= ALPHA_FLOOR:
            return -np.inf
        value = self.loglik(theta) - self._penalty_value(theta)
        return value if np.isfinite(value) else -np.inf

    def loglik(self, theta):
        if not theta[-1] > 0:
            return -np.inf
        _, mu = self._state(theta)
        if not self.family.in_mean_domain(mu):
            return -np.inf
        with np.errstate(all="ignore"):
            return float(self.w @ self.family.loglik_obs(self.y, mu))

    def objective_rounding(self, theta):
        """Return ``ε Σ w m_i``, ``m_i`` the magnitudes of row i's log-likelihood terms.

        At large counts they are far larger than the log-likelihood (about
        ``y log y`` each: 10⁸ at counts of 10⁶), which rounds beyond the loop's
        default slack.
        """
        if not theta[-1] > 0:
            return None
        _, mu = self._state(theta)
        with np.errstate(all="ignore"):
            magnitude = float(self.w @ self.family.loglik_magnitude_obs(self.y, mu))
        return np.finfo(float).eps * magnitude if np.isfinite(magnitude) else None

    def _scores(self, theta):
        _, mu = self._state(theta)
        score_eta = (self.y - mu) / (1.0 + theta[-1] * mu)
        return mu, score_eta, self.family.alpha_score_obs(self.y, mu)

    def score_information(self, theta):
        mu, score_eta, score_alpha = self._scores(theta)
        k = self.design.n_cols
        information = np.zeros((k + 1, k + 1))
        weight = mu / (1.0 + theta[-1] * mu)
        information[:k, :k], score_beta = self.design.gram(self.w * weight, self.w * score_eta)
        information[k, k] = self.w @ self.family.alpha_information_obs(mu)
        information[np.diag_indices_from(information)] += self.penalty
        score = np.append(score_beta, self.w @ score_alpha) - self.penalty * theta
        return score, information

    def score(self, theta):
        """Return the gradient of the objective."""
        return self.score_information(theta)[0]

    def information(self, theta):
        """Return the expected information."""
        return self.score_information(theta)[1]

    def observed_information(self, theta):
        eta, mu = self._state(theta)
        k = self.design.n_cols
        var = self.family.variance(mu)
        weight = self.family.observed_weight(self.y, eta, mu, var, _LOG)
        observed = np.zeros((k + 1, k + 1))
        observed[:k, :k] = self.design.gram(self.w * weight)
        cross = self.design.rmatvec(self.w * self.family.eta_alpha_observed_obs(self.y, mu))
        observed[:k, k] = observed[k, :k] = cross
        observed[k, k] = self.w @ self.family.alpha_observed_obs(self.y, mu)
        observed[np.diag_indices_from(observed)] += self.penalty
        return observed

    def cluster_fisher(self, theta, groups):
        """Return ``Σ_g u_g u_gᵀ``, ``u_g`` the sum of ``w_i s_i`` (α included) over cluster g."""
        _, score_eta, score_alpha = self._scores(theta)
        sums = group_score_sums(self.design, self.w * score_eta, groups)
        alpha_sums = np.bincount(groups, weights=self.w * score_alpha, minlength=sums.shape[0])
        sums = np.column_stack([sums, alpha_sums])
        return sums.T @ sums

    def empirical_fisher(self, theta):
        _, score_eta, score_alpha = self._scores(theta)
        k = self.design.n_cols
        outer = np.zeros((k + 1, k + 1))
        outer[:k, :k] = self.design.gram(self.w * np.square(score_eta))
        outer[:k, k] = outer[k, :k] = self.design.rmatvec(self.w * score_eta * score_alpha)
        outer[k, k] = self.w @ np.square(score_alpha)
        return outer
