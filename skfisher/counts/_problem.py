"""A count model with a zero part as a :class:`~skfisher._scoring.ScoringProblem`.

The parameters are ``θ = [β, γ, α]``: the count part's coefficients β
(intercept first) on the model matrix ``X̃ = [1, X]``, the zero part's γ on
``Z̃ = [1, Z]`` and, for the negative binomial, its α. A row's predictors
``u = (η, ζ, α)`` are linear in θ, ``η = x̃ᵀβ + offset`` and ``ζ = z̃ᵀγ``, so
with the per-row gradient ``g_i`` and matrices ``A_i`` of :mod:`._mixture`
in ``u`` every total in θ is ``Σ_i w_i M_iᵀ A_i M_i`` with the block-diagonal
Jacobian ``M_i = diag(x̃_iᵀ, z̃_iᵀ, 1)``: block ``(a, b)`` is
``D_aᵀ diag(w A_ab) D_b`` with ``D = (X̃, Z̃, 1)``, one weighted product per
pair of predictors. The expected information takes ``A = E``, the observed
``A = H``, the empirical Fisher ``A = g gᵀ``.
"""

import numpy as np

from .._scoring import ScoringProblem
from ._mixture import count_rows, hurdle_rows, inflated_rows, truncated_rows

# The smallest α the negative binomial visits (as the GLM's, ``ALPHA_FLOOR`` of
# skfisher.linear_model._glm_problems): below it the model is the Poisson to
# eight digits and the derivatives in α, which carry powers of 1/α, lose their
# digits; an α that reaches it is on the boundary α = 0 (``_fit``).
ALPHA_MIN = 1e-8

KINDS = {
    "inflated": inflated_rows,
    "hurdle": hurdle_rows,
    "plain": count_rows,
    "truncated": truncated_rows,
}


