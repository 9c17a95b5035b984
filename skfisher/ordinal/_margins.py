"""Marginal effects of the features on each class probability of a cumulative-link model.

The kernel :func:`skfisher._effects.effects_and_jacobian` takes outputs of H
linear predictors ``x̃ᵀθ_h`` (``x̃ = [1, x]``). The cumulative predictors
``γ_h = θ_h − xᵀβ`` are of that form, with the rows ``[θ_h, −β]``, and the K
class probabilities ``p_k = F(γ_k) − F(γ_{k−1})`` are its outputs
(:class:`CumulativeResponse`):

    ∂p_k/∂γ_h = f(γ_h) (δ_hk − δ_{h,k−1}),
    ∂²p_k/∂γ_h∂γ_g = f'(γ_h) (δ_hk − δ_{h,k−1}) δ_hg.

The effect of a continuous feature is then
``∂p_k/∂x_m = −β_m (f(γ_k) − f(γ_{k−1}))``, and the kernel's Jacobian in the
rows ``[θ_h, −β]`` maps to ``params_ = [β, θ]`` by the chain rule: the
column of ``θ_h`` is that of the h-th intercept, the column of ``β_m`` minus
the sum over h of the columns of the h-th slope m.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._effects import discrete_columns, effects_and_jacobian
from .._marginal import MarginalEffectsMixin, MarginalEffectsTable, _mean_row
from ._problem import CumulativeState


class CumulativeResponse:
    """The K class probabilities of a cumulative-link model as outputs of its K − 1 γ.

    Parameters
    ----------
    link : Link
        ``F = link.inverse``.
    thresholds : ndarray of shape (K − 1,)
        θ; the rows' γ are ``θ − η`` for one η per row.
    """

    def __init__(self, link, thresholds):
        self.link = link
        self.thresholds = np.asarray(thresholds, dtype=float)
        self.n_outputs = self.thresholds.size + 1
        self.family = None
        # bounds[k, h] = δ_hk − δ_{h,k−1}: γ_h bounds class k above (+) or below (−).
        eye = np.eye(self.n_outputs, self.thresholds.size)
        self.bounds = eye - np.eye(self.n_outputs, self.thresholds.size, k=-1)

    def outside(self, value):
        """Return no rows: the class probabilities are a probability vector for every γ."""
        return np.zeros(value.shape[0], dtype=bool)

    def derivatives(self, gamma, order=2):
        """Return ``p`` (m, K), ``∂p/∂γ`` (m, K, K−1) and ``∂²p/∂γ²`` (m, K, K−1, K−1)."""
        # Every row's γ is θ − η (the kernel shifts all of them together when
        # a discrete feature changes), so the state is rebuilt from η.
        eta = self.thresholds[0] - gamma[:, 0]
        state = CumulativeState(self.link, eta, self.thresholds)
        first = state.density[:, None, 1:-1] * self.bounds[None]
        if order == 1:
            return state.proba, first
        m, K, H = first.shape
        second = np.zeros((m, K, H, H))
        diagonal = state.slope[:, None, 1:-1] * self.bounds[None]
        second[:, :, np.arange(H), np.arange(H)] = diagonal
        return state.proba, first, second


class OrdinalMarginsMixin(MarginalEffectsMixin):
    """``marginal_effects`` on every class probability of an ordinal model."""

    def marginal_effects(
        self,
        X=None,
        kind="average",
        *,
        dummy=False,
        count=False,
        alpha=0.05,
        sample_weight=None,
        feature_names=None,
    ):
        """Return the marginal effects of the features on each class probability.

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
            discrete change ``p_k(x_m = 1) − p_k(x_m = 0)`` instead of the
            derivative.
        count : bool, default=False
            Give the features with non-negative integer values (not 0/1) in
            ``X`` the centred change ``[p_k(x_m + 1) − p_k(x_m − 1)] / 2``.
        alpha : float, default=0.05
            One minus the confidence level of the intervals.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows of ``X`` in the average and the mean row.
        feature_names : array-like of str of shape (n_features,), default=None
            The names of the columns of ``X`` in the table; default
            ``feature_names_in_`` (or ``x0``, ``x1``, …).

        Returns
        -------
        table : MarginalEffectsTable
            One block per class, rows ``"<class>:<feature>"`` class-major,
            with the effects ``dy/dx`` on ``P(y = class)``, delta-method
            standard errors, z, p-values and intervals;
            ``table.to_frame()`` gives a DataFrame. The effects of a feature
            sum to zero over the classes.

        Notes
        -----
        With ``γ_k = θ_k − xᵀβ``, ``∂p_k/∂x_m = −β_m (f(γ_k) − f(γ_{k−1}))``:
        the effect on the lowest class has the sign of ``−β_m``, on the
        highest that of ``β_m``. The Jacobian of the averaged effects in
        ``params_`` is analytic (see :mod:`skfisher.ordinal._margins`) and the
        covariance of the effects is ``G Σ Gᵀ`` with ``Σ = covariance_`` (the
        estimator's ``cov_type``); ``X`` is treated as fixed.

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import FisherOrdinalRegression
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(500, 2))
        >>> y = np.digitize(X @ [1.0, -0.5] + rng.logistic(size=500), [-1.0, 0.5, 2.0])
        >>> model = FisherOrdinalRegression().fit(X, y)
        >>> model.marginal_effects(X).to_frame().round(3).iloc[:4, :2]
              dy/dx  std err
        0:x0 -0.194    0.014
        0:x1  0.095    0.016
        1:x0 -0.005    0.005
        1:x1  0.002    0.003
        """
        check_is_fitted(self, "params_")
        X, sample_weight = self._margins_sample(X, kind, alpha, sample_weight)
        features = self._margins_features(feature_names)
        discrete = discrete_columns(X, dummy, count)
        n_rows, label = X.shape[0], None
        if kind == "at_mean":
            X, _, sample_weight = _mean_row(X, None, sample_weight)
            label = "the mean row of X"
        n_thresholds = self.thresholds_.size
        rows = np.column_stack([self.thresholds_, np.tile(-self.coef_, (n_thresholds, 1))])
        effects, jacobian = effects_and_jacobian(
            CumulativeResponse(self.link_, self.thresholds_),
            rows,
            X,
            True,
            sample_weight=sample_weight,
            offset=None,
            discrete=discrete,
            label=label,
        )
        # (K, p, H, 1 + p) in the rows [θ_h, −β] to (K p, p + H) in [β, θ].
        full = np.concatenate([-jacobian[..., 1:].sum(axis=2), jacobian[..., 0]], axis=-1)
        full = full.reshape(effects.size, self.params_.size)
        classes = list(self.classes_)
        table = MarginalEffectsTable(
            f"{type(self).__name__} marginal effects",
            self._margins_info(kind, n_rows, [features[m] for m in discrete]),
            [f"{value}:{name}" for value in classes for name in features],
            full,
            self.covariance_,
            effects=effects.ravel(),
            alpha=alpha,
            groups=(classes, len(features)),
        )
        table.discrete = [features[m] for m in sorted(discrete)]
        return table
