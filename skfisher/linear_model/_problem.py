"""The GLM log-likelihood as a :class:`~skfisher._scoring.ScoringProblem`."""

import numpy as np
import scipy.sparse as sp

from .._fused import FusedGLM, fused_by_default
from .._scoring import ScoringProblem

# Whether the dense binomial-logit and Poisson-log problems take their
# log-likelihood, score and information from one pass of FusedGLM (False:
# the separate products, as every other model).
FUSED = True


class GLMProblem(ScoringProblem):
    """Log-likelihood of a GLM with parameters ``θ = [intercept, coef...]``.

    Parameters
    ----------
    design : Design
        The model matrix.
    y : ndarray of shape (n,)
        The response.
    sample_weight : ndarray of shape (n,)
        Frequency weights.
    family : GLMFamily
        The family.
    link : Link
        The link.
    offset : ndarray of shape (n,) or None
        Added to the linear predictor.
    alpha : float
        L2 penalty in scikit-learn's GLM convention: the objective is
        ``ℓ(θ) − ½ α Σw ||coef||²`` (the intercept is not penalised), the
        maximiser of ``−(1/Σw) ℓ + ½ α ||coef||²``.
    phi : float
        The dispersion used in the matrices.
    var_weights : ndarray of shape (n,) or None
        Prior (variance) weights ``v``: row i has dispersion ``φ / v_i``, as
        R's ``glm(weights=)`` and statsmodels' ``var_weights``. Unlike the
        frequency weights they do not count as observations in the degrees
        of freedom, and the empirical Fisher carries them squared (``v s_i``
        is row i's score).

    Notes
    -----
    Each evaluation costs one product ``X θ`` (objective) and one pass for the
    score ``Xᵀ v`` and the Gram matrix ``Xᵀ diag(w) X`` (``score_information``).
    The per-row state of the last θ is cached, so the line search's accepted
    candidate is not evaluated twice.

    A dense binomial GLM with the logit link or Poisson GLM with the log link
    (while :data:`FUSED` is True) reads ``X`` once per θ instead: one
    :class:`~skfisher._fused.FusedGLM` pass gives ``η``, ``μ``, ``V(μ)``, the
    log-likelihood, the score and the information, cached with the per-row
    state; at θ̂ one more pass gives the empirical Fisher and the information.
    """

    loop_phi = 1.0  # the dispersion at which the loop iterates

    def __init__(
        self,
        design,
        y,
        sample_weight,
        family,
        link,
        *,
        offset=None,
        alpha=0.0,
        phi=1.0,
        var_weights=None,
    ):
        self.design = design
        self.y = y
        # Score, information, deviance and Pearson's statistic weigh row i by
        # f_i v_i; the counts of observations by f_i alone.
        self.freq = sample_weight
        self.var_weights = var_weights
        self.w = sample_weight if var_weights is None else sample_weight * var_weights
        self.family = family
        self.link = link
        self.offset = offset
        self.phi = phi
        self.penalty = np.full(design.n_cols, alpha * self.w.sum())
        if design.fit_intercept:
            self.penalty[0] = 0.0
        self._key = self._pass = None
        self._information_at = (None, None, None)
        self.weight_scale = weight_scale(self.w)
        # Made at the first pass: a problem that is only predicted from or
        # reported on does not pay for the kernel's set-up.
        self._fused = None
        self._fuses = FUSED and fusable(design, y, family, link)

    # Per-row state -----------------------------------------------------------
    def _drop_state(self):
        # Drop the last θ's rows first: held while the new ones are formed,
        # they would double the state at the peak memory of a fit.
        self._key = self._eta = self._mu = self._var = self._pass = None

    def _kernel(self):
        if self._fused is None:
            self._fused = FusedGLM(
                self.design.X,
                self.y,
                self.w,
                self.family.name,
                fit_intercept=self.design.fit_intercept,
                offset=self.offset,
                var_weights=self.var_weights,
            )
        return self._fused

    def _fused_pass(self, theta, empirical=False):
        """Return the :class:`~skfisher._fused.FusedPass` at θ, cached with the per-row state."""
        key = theta.tobytes()
        cached = key == self._key and self._pass is not None
        if not cached or (empirical and self._pass.empirical_fisher is None):
            self._drop_state()
            fused = self._kernel().evaluate(theta, empirical=empirical)
            self._key, self._eta, self._mu, self._var = key, fused.eta, fused.mu, fused.var
            self._pass = fused
        return self._pass

    def _state(self, theta):
        key = theta.tobytes()
        if key != self._key:
            self._drop_state()
            eta = self.design.matvec(theta)
            if self.offset is not None:
                eta = eta + self.offset
            with np.errstate(all="ignore"):
                mu, var = self.family.mean_and_variance(eta, self.link)
            self._key, self._eta, self._mu, self._var = key, eta, mu, var
        return self._eta, self._mu, self._var

    def gram(self, w, v):
        """Return ``([1, X]ᵀ diag(w) [1, X], [1, X]ᵀ v)`` for non-negative ``w``.

        By the fused pass's blocks where this problem takes that pass (see
        :class:`~skfisher._fused.FusedGLM`), else by ``design.gram``.
        """
        return self._kernel().gram(w, v) if self._fuses else self.design.gram(w, v)

    @property
    def n_rows(self):
        """The number of rows of the data."""
        return self.design.n_rows

    def linear_predictor(self, theta):
        """Return ``η = X θ + offset``, shape (n,)."""
        return self._state(theta)[0]

    def _loglik(self, theta):
        if self._fuses:
            return self._fused_pass(theta).loglik
        eta, mu, _ = self._state(theta)
        if not self.family.in_mean_domain(mu):
            return -np.inf
        with np.errstate(all="ignore"):
            value = self.family.loglik(self.y, eta, mu, self.link, *self._loglik_weights(self.phi))
        return value if np.isfinite(value) else -np.inf

    def _loglik_weights(self, phi):
        """Return the weights and dispersion of ``family.loglik``: ``Σ f log p(y; μ, φ/v)``.

        A family without dispersion has ``log p(y; μ, 1/v) = v log p(y; μ)``
        up to its normalising constant; statsmodels (and so skfisher) uses the
        latter, ``Σ f v log p(y; μ)``.
        """
        if self.var_weights is None or not self.family.has_dispersion:
            return self.w, phi
        return self.freq, phi / self.var_weights

    def _eta_derivatives(self, theta, phi):
        eta, mu, var = self._state(theta)
        return self.family.eta_derivatives(self.y, eta, mu, var, self.link, phi)

    # ScoringProblem -------------------------------------------------------------
    def objective(self, theta):
        return self._loglik(theta) - 0.5 * float(self.penalty @ np.square(theta))

    def objective_scale(self):
        """``φ₀/φ̂``: the loop's objective is at φ₀, the log-likelihood at the reported φ̂."""
        return self.loop_phi / self.phi

    def score_information(self, theta):
        # The loop runs at φ = 1: φ scales U and I alike, so it changes neither
        # the step nor the decrement of the families without dispersion.
        return self._loop_score_information(theta, self.loop_phi)

    def _loop_score_information(self, theta, loop_phi):
        """Return the loop's score and information at the fixed dispersion ``loop_phi``."""
        if self._fuses and loop_phi == 1.0:
            fused = self._fused_pass(theta)
            # Copies: the cached pass stays unpenalised for the next call at θ.
            information, score = fused.information.copy(), fused.score.copy()
        else:
            score_eta, weight = self._eta_derivatives(theta, loop_phi)
            # Both are fresh per-row arrays: weighting them in place keeps the
            # peak memory of an iteration at a few vectors of length n.
            information, score = self.design.gram(
                np.multiply(weight, self.w, out=weight),
                np.multiply(score_eta, self.w, out=score_eta),
            )
        score -= self.penalty * theta
        information[np.diag_indices_from(information)] += self.penalty
        self._information_at = (theta.tobytes(), information, loop_phi)
        return score, information

    def loglik(self, theta):
        return self._loglik(theta)

    def decrement_scale(self, theta):
        """Return ``max(1, n / Σw)``: the decrement of weights that average at least 1."""
        return self.weight_scale

    def score_rounding(self, theta, directions):
        """Return a bound on ``‖Bᵀ δU‖`` for the rounding error δU of the loop's score.

        The score ``Σ_i x̃_i w_i s_i`` gathers one term per row along the
        row's ``x̃_i``; each carries an error ``b_i`` in ``s_i``, so
        ``‖Bᵀ δU‖ ≤ Σ_i b_i ‖Bᵀ x̃_i‖``. In η's units (divided by μ') ``y − μ``
        carries ``ε (|y| + |μ|)`` and η itself ``ε |X||θ|``, which the
        information weight turns into score; :meth:`Design.rounding_bound`
        adds the rounding of the sum.
        """
        eps = np.finfo(float).eps
        eta, mu, _ = self._state(theta)
        score_eta, weight = self._eta_derivatives(theta, self.loop_phi)
        with np.errstate(all="ignore"):
            dmu = np.abs(self.link.inverse_deriv(eta))
            residual = eps * (np.abs(self.y) + np.abs(mu)) / dmu
        eta_bound, _ = self.design.abs_products(theta, np.zeros(self.n_rows))
        if self.offset is not None:
            eta_bound += np.abs(self.offset)
        residual = np.where(np.isfinite(residual), residual, 0.0) + eps * eta_bound
        return self.design.rounding_bound(
            self.w * weight * residual, self.w * score_eta, directions
        )

    def information(self, theta):
        """Return the expected information at the reporting dispersion ``phi``."""
        key, information, loop_phi = self._information_at
        if key == theta.tobytes():
            # The loop's last information (penalty included) is at loop_phi;
            # every term is proportional to 1/φ.
            return information * (loop_phi / self.phi)
        weight = self._eta_derivatives(theta, self.phi)[1]
        return self._penalised(self.design.gram(self.w * weight))

    def observed_information(self, theta):
        if self.link.name == self.family.canonical_link:
            # θ = η: the Hessian does not involve y, so J = I.
            return self.information(theta)
        eta, mu, var = self._state(theta)
        weight = self.family.observed_weight(self.y, eta, mu, var, self.link, self.phi)
        return self._penalised(self.design.gram(self.w * weight))

    def empirical_fisher(self, theta):
        if self._fuses and self.phi == 1.0:
            outer = self._fused_pass(theta, empirical=True).empirical_fisher.copy()
            if not np.all(np.isfinite(outer)):
                score_eta = self._eta_derivatives(theta, self.phi)[0]
                raise _fisher_overflow(_largest_magnitude(score_eta))
            return outer
        # [0]: the weights are dropped at once, not held through the Gram product.
        score_eta = self._eta_derivatives(theta, self.phi)[0]
        largest = _largest_magnitude(score_eta)
        with np.errstate(over="ignore"):
            np.square(score_eta, out=score_eta)  # a fresh array: square and weight in place
            np.multiply(score_eta, self.w, out=score_eta)
            if self.var_weights is not None:
                score_eta *= self.var_weights  # row i's score is v_i s_i
            outer = self.design.gram(score_eta)
        if not np.all(np.isfinite(outer)):
            raise _fisher_overflow(largest)
        return outer

    def cluster_fisher(self, theta, groups):
        """Return ``Σ_g u_g u_gᵀ``, ``u_g`` the sum of ``w_i s_i`` over cluster ``g``."""
        score_eta = self._eta_derivatives(theta, self.phi)[0]
        sums = group_score_sums(self.design, self.w * score_eta, groups)
        return sums.T @ sums

    def score(self, theta):
        """Return the gradient of the objective at the reporting dispersion."""
        score_eta = self._eta_derivatives(theta, self.phi)[0]
        return self.design.rmatvec(self.w * score_eta) - self.penalty * theta

    def pearson_chi2(self, theta):
        """Return Pearson's ``Σ f v (y − μ)² / V(μ)`` and the observations ``Σ f``."""
        _, mu, var = self._state(theta)
        with np.errstate(all="ignore"):
            residual = self.y - mu
            # r (r / V): for r ~ 1e160 the square alone overflows.
            terms = np.where(self.w > 0, residual * (residual / var), 0.0)
        return float(self.w @ terms), float(self.freq.sum())

    def deviance(self, theta):
        """Return the deviance ``Σ w d(y, μ)``."""
        _, mu, _ = self._state(theta)
        return float(self.w @ self.family.unit_deviance(self.y, mu))

    def boundary_margin(self, theta):
        """Return the smallest ``min(μ, 1 − μ)`` of a probability over rows of positive weight.

        1 when no row has positive weight.
        """
        _, mu, _ = self._state(theta)
        free = self.w > 0
        # min(μ, 1 − μ) over the rows is min(min μ, 1 − max μ), also in floating
        # point (1 − μ rounds monotonically): no vector of length n is formed.
        lowest = np.min(mu, initial=1.0, where=free)
        highest = np.max(mu, initial=0.0, where=free)
        return float(np.minimum(lowest, 1.0 - highest))

    def _penalised(self, matrix):
        matrix[np.diag_indices_from(matrix)] += self.penalty
        return matrix


