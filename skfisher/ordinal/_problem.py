"""The cumulative-link log-likelihood as a :class:`~skfisher._scoring.ScoringProblem`.

With K ordered classes ``0, …, K − 1``, thresholds ``c_0 < … < c_{K−2}`` and the
linear predictor ``η = xᵀβ`` (no intercept: the thresholds take its place),

    P(Y ≤ j | x) = F(γ_j),    γ_j = c_j − η,

and ``p_k = F(γ_k) − F(γ_{k−1})`` with ``F(γ_{−1}) = 0``, ``F(γ_{K−1}) = 1``: the
sign convention of R's ``MASS::polr`` and ``ordinal::clm`` and of statsmodels'
``OrderedModel``. The parameters are ``θ = [β, c]``.

Every quantity passes through the K − 1 cumulative predictors γ of a row,
which are linear in θ with the Jacobian ``M = ∂γ/∂θ = [−1 xᵀ, I]``. A row's
log-likelihood depends on the two γ that bound its class only, so its score
``g = ∂ log p_y / ∂γ`` has two entries, and every per-row matrix in γ (the
expected information, the negative Hessian, ``g gᵀ``) is tridiagonal. The
totals over the sample are then ``Σ w_i Mᵢᵀ Aᵢ Mᵢ`` for a band ``Aᵢ``, which
:meth:`CumulativeLinkProblem._assemble` forms from one weighted Gram
product of X, one product ``Xᵀ B`` and the band's column sums.
"""

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .._scoring import ScoringProblem


class CumulativeState:
    """The per-row quantities of the model at one θ, computed when first asked for.

    Parameters
    ----------
    link : Link
        ``F = link.inverse``.
    eta : ndarray of shape (n,)
        ``xᵀβ``.
    cuts : ndarray of shape (K − 1,)
        The thresholds, increasing.
    y : ndarray of int of shape (n,) or None
        The observed classes (None for predictions).

    Notes
    -----
    Arrays over the thresholds are padded to K + 1 columns, the first for
    ``γ_{−1} = −∞`` and the last for ``γ_{K−1} = +∞``, so that class k is bounded
    by the columns k (below) and k + 1 (above).
    """

    def __init__(self, link, eta, cuts, y=None):
        self.link = link
        self.gamma = cuts[None, :] - np.asarray(eta, dtype=float)[:, None]
        self.y = y
        self.rows = np.arange(self.gamma.shape[0])

    def _padded(self, values, low, high):
        n = values.shape[0]
        return np.column_stack([np.full(n, low), values, np.full(n, high)])

    @cached_property
    def cdf(self):
        """``F(γ)``, padded with 0 and 1, shape (n, K + 1)."""
        return self._padded(self.link.inverse(self.gamma), 0.0, 1.0)

    @cached_property
    def sf(self):
        """``1 − F(γ)``, padded with 1 and 0, shape (n, K + 1)."""
        return self._padded(self.link.inverse_complement(self.gamma), 1.0, 0.0)

    @cached_property
    def density(self):
        """``f(γ) = F'(γ)``, padded with zeros, shape (n, K + 1)."""
        return self._padded(self.link.inverse_deriv(self.gamma), 0.0, 0.0)

    @cached_property
    def slope(self):
        """``f'(γ)``, padded with zeros, shape (n, K + 1)."""
        return self._padded(self.link.inverse_deriv2(self.gamma), 0.0, 0.0)

    @cached_property
    def proba(self):
        """``p_k``, shape (n, K).

        Below the median a class's probability is a difference of ``F``, above
        it of ``1 − F``, so that the upper classes do not lose their digits to
        ``1 − F`` rounding to 0.
        """
        cdf, sf = self.cdf, self.sf
        p = np.where(cdf[:, 1:] <= 0.5, cdf[:, 1:] - cdf[:, :-1], sf[:, :-1] - sf[:, 1:])
        return np.maximum(p, 0.0)

    @cached_property
    def observed(self):
        """``p_y`` of each row's own class, shape (n,)."""
        return self.proba[self.rows, self.y]

    @cached_property
    def log_observed(self):
        """``log p_y``; the first and last classes from ``log F`` and ``log(1 − F)``."""
        with np.errstate(divide="ignore"):
            out = np.log(self.observed)
        first, last = self.y == 0, self.y == self.gamma.shape[1]
        out[first] = self.link.log_inverse(self.gamma[first, 0])
        out[last] = self.link.log_inverse_complement(self.gamma[last, -1])
        return out

    def _bounds(self, padded, sign_low=-1.0):
        """Values at the class bounds over ``p_y``, on the thresholds: (n, K − 1).

        Column ``y`` (the upper bound γ_y) gets ``padded[y + 1] / p_y`` and
        column ``y − 1`` (the lower bound) ``sign_low · padded[y] / p_y``.
        """
        out = np.zeros_like(padded)
        rows, y = self.rows, self.y
        out[rows, y + 1] = padded[rows, y + 1] / self.observed
        out[rows, y] = sign_low * padded[rows, y] / self.observed
        return out[:, 1:-1]

    @cached_property
    def score(self):
        """``g = ∂ log p_y / ∂γ``: ``f(γ_y)/p_y`` and ``−f(γ_{y−1})/p_y``, (n, K − 1)."""
        return self._bounds(self.density)

    @cached_property
    def curvature(self):
        """``q``, with ``−∂² log p_y / ∂γ² = g gᵀ − diag(q)``, shape (n, K − 1).

        ``q = f'(γ_y)/p_y`` at the upper bound and ``−f'(γ_{y−1})/p_y`` at the lower.
        """
        return self._bounds(self.slope)

    def expected_band(self):
        """The per-row expected information in γ as a band ``(diagonal, off-diagonal)``.

        ``Σ_k (∂p_k/∂γ)(∂p_k/∂γ)ᵀ / p_k``: the diagonal
        ``f_j² (1/p_j + 1/p_{j+1})`` and the off-diagonal ``−f_j f_{j+1} / p_{j+1}``.
        A class of probability 0 (underflow, far in a tail) adds 0: its
        density vanishes faster than its probability.
        """
        f = self.density[:, 1:-1]
        p = self.proba
        # f/p, not 1/p: a probability far in a tail can be subnormal, and its
        # reciprocal overflow, where the ratio is moderate.
        below = np.divide(f, p[:, :-1], out=np.zeros_like(f), where=p[:, :-1] > 0)
        above = np.divide(f, p[:, 1:], out=np.zeros_like(f), where=p[:, 1:] > 0)
        return f * (below + above), -f[:, :-1] * below[:, 1:]

    def extreme(self, log_bound):
        """Whether some row's own class has ``1 − p_y`` below ``exp(log_bound)``."""
        rows, y = self.rows, self.y
        rest = self.cdf[rows, y] + self.sf[rows, y + 1]
        with np.errstate(divide="ignore"):
            return bool(np.any(np.log(rest) < log_bound))


