"""Marginal effects of GLMs and of the multinomial logit, with delta-method standard errors.

The marginal effect of a feature ``x_m`` on the mean response ``F(x)`` is
``∂F/∂x_m`` at each sample; the *average* marginal effect averages it over a
sample, the effect *at the mean* evaluates it at the sample's mean row. For a
0/1 feature (``dummy=True``) the effect is the discrete change
``F(x; x_m = 1) − F(x; x_m = 0)``, for a count feature (``count=True``) the
centred change ``[F(x; x_m + 1) − F(x; x_m − 1)] / 2``, as statsmodels'
``get_margeff(dummy=True, count=True)``.

Every effect ``m(θ)`` is a smooth function of the parameters, so its
covariance is ``G Σ Gᵀ`` (the delta method) with ``Σ = covariance_`` and the
Jacobian ``G = ∂m/∂θ``, here analytic (statsmodels differentiates numerically).

The models are written as K outputs ``F_o`` of H linear predictors
``η_h = x̃ᵀθ_h`` (``x̃ = [1, x]``): a GLM has one output ``g⁻¹(η)`` of one
predictor; the multinomial logit has the K class probabilities
``softmax(0, η_1, …, η_{K−1})``. With ``B`` the (H, p) slopes, the effect of a
continuous feature is ``Σ_h ∂F_o/∂η_h B_hm`` and its gradient in ``θ_g`` is
``Σ_h ∂²F_o/∂η_h∂η_g B_hm x̃ + ∂F_o/∂η_g e_m``, so only the first two
derivatives of the outputs in η are needed.
"""

import numpy as np
from scipy.special import softmax
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._linalg import Design
from ._summary import SummaryTable
from .linear_model._prediction import dense_rows, normal_quantile

__all__ = [
    "MarginalEffectsMixin",
    "MarginalEffectsTable",
    "SingleIndexResponse",
    "SoftmaxResponse",
    "discrete_columns",
    "effects_and_jacobian",
]

KINDS = ("average", "at_mean")

# Bytes of the per-chunk (rows × outputs × predictors × features) arrays.
_CHUNK_BYTES = 1 << 23


class SingleIndexResponse:
    """The mean ``μ = g⁻¹(η)`` of a GLM: one output of one linear predictor."""

    def __init__(self, link):
        self.link = link
        self.n_outputs = 1

    def derivatives(self, eta, order=2):
        """Return ``F`` (m, 1), ``∂F/∂η`` (m, 1, 1) and, with order 2, ``∂²F/∂η²`` (m, 1, 1, 1)."""
        eta = eta[:, 0]
        value = self.link.inverse(eta)[:, None]
        first = self.link.inverse_deriv(eta)[:, None, None]
        if order == 1:
            return value, first
        return value, first, self.link.inverse_deriv2(eta)[:, None, None, None]


class SoftmaxResponse:
    """The K class probabilities of the multinomial logit, the reference ``η_0 = 0``."""

    def __init__(self, n_classes):
        self.n_outputs = int(n_classes)
        # own[o, h] = δ(o, h + 1): class o is the h-th non-reference class.
        self.own = np.eye(self.n_outputs)[:, 1:]

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

    def add(self, rows, weights, offset):
        """Add a chunk: ``rows`` (m, k) of ``x̃``, their weights and offsets (or None)."""
        eta = rows @ self.theta.T
        if offset is not None:
            eta += offset[:, None]
        _, first, second = self.response.derivatives(eta)
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