def fusable(design, y, family, link):
    """Return whether FusedGLM computes this problem: dense X, binomial-logit or Poisson-log."""
    X = design.X
    if not isinstance(X, np.ndarray) or X.dtype not in (np.float32, np.float64):
        return False
    if design.n_cols == 0:  # an offset-only model: FusedGLM needs a column
        return False
    # FusedGLM would copy any other layout of X.
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        return False
    if not fused_by_default(X.size):
        return False
    if family.name == "binomial" and link.name == "logit":
        unit = (link.low, link.high) == (0.0, 1.0)
        return unit and bool(y.size == 0 or (y.min() >= 0.0 and y.max() <= 1.0))
    return family.name == "poisson" and link.name == "log" and link.low == 0.0


def _largest_magnitude(values):
    # max |s| as max(max s, −min s): np.abs would be one more vector of length n.
    return np.maximum(np.max(values, initial=0.0), -np.min(values, initial=0.0))


def _fisher_overflow(largest):
    """The ValueError of an empirical Fisher information that overflows."""
    return ValueError(
        "The empirical Fisher information is beyond the float64 range: the per-row "
        f"scores of this fit reach {largest:.3g} and their squared sums overflow. "
        "Rescale the response (for example counts in thousands) or the features."
    )


def weight_scale(weights):
    """Return ``max(1, n₊ / Σw)``, n₊ the rows of positive weight.

    Weights that average below 1 shrink the information, and with it the
    Newton decrement, by their mean: the loop would stop on a step that is
    small against standard errors that are large only because the weighted
    sample is small. Measured as for weights that average at least 1, the
    stop, and so the estimate, does not depend on the scale of the weights.
    """
    total = float(weights.sum())
    if not total > 0:
        return 1.0
    return max(1.0, np.count_nonzero(weights > 0) / total)