class CountProblem(ScoringProblem):
    """A Poisson or NB2 count model, zero-inflated, hurdle or plain.

    Parameters
    ----------
    count_design : ndarray of shape (n, p)
        ``X̃``, the count part's model matrix, intercept column included.
    zero_design : ndarray of shape (n, q) or None
        ``Z̃``, the zero part's (None: a plain count model, ``θ = [β, α]``).
    y : ndarray of shape (n,)
        Non-negative integer counts (positive for "truncated").
    sample_weight : ndarray of shape (n,)
        Positive frequency weights.
    dist : class of :mod:`._distributions`
        ``PoissonCounts`` or ``NegativeBinomialCounts``.
    kind : {"inflated", "hurdle", "plain", "truncated"}
        The zero part; "plain" and "truncated" (the count model alone, or
        truncated at 0 for positive counts) take no ``zero_design``.
    offset : ndarray of shape (n,) or None
        Added to η.
    alpha : float, default=0.0
        L2 penalty ``½ α Σw ||·||²`` on the coefficients of both parts but
        their intercepts.
    """

    def __init__(
        self, count_design, zero_design, y, sample_weight, dist, kind, *, offset=None, alpha=0.0
    ):
        self.designs = [count_design] + ([] if zero_design is None else [zero_design])
        self.y = np.asarray(y, dtype=float)
        self.w = np.asarray(sample_weight, dtype=float)
        self.dist = dist
        self.kind = kind
        self.rows_of = KINDS[kind]
        self.offset = offset
        self.alpha = float(alpha)
        sizes = [d.shape[1] for d in self.designs] + [1] * dist.n_extra
        ends = np.cumsum(sizes)
        self.slices = [
            slice(int(end - size), int(end)) for end, size in zip(ends, sizes, strict=True)
        ]
        self.n_params = int(sum(sizes))
        penalised = np.zeros(self.n_params, dtype=bool)
        for block in self.slices[: len(self.designs)]:
            penalised[block.start + 1 : block.stop] = True
        self.penalised = penalised
        self._cache = (None, None)
        self._matrices = {}

    # The per-row quantities ----------------------------------------------------------
    def split(self, theta):
        """Return the count and zero parts' linear predictors and the extra parameters."""
        blocks = [
            d @ theta[s]
            for d, s in zip(self.designs, self.slices[: len(self.designs)], strict=True)
        ]
        eta = blocks[0] if self.offset is None else blocks[0] + self.offset
        zeta = blocks[1] if len(blocks) > 1 else None
        return eta, zeta, theta[self.n_params - self.dist.n_extra :]

    def in_domain(self, theta):
        extra = theta[self.n_params - self.dist.n_extra :]
        return bool(np.all(np.isfinite(theta)) and np.all(extra >= ALPHA_MIN))

    def rows(self, theta, expected=True):
        """Return ``(ℓ, g, H, E)`` per row at θ (:mod:`._mixture`); cached for the last θ."""
        # Without an extra parameter the expected information costs a few products
        # more than the observed one: computed with it, it need not be evaluated again.
        expected = expected or not self.dist.n_extra
        key = (theta.tobytes(), expected)
        cached_key, cached = self._cache
        if cached_key is not None and (cached_key == key or cached_key == (key[0], True)):
            return cached
        eta, zeta, extra = self.split(theta)
        dist = self.dist(extra)
        with np.errstate(over="ignore"):
            mu = np.exp(eta)
        values = self.rows_of(dist, self.y, mu, zeta, expected)
        self._cache = (key, values)
        return values

    def _penalty_diagonal(self):
        return self.alpha * self.w.sum() * self.penalised

    # Totals over the sample ----------------------------------------------------------
    def _columns(self):
        n = self.y.size
        return self.designs + [np.ones((n, 1))] * self.dist.n_extra

    def assemble(self, A):
        """Return ``Σ_i w_i M_iᵀ A_i M_i`` for per-row matrices ``A`` (n, m, m)."""
        columns = self._columns()
        out = np.empty((self.n_params, self.n_params))
        for a, (Da, sa) in enumerate(zip(columns, self.slices, strict=True)):
            for b in range(a, len(columns)):
                block = Da.T @ ((self.w * A[:, a, b])[:, None] * columns[b])
                out[sa, self.slices[b]] = block
                out[self.slices[b], sa] = block.T
        return out

    def row_scores(self, theta):
        """Return the per-row scores ``s_i = M_iᵀ g_i`` (unweighted), shape (n, k)."""
        g = self.rows(theta, expected=False)[1]
        return np.hstack([D * g[:, [a]] for a, D in enumerate(self._columns())])

    def loglik(self, theta):
        if not self.in_domain(theta):
            return -np.inf
        value = float(self.w @ self.rows(theta, expected=False)[0])
        return value if np.isfinite(value) else -np.inf

    def objective(self, theta):
        penalty = 0.5 * self.alpha * self.w.sum() * float(np.sum(theta[self.penalised] ** 2))
        return self.loglik(theta) - penalty

    def score(self, theta):
        g = self.rows(theta, expected=False)[1]
        parts = [D.T @ (self.w * g[:, a]) for a, D in enumerate(self._columns())]
        return np.concatenate(parts) - self._penalty_diagonal() * theta

    def score_information(self, theta):
        E = self.rows(theta, expected=True)[3]
        return self.score(theta), self.information(theta, E)

    def information(self, theta, E=None):
        if E is None:
            return self._matrix("expected", theta)
        return self.assemble(E) + np.diag(self._penalty_diagonal())

    def observed_information(self, theta):
        return self._matrix("observed", theta)

    def _matrix(self, which, theta):
        """The expected or observed information at θ, kept for the last θ of each."""
        key = theta.tobytes()
        cached_key, cached = self._matrices.get(which, (None, None))
        if cached_key != key:
            expected = which == "expected"
            A = self.rows(theta, expected=expected)[3 if expected else 2]
            cached = self.assemble(A) + np.diag(self._penalty_diagonal())
            self._matrices[which] = (key, cached)
        return cached.copy()

    def empirical_fisher(self, theta):
        g = self.rows(theta, expected=False)[1]
        return self.assemble(g[:, :, None] * g[:, None, :])

    def cluster_fisher(self, theta, groups):
        sums = np.zeros((int(groups.max()) + 1, self.n_params))
        np.add.at(sums, groups, self.w[:, None] * self.row_scores(theta))
        return sums.T @ sums