def effects_and_jacobian(response, theta, X, fit_intercept, *, sample_weight, offset, discrete):
    """Return the weighted average effects (M, p) and their Jacobian (M, p, H, k).

    ``X`` (dense or sparse) is read in chunks of rows, so the memory does not
    grow with the number of samples.
    """
    design = Design(X, fit_intercept)
    accumulator = _Accumulator(response, theta, fit_intercept, discrete)
    M, H, k, p = accumulator.shape
    chunk = max(1, _CHUNK_BYTES // (8 * M * H * max(H, p, k)))
    for start in range(0, design.n_rows, chunk):
        stop = min(start + chunk, design.n_rows)
        rows = dense_rows(design, start, stop)
        piece = None if offset is None else offset[start:stop]
        accumulator.add(rows, sample_weight[start:stop], piece)
    return accumulator.result(sample_weight.sum())


class MarginalEffectsTable(SummaryTable):
    """Marginal effects with delta-method standard errors, z, p-values and intervals.

    Prints like :meth:`summary` (and statsmodels' ``get_margeff().summary()``);
    :meth:`to_frame` gives a pandas DataFrame indexed by ``names``.

    Attributes
    ----------
    names : list of str
        The features; with K > 2 classes ``"<class>:<feature>"``, class-major
        over every class (the reference included).
    effects : ndarray of shape (n_effects,)
        The marginal effects (also ``params``).
    standard_errors : ndarray of shape (n_effects,)
        Their delta-method standard errors.
    covariance : ndarray of shape (n_effects, n_effects)
        ``G Σ Gᵀ``, the covariance of the effects.
    jacobian : ndarray of shape (n_effects, n_params)
        ``G``, the derivative of the effects in ``params_``.
    z, pvalues, conf_int : ndarray
        Wald statistics, two-sided normal p-values and intervals.
    discrete : list of str
        The features whose effect is a discrete change (dummy or count).
    """

    def __init__(self, title, info, names, jacobian, covariance, *, effects, alpha, groups=None):
        with np.errstate(invalid="ignore"):
            self.covariance = jacobian @ covariance @ jacobian.T
        variances = np.diag(self.covariance).copy()
        variances[variances < 0] = np.nan
        super().__init__(title, info, names, effects, np.sqrt(variances), alpha=alpha)
        self.jacobian = jacobian
        self.effects = self.params
        self.groups = groups

    @property
    def columns(self):
        """The column headings of the table."""
        return ["dy/dx", *super().columns[1:]]

    def __str__(self):
        if self.groups is None:
            return super().__str__()
        labels, size = self.groups
        short = SummaryTable.__new__(MarginalEffectsTable)
        short.__dict__.update(self.__dict__)
        short.groups = None
        # Strip each "<class>:" prefix by its length: a label may contain a colon.
        prefixes = [len(f"{label}:") for label in labels for _ in range(size)]
        short.names = ["  " + name[n:] for name, n in zip(self.names, prefixes, strict=True)]
        lines = str(short).split("\n")
        first_row = next(i for i, line in enumerate(lines) if line and set(line) == {"-"}) + 1
        for g, label in reversed(list(enumerate(labels))):
            lines.insert(first_row + g * size, f"P(y = {_label(label)!r})")
        return "\n".join(lines)


class MarginalEffectsMixin:
    """``marginal_effects`` for the GLM estimators and the (multinomial) logistic regression."""

    def marginal_effects(
        self,
        X=None,
        kind="average",
        *,
        dummy=False,
        count=False,
        alpha=0.05,
        sample_weight=None,
        offset=None,
    ):
        """Return the marginal effects of the features on the mean response.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The sample to average over (or whose mean row to evaluate at);
            usually the training data. Required: the estimator does not keep
            its training data.
        kind : {"average", "at_mean"}, default="average"
            ``"average"``: the mean over the rows of ``X`` of each row's
            effect (statsmodels ``at="overall"``); ``"at_mean"``: the effect at
            the (weighted) mean row of ``X`` (``at="mean"``).
        dummy : bool, default=False
            Give the features that take only the values 0 and 1 in ``X`` the
            discrete change ``F(x_m = 1) − F(x_m = 0)`` instead of the
            derivative.
        count : bool, default=False
            Give the features with non-negative integer values (not 0/1) in
            ``X`` the centred change ``[F(x_m + 1) − F(x_m − 1)] / 2``.
        alpha : float, default=0.05
            One minus the confidence level of the intervals.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows of ``X`` in the average and the mean row.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in ``fit`` (not with K > 2
            classes).

        Returns
        -------
        table : MarginalEffectsTable
            The effects ``dy/dx`` with delta-method standard errors, z,
            p-values and intervals; ``table.to_frame()`` gives a DataFrame.
            The response is the mean of a GLM (``predict``), ``P(y =
            classes_[1])`` for binary logistic regression and, with K > 2
            classes, every class probability (rows ``"<class>:<feature>"``).

        Notes
        -----
        For a GLM, ``∂μ/∂x_m = g⁻¹'(η) β_m``; its gradient in β is
        ``g⁻¹''(η) β_m x̃ + g⁻¹'(η) e_m``. For the multinomial logit,
        ``∂p_j/∂x_m = p_j (β_jm − Σ_l p_l β_lm)``. Averages and their
        gradients are accumulated over chunks of rows, and the covariance of
        the effects is ``G Σ Gᵀ`` with ``Σ = covariance_`` (the estimator's
        ``cov_type``). The standard errors treat ``X`` as fixed, as
        statsmodels' ``get_margeff`` and Stata's ``margins`` by default.

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import FisherLogisticRegression
        >>> rng = np.random.default_rng(0)
        >>> X = np.column_stack([rng.normal(size=500), rng.integers(0, 2, 500)])
        >>> y = (rng.random(500) < 1 / (1 + np.exp(-(X @ [1.0, 0.5])))).astype(int)
        >>> model = FisherLogisticRegression().fit(X, y)
        >>> table = model.marginal_effects(X, dummy=True)
        >>> table.to_frame().round(3).iloc[:, :2]
            dy/dx  std err
        x0  0.203    0.017
        x1  0.089    0.040
        """
        check_is_fitted(self, "params_")
        if X is None:
            raise ValueError(
                "marginal_effects needs the sample X to average over (or whose mean row to "
                "use); the estimator does not keep its training data. Pass "
                "marginal_effects(X_train) or any other sample."
            )
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}.")
        normal_quantile(alpha)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False)
        if X.shape[0] == 0:
            raise ValueError("X has no rows; marginal effects need at least one sample.")
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if np.any(sample_weight < 0) or not sample_weight.sum() > 0:
            raise ValueError(
                "sample_weight must be non-negative with a positive sum; got a sum of "
                f"{sample_weight.sum():g} and minimum {sample_weight.min():g}."
            )
        offset = self._validate_vector(offset, X, "offset")
        response, theta, names, groups = self._margins_model(offset)
        discrete = discrete_columns(X, dummy, count)
        n_rows = X.shape[0]
        if kind == "at_mean":
            X, offset, sample_weight = _mean_row(X, offset, sample_weight)
        effects, jacobian = effects_and_jacobian(
            response,
            theta,
            X,
            self.fit_intercept,
            sample_weight=sample_weight,
            offset=offset,
            discrete=discrete,
        )
        full = np.zeros((effects.size, len(self.params_)))
        full[:, : theta.size] = jacobian.reshape(effects.size, theta.size)
        features = self._feature_names()
        info = self._margins_info(kind, n_rows, [features[m] for m in discrete])
        title = f"{type(self).__name__} marginal effects"
        table = MarginalEffectsTable(
            title,
            info,
            names,
            full,
            self.covariance_,
            effects=effects.ravel(),
            alpha=alpha,
            groups=groups,
        )
        table.discrete = [features[m] for m in sorted(discrete)]
        return table

    def _margins_model(self, offset):
        """Return the response, θ as (H, k), the row names and the print groups."""
        features = self._feature_names()
        k = len(features) + int(self.fit_intercept)
        classes = getattr(self, "classes_", None)
        if classes is not None and len(classes) > 2:
            if offset is not None:
                raise ValueError(
                    "offset is not used by the multinomial logit (it was not fitted with "
                    "one); call marginal_effects without offset."
                )
            theta = self.params_.reshape(len(classes) - 1, k)
            names = [f"{label}:{name}" for label in classes for name in features]
            return SoftmaxResponse(len(classes)), theta, names, (list(classes), len(features))
        _, link = self._glm_family_link()
        return SingleIndexResponse(link), self.params_[:k][None, :], features, None

    def _margins_info(self, kind, n_rows, discrete):
        classes = getattr(self, "classes_", None)
        if classes is None:
            response = "E[y | x]"
        elif len(classes) == 2:
            response = f"P(y = {_label(classes[1])!r})"
        else:
            response = "P(y = class)"
        at = "averaged over X" if kind == "average" else "at the mean of X"
        return [
            ("Response", response),
            ("Effect", f"dy/dx {at}"),
            ("Rows of X", n_rows),
            ("Covariance", self.cov_type),
            ("Discrete change", ", ".join(discrete) if discrete else "none"),
        ]


def _label(value):
    """A class label as a plain Python value (``1``, not ``np.int64(1)``)."""
    return value.item() if hasattr(value, "item") else value


def _mean_row(X, offset, sample_weight):
    """Return the weighted mean row of ``X`` (1, p), its offset and the weight 1."""
    total = sample_weight.sum()
    row = np.asarray(X.T @ sample_weight, dtype=float).reshape(1, -1) / total
    mean_offset = None if offset is None else np.array([offset @ sample_weight / total])
    return row, mean_offset, np.ones(1)
