"""The ``marginal_effects`` method of the GLM estimators, and its table.

:class:`MarginalEffectsMixin` gives the estimators their ``marginal_effects``
method; the kernel that averages the effects and their Jacobian over chunks of
rows is :mod:`skfisher._effects`. Both sit in the core, below the estimators
that inherit the mixin; :mod:`skfisher.margins` is their public home.
"""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._effects import (
    SingleIndexResponse,
    SoftmaxResponse,
    discrete_columns,
    effects_and_jacobian,
)
from ._predicted import normal_quantile
from ._summary import SummaryTable

__all__ = ["MarginalEffectsMixin", "MarginalEffectsTable"]

KINDS = ("average", "at_mean")


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
        feature_names=None,
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
        feature_names : array-like of str of shape (n_features,), default=None
            The names of the columns of ``X`` in the table; default
            ``feature_names_in_`` (or ``x0``, ``x1``, … after a fit on an
            array). :func:`skfisher.inference.marginal_effects` passes the
            output names of a pipeline's transforms here.

        Returns
        -------
        table : MarginalEffectsTable
            The effects ``dy/dx`` with delta-method standard errors, z,
            p-values and intervals; ``table.to_frame()`` gives a DataFrame.
            The response is the mean of a GLM (``predict``), ``P(y =
            classes_[1])`` for binary logistic regression and, with K > 2
            classes, every class probability (rows ``"<class>:<feature>"``).

        Raises
        ------
        ValueError
            When the mean or its derivatives are not finite at a row of ``X``
            of positive weight (``exp(η)`` overflows past η ≈ 709.78, or η is
            at a pole of the link): the effects are undefined there.

        Warns
        -----
        DomainWarning
            When the mean of a row of ``X`` lies outside the family's domain
            (a negative gamma mean under the inverse link, a probability above
            1 under the log link); the rows are named.

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
        X, sample_weight = self._margins_sample(X, kind, alpha, sample_weight)
        offset = self._validate_vector(offset, X, "offset")
        features = self._margins_features(feature_names)
        response, theta, names, groups = self._margins_model(offset, features)
        discrete = discrete_columns(X, dummy, count)
        n_rows, label = X.shape[0], None
        if kind == "at_mean":
            X, offset, sample_weight = _mean_row(X, offset, sample_weight)
            label = "the mean row of X"
        effects, jacobian = effects_and_jacobian(
            response,
            theta,
            X,
            self.fit_intercept,
            sample_weight=sample_weight,
            offset=offset,
            discrete=discrete,
            label=label,
        )
        full = np.zeros((effects.size, len(self.params_)))
        full[:, : theta.size] = jacobian.reshape(effects.size, theta.size)
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

    def _margins_sample(self, X, kind, alpha, sample_weight):
        """Check the arguments of ``marginal_effects``; return ``X`` and the weights."""
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
        return X, sample_weight

    def _margins_features(self, feature_names):
        """Return the names of the features, ``feature_names`` if given, as strings."""
        if feature_names is None:
            return self._feature_names()
        names = [str(name) for name in np.asarray(feature_names, dtype=object).ravel()]
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"feature_names has {len(names)} names but {type(self).__name__} was fitted "
                f"with {self.n_features_in_} features; pass one name per column of X."
            )
        return names

    def _margins_model(self, offset, features):
        """Return the response, θ as (H, k), the row names and the print groups."""
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
        family, link = self._glm_family_link()
        response = SingleIndexResponse(link, family)
        return response, self.params_[:k][None, :], features, None

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
