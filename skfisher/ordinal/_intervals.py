"""Confidence intervals for the predicted probabilities of a cumulative-link model.

The cumulative predictors ``γ_j = θ_j − xᵀβ`` of a row are linear in the
parameters, so their covariance is exact: with ``Σ = covariance_`` split into
``Σ_ββ``, ``Σ_βθ`` and ``Σ_θθ``,

    Cov(γ_j, γ_h) = Σ_θθ[j, h] − xᵀΣ_βθ[:, j] − xᵀΣ_βθ[:, h] + xᵀΣ_ββ x.

A cumulative probability ``F(γ_j)`` gets the Wald interval of ``γ_j`` mapped
through ``F`` (the GLMs' ``predict_interval``). A class probability
``p_k = F(γ_k) − F(γ_{k−1})`` depends on two predictors: its delta-method
variance ``d_kᵀ C d_k``, with ``d_k = f(γ_k) e_k − f(γ_{k−1}) e_{k−1}``, is
carried to its log-odds ``λ_k = log(p_k / (1 − p_k))`` and the interval
``λ̂_k ± z se(λ̂_k)`` mapped back with ``expit``, as for the multinomial logit
(:func:`skfisher.linear_model._prediction.softmax_intervals`): it stays in
(0, 1). For the first class under the logit link ``λ_0 = γ_0``, and the two
intervals agree.
"""

import numpy as np
from scipy.special import expit
from sklearn.utils.validation import check_is_fitted, validate_data

from .._containers import interval_container
from .._linalg import Design
from .._predicted import normal_quantile
from ._problem import CumulativeState


def cumulative_predictor_covariance(X, covariance, n_features):
    """Return the covariance of the cumulative predictors γ of every row.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The rows x.
    covariance : ndarray of shape (n_params, n_params)
        The covariance of ``[β, θ]``.
    n_features : int
        The number p of entries of β.

    Returns
    -------
    covariances : ndarray of shape (n_samples, n_thresholds, n_thresholds)
        ``Cov(γ_ij, γ_ih)``, from the formula of the module's docstring; the
        quadratic form ``xᵀΣ_ββ x`` is taken over chunks of rows, never as
        the n × n matrix ``X Σ_ββ Xᵀ``.
    """
    p = n_features
    beta_beta, beta_theta = covariance[:p, :p], covariance[:p, p:]
    theta_theta = covariance[p:, p:]
    design = Design(X, fit_intercept=False)
    quadratic = np.empty(design.n_rows)
    for start in range(0, design.n_rows, design.chunk_rows):
        rows = design.dense_rows(start, min(start + design.chunk_rows, design.n_rows))
        quadratic[start : start + rows.shape[0]] = np.einsum("ia,ab,ib->i", rows, beta_beta, rows)
    cross = np.asarray(X @ beta_theta, dtype=float).reshape(design.n_rows, -1)
    return (
        theta_theta[None, :, :] - cross[:, :, None] - cross[:, None, :] + quadratic[:, None, None]
    )


