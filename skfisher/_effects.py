"""The marginal-effects kernel: outputs F(η), their derivatives, and chunked sums over rows.

The models are written as K outputs ``F_o`` of H linear predictors
``η_h = x̃ᵀθ_h`` (``x̃ = [1, x]``): a GLM has one output ``g⁻¹(η)`` of one
predictor (:class:`SingleIndexResponse`); the multinomial logit has the K class
probabilities ``softmax(0, η_1, …, η_{K−1})`` (:class:`SoftmaxResponse`).
:func:`effects_and_jacobian` averages the effects and their gradients in θ
over chunks of rows; :mod:`skfisher._marginal` turns them into the table.
"""

import numpy as np
from scipy.special import softmax

from ._linalg import Design
from ._predicted import describe_rows, outside_mean_domain, warn_outside_domain

# Bytes of the per-chunk (rows × outputs × predictors × features) arrays.
_CHUNK_BYTES = 1 << 23


class SingleIndexResponse:
    """The mean ``μ = g⁻¹(η)`` of a GLM: one output of one linear predictor."""

    def __init__(self, link, family=None):
        self.link = link
        self.family = family
        self.n_outputs = 1

    def derivatives(self, eta, order=2):
        """Return ``F`` (m, 1), ``∂F/∂η`` (m, 1, 1) and, with order 2, ``∂²F/∂η²`` (m, 1, 1, 1)."""
        eta = eta[:, 0]
        # exp(η) overflows past η ≈ 709.78 and 1/η has a pole at 0: the values
        # are inf or nan there, and the accumulator names those rows.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            value = self.link.inverse(eta)[:, None]
            first = self.link.inverse_deriv(eta)[:, None, None]
            if order == 1:
                return value, first
            return value, first, self.link.inverse_deriv2(eta)[:, None, None, None]

    def outside(self, value):
        """Return the rows whose finite mean lies outside the family's domain."""
        mu = value[:, 0]
        if self.family is None:
            return np.zeros(mu.shape, dtype=bool)
        return outside_mean_domain(self.family.mean_domain, mu) & np.isfinite(mu)


class SoftmaxResponse:
    """The K class probabilities of the multinomial logit, the reference ``η_0 = 0``."""

    def __init__(self, n_classes):
        self.n_outputs = int(n_classes)
        # own[o, h] = δ(o, h + 1): class o is the h-th non-reference class.
        self.own = np.eye(self.n_outputs)[:, 1:]

    def outside(self, value):
        """Return no rows: the softmax is a probability vector for every η."""
        return np.zeros(value.shape[0], dtype=bool)

    def derivatives(self, eta, order=2):
        """Return ``p`` (m, K), ``∂p_o/∂η_h`` (m, K, K−1) and ``∂²p_o/∂η_h∂η_g`` (m, K, K−1, K−1).

        ``∂p_o/∂η_h = p_o (δ_oh − p_h)`` and ``∂²p_o/∂η_h∂η_g =
        p_o (δ_og − p_g)(δ_oh − p_h) − p_o p_h (δ_hg − p_g)``.
        """
        p = softmax(np.column_stack([np.zeros(eta.shape[0]), eta]), axis=1)
        centred = self.own[None, :, :] - p[:, None, 1:]  # δ_oh − p_h, (m, K, K − 1)
        first = p[:, :, None] * centred
        if order == 1:
            return p, first
        p_rest = p[:, 1:]
        eye = np.eye(p_rest.shape[1])
        inner = p_rest[:, :, None] * (eye[None] - p_rest[:, None, :])  # p_h (δ_hg − p_g)
        second = p[:, :, None, None] * (
            centred[:, :, :, None] * centred[:, :, None, :] - inner[:, None, :, :]
        )
        return p, first, second