class CumulativeLinkProblem(ScoringProblem):
    """Log-likelihood of a cumulative-link model, ``θ = [β, c]``.

    Parameters
    ----------
    design : Design
        The model matrix X, without an intercept column.
    y_index : ndarray of int of shape (n,)
        The class of each row, in ``0, …, n_classes − 1``.
    n_classes : int
        K, at least 2 (the estimator asks for 3).
    sample_weight : ndarray of shape (n,)
        Positive frequency weights.
    link : Link
        ``F = link.inverse``.
    alpha : float, default=0.0
        L2 penalty on β in scikit-learn's GLM convention: the objective is
        ``ℓ(θ) − ½ α Σw ||β||²`` (the thresholds are not penalised).

    Notes
    -----
    With ``g_i`` the score of row i in γ, ``M_i = [−1 x_iᵀ, I]`` and
    ``s_i = M_iᵀ g_i = [−x_i Σ_j g_ij, g_i]`` its score in θ,

    * the score is ``U = Σ w_i s_i``;
    * the expected information ``I = Σ w_i M_iᵀ E_i M_i`` with
      ``E_i = Σ_k (∂p_ik/∂γ)(∂p_ik/∂γ)ᵀ / p_ik``, which is
      ``Σ w_i Σ_k (∂p_ik/∂θ)(∂p_ik/∂θ)ᵀ / p_ik``;
    * the observed information ``J = Σ w_i M_iᵀ (g_i g_iᵀ − diag(q_i)) M_i``,
      the exact negative Hessian (γ is linear in θ);
    * the empirical Fisher ``F = Σ w_i s_i s_iᵀ = Σ w_i M_iᵀ g_i g_iᵀ M_i``.

    The objective is ``−inf`` unless the thresholds increase strictly, so the
    loop's line search keeps them ordered.
    """

    def __init__(self, design, y_index, n_classes, sample_weight, link, *, alpha=0.0):
        self.design = design
        self.y = np.asarray(y_index, dtype=np.intp)
        self.n_classes = int(n_classes)
        self.w = np.asarray(sample_weight, dtype=float)
        self.link = link
        self.n_features = design.n_cols
        self.n_params = self.n_features + self.n_classes - 1
        self.penalty = np.zeros(self.n_params)
        self.penalty[: self.n_features] = alpha * self.w.sum()
        self._memo = (None, None)

    def split(self, theta):
        """Return ``(β, c)``."""
        theta = np.asarray(theta, dtype=float)
        return theta[: self.n_features], theta[self.n_features :]

    def ordered(self, theta):
        """Whether θ is finite with strictly increasing thresholds."""
        cuts = self.split(theta)[1]
        return bool(np.all(np.isfinite(theta)) and np.all(np.diff(cuts) > 0))

    def state(self, theta):
        """Return the :class:`CumulativeState` at θ, cached for the last θ."""
        theta = np.asarray(theta, dtype=float)
        key, state = self._memo
        if key != theta.tobytes():
            beta, cuts = self.split(theta)
            state = CumulativeState(self.link, self.design.matvec(beta), cuts, self.y)
            self._memo = (theta.tobytes(), state)
        return state

    # ScoringProblem ----------------------------------------------------------
    def loglik(self, theta):
        if not self.ordered(theta):
            return -np.inf
        with np.errstate(invalid="ignore"):
            value = float(self.w @ self.state(theta).log_observed)
        return value if np.isfinite(value) else -np.inf

    def objective(self, theta):
        return self.loglik(theta) - 0.5 * float(self.penalty @ np.square(theta))

    def score(self, theta):
        """Return the gradient of the objective, shape (n_params,)."""
        g = self.state(theta).score
        total = np.concatenate([-self.design.rmatvec(self.w * g.sum(axis=1)), self.w @ g])
        return total - self.penalty * np.asarray(theta, dtype=float)

    def information(self, theta):
        """Return the expected information of the objective (penalty included)."""
        return self._penalised(self._assemble(*self.state(theta).expected_band()))

    def score_information(self, theta):
        return self.score(theta), self.information(theta)

    def observed_information(self, theta):
        state = self.state(theta)
        g = state.score
        band = np.square(g) - state.curvature, g[:, :-1] * g[:, 1:]
        return self._penalised(self._assemble(*band))

    def empirical_fisher(self, theta):
        g = self.state(theta).score
        return self._assemble(np.square(g), g[:, :-1] * g[:, 1:])

    def positive_rows(self):
        return self.w > 0

    def cluster_fisher(self, theta, groups):
        """Return ``Σ_h u_h u_hᵀ``, ``u_h = Σ_{i ∈ h} w_i s_i``, ``s_i = [−x_i Σ_j g_ij, g_i]``."""
        g = self.state(theta).score
        groups = np.asarray(groups, dtype=np.intp)
        shape = (int(groups.max()) + 1, groups.size)
        rows = np.arange(groups.size)
        by_group = sp.csr_matrix((self.w, (groups, rows)), shape=shape)
        slopes = sp.csr_matrix((-self.w * g.sum(axis=1), (groups, rows)), shape=shape)
        beta_sums = slopes @ self.design.X
        beta_sums = beta_sums.toarray() if sp.issparse(beta_sums) else np.asarray(beta_sums)
        sums = np.hstack([beta_sums, by_group @ g])
        outer = sums.T @ sums
        return 0.5 * (outer + outer.T)

    # The totals --------------------------------------------------------------
    def _assemble(self, diagonal, off):
        """Return ``Σ w_i M_iᵀ A_i M_i`` for the tridiagonal ``A_i`` of band ``(diagonal, off)``.

        With ``r_i = A_i 1`` and ``t_i = 1ᵀ A_i 1``: the β block is
        ``Xᵀ diag(w t) X``, the β–c block ``−Xᵀ diag(w) R`` and the c block
        ``Σ w_i A_i``.
        """
        w, p = self.w, self.n_features
        row_sums = diagonal.copy()
        row_sums[:, :-1] += off
        row_sums[:, 1:] += off
        out = np.empty((self.n_params, self.n_params))
        out[:p, :p] = self.design.gram(w * row_sums.sum(axis=1))
        cross = -np.asarray(self.design.X.T @ (w[:, None] * row_sums))
        out[:p, p:], out[p:, :p] = cross, cross.T
        band = w @ off
        out[p:, p:] = np.diag(w @ diagonal) + np.diag(band, 1) + np.diag(band, -1)
        return out

    def _penalised(self, matrix):
        matrix[np.diag_indices_from(matrix)] += self.penalty
        return matrix


def start_theta(problem):
    """Starting θ: β = 0 and the thresholds at ``F⁻¹`` of the cumulative class shares.

    This is the maximum of the model without features; every class has
    positive weight, so the shares lie strictly between 0 and 1 and the
    thresholds increase.
    """
    shares = np.bincount(problem.y, weights=problem.w, minlength=problem.n_classes)
    cumulative = np.cumsum(shares)[:-1] / shares.sum()
    cuts = problem.link.link(cumulative)
    return np.concatenate([np.zeros(problem.n_features), cuts])


def cumulative_proba(link, eta, cuts):
    """Return ``P(Y = k | x)`` (n, K) and ``P(Y ≤ j | x)`` (n, K − 1) for linear predictors η."""
    state = CumulativeState(link, eta, np.asarray(cuts, dtype=float))
    return state.proba, state.cdf[:, 1:-1]