def class_proba_intervals(state, gamma_covariance, z):
    """Intervals for the class probabilities on their log-odds scale, shape (n, K, 2).

    Parameters
    ----------
    state : CumulativeState
        The rows' cumulative predictors and the link.
    gamma_covariance : ndarray of shape (n, K − 1, K − 1)
        The covariance of each row's γ.
    z : float
        The normal quantile.

    Notes
    -----
    ``1 − p_k = F(γ_{k−1}) + (1 − F(γ_k))`` is summed from the two tails, so
    that it keeps its digits where ``p_k`` is near 1.
    """
    n, H = gamma_covariance.shape[:2]
    padded = np.zeros((n, H + 2, H + 2))
    padded[:, 1:-1, 1:-1] = gamma_covariance
    diagonal = np.diagonal(padded, axis1=1, axis2=2)
    below = np.diagonal(padded, offset=1, axis1=1, axis2=2)  # Cov(γ_{k−1}, γ_k)
    f = state.density
    # p_k is bounded by the padded columns k (below) and k + 1 (above).
    variance = (
        f[:, 1:] ** 2 * diagonal[:, 1:]
        + f[:, :-1] ** 2 * diagonal[:, :-1]
        - 2.0 * f[:, 1:] * f[:, :-1] * below
    )
    variance[variance < 0] = np.nan
    p = state.proba
    complement = state.cdf[:, :-1] + state.sf[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(p) - np.log(complement)
        half = z * np.sqrt(variance) / (p * complement)
    return np.stack([expit(log_odds - half), expit(log_odds + half)], axis=2)


class OrdinalIntervalMixin:
    """``predict_proba_interval`` and ``predict_cumulative_proba_interval`` of an ordinal model.

    Uses the fitted ``coef_``, ``thresholds_``, ``link_`` and ``covariance_``
    (so the estimator's ``cov_type``).
    """

    def _gamma_and_covariance(self, X):
        """Return the cumulative state of the rows of ``X`` and the covariance of their γ."""
        check_is_fitted(self, "params_")
        data = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False)
        eta = np.asarray(data @ self.coef_, dtype=float).ravel()
        state = CumulativeState(self.link_, eta, self.thresholds_)
        covariance = cumulative_predictor_covariance(data, self.covariance_, self.n_features_in_)
        return state, covariance

    def predict_proba_interval(self, X, alpha=0.05):
        """Return confidence intervals for the predicted class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        intervals : ndarray of shape (n_samples, n_classes, 2) or DataFrame
            ``intervals[i, k]`` is the interval for ``P(y = classes_[k] | x_i)``,
            every class included. For pandas input, a DataFrame indexed like
            ``X`` with the columns ``(class, "mean_ci_lower")``, ``(class,
            "mean_ci_upper")`` for each class (a MultiIndex); for polars
            input, a polars DataFrame with the columns
            ``"<class>:mean_ci_lower"`` and ``"<class>:mean_ci_upper"``. Rows
            whose interval involves a parameter without a standard error
            (separation) are ``nan``.

        Notes
        -----
        With ``γ_j = θ_j − xᵀβ`` and ``p_k = F(γ_k) − F(γ_{k−1})``, the
        gradient of ``p_k`` in the parameters is ``−x (f(γ_k) − f(γ_{k−1}))``
        in β, ``f(γ_k)`` in θ_k and ``−f(γ_{k−1})`` in θ_{k−1}. Its
        delta-method variance with ``Σ = covariance_`` is carried to the
        log-odds ``λ_k = log(p_k/(1 − p_k))``, and ``expit(λ̂_k ± z se(λ̂_k))``
        is the interval: it stays in (0, 1) and contains ``p̂_k``. The
        intervals are pointwise: the ends of the K classes need not sum to
        one. See :mod:`skfisher.ordinal._intervals`.

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import FisherOrdinalRegression
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(500, 2))
        >>> y = np.digitize(X @ [1.0, -0.5] + rng.logistic(size=500), [-1.0, 0.5, 2.0])
        >>> model = FisherOrdinalRegression().fit(X, y)
        >>> model.predict_proba_interval(X[:1]).round(3)
        array([[[0.249, 0.336],
                [0.225, 0.312],
                [0.235, 0.325],
                [0.134, 0.203]]])
        """
        z = normal_quantile(alpha)
        state, covariance = self._gamma_and_covariance(X)
        intervals = class_proba_intervals(state, covariance, z)
        return interval_container(X, intervals, self.classes_)

    def predict_cumulative_proba_interval(self, X, alpha=0.05):
        """Return confidence intervals for ``P(y ≤ classes_[j] | x)``, j = 0, …, K − 2.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        intervals : ndarray of shape (n_samples, n_classes - 1, 2) or DataFrame
            ``F(γ̂_j ± z se(γ̂_j))`` with ``γ_j = θ_j − xᵀβ`` and its exact
            variance under ``covariance_``: the interval for the linear
            predictor mapped through the increasing ``F``, as the GLMs'
            ``predict_interval``. For DataFrame input the columns are those
            of :meth:`predict_proba_interval` for the first K − 1 classes
            (``P(y ≤ class)``).
        """
        z = normal_quantile(alpha)
        state, covariance = self._gamma_and_covariance(X)
        variance = np.diagonal(covariance, axis1=1, axis2=2).copy()
        variance[variance < 0] = np.nan
        half = z * np.sqrt(variance)
        gamma = state.gamma
        intervals = np.stack(
            [self.link_.inverse(gamma - half), self.link_.inverse(gamma + half)], axis=2
        )
        return interval_container(X, intervals, self.classes_[:-1])