def discrete_columns(X, dummy, count):
    """Return ``{column: "dummy" | "count"}`` by statsmodels' rules.

    A dummy takes only the values 0 and 1 (both); a count takes non-negative
    integer values, not all equal, and is not a dummy.
    """
    if not (dummy or count):
        return {}
    low = np.asarray(X.min(axis=0).todense() if hasattr(X, "tocsr") else X.min(axis=0))
    high = np.asarray(X.max(axis=0).todense() if hasattr(X, "tocsr") else X.max(axis=0))
    low, high = low.ravel(), high.ravel()
    values = X.tocsc() if hasattr(X, "tocsr") else X
    integer = np.array(
        [np.all(np.mod(_column_values(values, j), 1.0) == 0) for j in range(X.shape[1])]
    )
    is_dummy = integer & (low == 0) & (high == 1)
    is_count = integer & (low >= 0) & (high > low) & ~is_dummy
    kinds = {}
    for j in range(X.shape[1]):
        if dummy and is_dummy[j]:
            kinds[j] = "dummy"
        elif count and is_count[j]:
            kinds[j] = "count"
    return kinds


def _column_values(X, j):
    if hasattr(X, "indptr"):
        return X.data[X.indptr[j] : X.indptr[j + 1]]
    return X[:, j]


def _changes(kind, column):
    """The two values a discrete feature is set to, their signs and the scale of the change."""
    if kind == "dummy":
        return [(np.ones_like(column), 1.0), (np.zeros_like(column), -1.0)], 1.0
    return [(column + 1.0, 1.0), (column - 1.0, -1.0)], 0.5


class _Accumulator:
    """Weighted sums, over chunks of rows, of the effects and of their gradients in θ.

    Parameters
    ----------
    response : SingleIndexResponse or SoftmaxResponse
        The outputs F and their derivatives in η.
    theta : ndarray of shape (H, k)
        The coefficients of each linear predictor, ``[intercept, slopes...]``.
    fit_intercept : bool
        Whether column 0 of ``x̃`` is the intercept.
    discrete : dict
        ``{feature: "dummy" | "count"}``.
    """

    def __init__(self, response, theta, fit_intercept, discrete):
        self.response, self.theta, self.discrete = response, theta, discrete
        self.first = int(fit_intercept)  # column of x̃ holding feature 0
        self.slopes = theta[:, self.first :]
        M, (H, k), p = response.n_outputs, theta.shape, self.slopes.shape[1]
        self.shape = (M, H, k, p)
        self.first_sum = np.zeros((M, H))  # Σ w ∂F/∂η
        self.second_sum = np.zeros((k, M * H * p))  # Σ w x̃ ⊗ (∂²F/∂η² B)
        self.change = {m: np.zeros(M) for m in discrete}
        self.change_grad = {m: np.zeros((M, H, k)) for m in discrete}
        # Positions of the rows with non-finite outputs (and their η), and of
        # those whose mean leaves the family's domain (and their means).
        self.nonfinite, self.outside = ([], []), ([], [])

    def _screen(self, start, weights, eta, value, *derivatives):
        """Record the rows of positive weight to report; zero the non-finite ones in place.

        Zeroed rows add nothing (a weight-0 row would add ``0 · inf = nan``);
        a row of positive weight among them makes the result undefined, and
        :func:`effects_and_jacobian` refuses it.
        """
        finite = np.isfinite(value).all(axis=1)
        for array in derivatives:
            finite &= np.isfinite(array.reshape(array.shape[0], -1)).all(axis=1)
        outside = self.response.outside(value) & finite & (weights > 0)
        for (positions, values), mask, source in (
            (self.outside, outside, value[:, 0]),
            (self.nonfinite, ~finite & (weights > 0), eta[:, 0]),
        ):
            positions.append(start + np.flatnonzero(mask))
            values.append(source[mask])
        if not finite.all():
            for array in (value, *derivatives):
                array[~finite] = 0.0

    def add(self, rows, weights, offset, start=0):
        """Add a chunk: ``rows`` (m, k) of ``x̃`` from row ``start``, their weights and offsets."""
        eta = rows @ self.theta.T
        if offset is not None:
            eta += offset[:, None]
        value, first, second = self.response.derivatives(eta)
        self._screen(start, weights, eta, value, first, second)
        self.first_sum += np.einsum("i,ioh->oh", weights, first)
        curvature = np.einsum("iohg,hm->iogm", second, self.slopes)
        self.second_sum += (weights[:, None] * rows).T @ curvature.reshape(rows.shape[0], -1)
        for m, kind in self.discrete.items():
            column = rows[:, self.first + m]
            versions, scale = _changes(kind, column)
            for values, sign in versions:
                shifted = rows.copy()
                shifted[:, self.first + m] = values
                moved = eta + np.outer(values - column, self.slopes[:, m])
                value, first = self.response.derivatives(moved, order=1)
                self._screen(start, weights, moved, value, first)
                self.change[m] += sign * scale * (weights @ value)
                self.change_grad[m] += (
                    sign * scale * np.einsum("i,iog,ir->ogr", weights, first, shifted)
                )

    def result(self, total_weight):
        """Return the mean effects (M, p) and their Jacobian (M, p, H, k) in θ."""
        M, H, k, p = self.shape
        effects = self.first_sum @ self.slopes
        jacobian = self.second_sum.reshape(k, M, H, p).transpose(1, 3, 2, 0).copy()
        for m in range(p):
            jacobian[:, m, :, self.first + m] += self.first_sum
        for m in self.discrete:
            effects[:, m] = self.change[m]
            jacobian[:, m] = self.change_grad[m]
        return effects / total_weight, jacobian / total_weight