def group_score_sums(design, score_eta, groups):
    """Return the per-cluster sums of the score rows ``score_eta_i x̃_i``, shape (G, k).

    ``groups`` holds an integer code in ``0, …, G − 1`` per row. The sums are
    one sparse product ``S X`` with ``S[g, i] = score_eta_i`` for the rows of
    cluster ``g``: O(nnz(X)), without an n × k temporary.
    """
    n_groups = int(groups.max()) + 1
    if design.upcast:
        # Float32 X a chunk at a time: the product casts its operand to float64.
        sums = np.zeros((n_groups, design.n_features))
        for start, stop, rows in design.row_chunks():
            sums += _group_sums(score_eta[start:stop], groups[start:stop], n_groups, rows)
    else:
        sums = _group_sums(score_eta, groups, n_groups, design.X)
    if design.fit_intercept:
        intercept = np.bincount(groups, weights=score_eta, minlength=n_groups)
        sums = np.column_stack([intercept, sums])
    return sums


def _group_sums(score_eta, groups, n_groups, rows):
    """Return ``S rows`` (G, p), ``S[g, i] = score_eta_i`` for the rows ``i`` of cluster ``g``."""
    weights = sp.csr_matrix(
        (score_eta, (groups, np.arange(rows.shape[0]))), shape=(n_groups, rows.shape[0])
    )
    sums = weights @ rows
    return sums.toarray() if sp.issparse(sums) else np.asarray(sums)