def effects_and_jacobian(
    response, theta, X, fit_intercept, *, sample_weight, offset, discrete, label=None
):
    """Return the weighted average effects (M, p) and their Jacobian (M, p, H, k).

    ``X`` (dense or sparse) is read in chunks of rows, so the memory does not
    grow with the number of samples. ``label`` names the rows of ``X`` in
    messages when they are not the user's (``"the mean row of X"``); by
    default the messages give their positions in ``X``.

    Raises
    ------
    ValueError
        When the outputs or their derivatives in η are not finite at a row
        of positive weight (``exp(η)`` overflows, η at a pole of the link):
        the effects there, and so their average, are undefined.

    Warns
    -----
    DomainWarning
        When the mean of a row (or of a row with a discrete feature changed)
        lies outside the family's domain of the mean.
    """
    design = Design(X, fit_intercept)
    accumulator = _Accumulator(response, theta, fit_intercept, discrete)
    M, H, k, p = accumulator.shape
    chunk = max(1, _CHUNK_BYTES // (8 * M * H * max(H, p, k)))
    for start in range(0, design.n_rows, chunk):
        stop = min(start + chunk, design.n_rows)
        rows = design.dense_rows(start, stop)
        piece = None if offset is None else offset[start:stop]
        accumulator.add(rows, sample_weight[start:stop], piece, start)
    _report(accumulator, response, design.n_rows, label)
    return accumulator.result(sample_weight.sum())


def _report(accumulator, response, n_rows, label):
    """Raise for the non-finite rows, warn for the means outside the domain."""
    changed = " (or a discrete feature changed there)" if accumulator.discrete else ""
    reported = []
    for positions, values in (accumulator.nonfinite, accumulator.outside):
        rows, first = np.unique(np.concatenate(positions), return_index=True)
        where = label or f"{describe_rows(rows, n_rows)} of X"
        reported.append((rows, np.concatenate(values)[first], where + changed))
    rows, eta, where = reported[0]
    if rows.size:
        shown = ", ".join(f"{value:.4g}" for value in eta[:5])
        raise ValueError(
            f"marginal_effects: the mean response or its derivatives in η are not finite "
            f"at {where} (η = {shown}; exp(η) overflows float64 past η ≈ 709.78, and "
            "1/η has a pole at 0), so the effects there and their average are undefined. "
            "Such rows are far from the data the model was fitted on: remove them from X "
            "or give them sample_weight 0."
        )
    rows, mu, where = reported[1]
    if rows.size:
        warn_outside_domain(response.family, mu, where, method="marginal_effects")
