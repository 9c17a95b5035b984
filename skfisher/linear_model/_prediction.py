"""Confidence intervals for predicted means, by the delta method on the linear-predictor scale.

For a GLM the linear predictor ``η = x̃ᵀβ`` (``x̃ = [1, x]``) is linear in the
parameters, so its variance is exactly ``x̃ᵀ Σ x̃`` for the covariance ``Σ`` of
β̂ (``covariance_``, whatever its ``cov_type``). The Wald interval
``η̂ ± z sqrt(x̃ᵀ Σ x̃)`` is mapped through the inverse link: because the
inverse link is monotone, the image is an interval for the mean that stays in
the response's domain (a probability stays in [0, 1], a count mean stays
positive), which the symmetric interval ``μ̂ ± z se(μ̂)`` does not. This is
statsmodels' ``get_prediction(...).summary_frame()`` (its ``"endpoint"``
method) and R's ``predict(..., se.fit=TRUE)`` on the link scale.
"""

import numpy as np
from scipy.special import expit, log_softmax, logsumexp
from sklearn.base import is_classifier
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from .._containers import interval_container
from .._linalg import DESIGN_DTYPES, Design
from .._predicted import check_mean_domain, normal_quantile


def linear_predictor_covariance(design, covariance, n_blocks=1):
    """Return the covariance of the linear predictors of every row.

    Parameters
    ----------
    design : Design
        The rows ``x̃_i`` (``[1, x_i]`` with an intercept).
    covariance : ndarray of shape (n_blocks * k, n_blocks * k)
        The covariance of ``θ = [β_1, …, β_H]`` (block-major, each block the
        ``k = design.n_cols`` coefficients of one linear predictor).
    n_blocks : int, default=1
        H, the number of linear predictors (K − 1 for a multinomial logit).

    Returns
    -------
    covariances : ndarray of shape (n_samples, n_blocks, n_blocks)
        ``Cov(η_ih, η_ig) = x̃_iᵀ Σ_hg x̃_i``.

    Notes
    -----
    The quadratic forms are taken row by row over chunks of rows, never as
    the n × n matrix ``X̃ Σ X̃ᵀ`` whose diagonal they are: the cost is
    O(n H² k²) and the memory one chunk of about 1 MiB (a sparse chunk is
    made dense, so its size is bounded too).
    """
    k, n = design.n_cols, design.n_rows
    blocks = np.asarray(covariance, dtype=float).reshape(n_blocks, k, n_blocks, k)
    out = np.empty((n, n_blocks, n_blocks))
    chunk = max(1, design.chunk_rows // n_blocks)
    for start in range(0, n, chunk):
        rows = design.dense_rows(start, min(start + chunk, n))
        # (rows @ Σ_hg) · rows, summed over columns, for every pair (h, g).
        products = np.einsum("ia,hagb->ihgb", rows, blocks)
        out[start : start + rows.shape[0]] = np.einsum("ihgb,ib->ihg", products, rows)
    return out


def mean_interval(link, eta, half_width):
    """Map the interval ``η ± half_width`` through the inverse link; return (n, 2).

    The ends are sorted (a decreasing link such as ``inverse`` swaps them). An
    interval for η that reaches across a pole of the inverse link at 0
    (``link.pole_at_zero``) gives an infinite end on the side of the
    estimate; one across its turning point (``link.turns_at_zero``: ``sqrt``)
    gives the lower end 0. Other links have an inverse monotone on the whole
    real line.
    """
    lower, upper = eta - half_width, eta + half_width
    # Overflow gives the end inf (exp past 709.78), the limit of the true end.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ends = np.column_stack([link.inverse(lower), link.inverse(upper)])
    crosses = (lower <= 0) & (upper >= 0)
    if link.pole_at_zero and crosses.any():
        # Past the pole the mean leaves its branch: the interval is open to
        # ±∞ on the side of the estimate, closed at the image of the other end.
        with np.errstate(divide="ignore"):
            mu = link.inverse(eta[crosses])
        kept = np.where(eta[crosses] > 0, ends[crosses, 1], ends[crosses, 0])
        ends[crosses] = np.column_stack([kept, np.copysign(np.inf, mu)])
    ends = np.sort(ends, axis=1)
    if link.turns_at_zero and crosses.any():
        ends[crosses, 0] = link.inverse(0.0)
        with np.errstate(over="ignore"):
            ends[crosses, 1] = link.inverse(np.maximum(-lower[crosses], upper[crosses]))
    return ends


def softmax_intervals(eta, eta_covariance, z):
    """Intervals for multinomial probabilities by the delta method on their log-odds.

    Parameters
    ----------
    eta : ndarray of shape (n, K)
        Linear predictors, the reference column 0.
    eta_covariance : ndarray of shape (n, K − 1, K − 1)
        Covariance of the non-reference linear predictors of each row.
    z : float
        The normal quantile.

    Returns
    -------
    intervals : ndarray of shape (n, K, 2)
        ``expit(λ̂_j ± z se(λ̂_j))`` with ``λ_j = log(p_j / (1 − p_j))``.

    Notes
    -----
    With ``p = softmax(η)``, ``∂λ_j/∂η_h = (δ_jh − p_h)/(1 − p_j)`` for the
    non-reference classes h, so ``Var(λ̂_j) = d_jᵀ C d_j / (1 − p_j)²`` with
    ``d_jh = δ_jh − p_h`` and ``C`` the covariance of η. ``1 − p_j`` is the sum
    of the other classes' probabilities (exact when p_j is near 1).
    """
    log_p = log_softmax(eta, axis=1)
    p = np.exp(log_p)
    n, K = p.shape
    log_complement = np.empty_like(log_p)
    for j in range(K):
        log_complement[:, j] = logsumexp(np.delete(log_p, j, axis=1), axis=1)
    # d[i, j, h] = δ_{j, h+1} − p_{i, h+1} over the non-reference classes h.
    d = -np.broadcast_to(p[:, None, 1:], (n, K, K - 1)).copy()
    d[:, np.arange(1, K), np.arange(K - 1)] += 1.0
    variance = np.einsum("ijh,ihg,ijg->ij", d, eta_covariance, d)
    variance[variance < 0] = np.nan
    log_odds = log_p - log_complement
    half = z * np.sqrt(variance) / np.exp(log_complement)
    return np.stack([expit(log_odds - half), expit(log_odds + half)], axis=2)


class PredictionIntervalMixin:
    """``predict_interval`` (regressors) and ``predict_proba_interval`` (classifiers).

    Mixed into :class:`~skfisher.linear_model._base.BaseFisherGLM`; uses the
    fitted ``params_`` (the first ``n_cols`` entries are β; an estimated
    negative-binomial α follows and is not used), ``covariance_`` and the link.
    """

    def _eta_and_variance(self, X, offset=None):
        """Return ``η̂`` and ``Var(η̂) = x̃ᵀ Σ_ββ x̃`` of each row of ``X``."""
        check_is_fitted(self, "params_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=DESIGN_DTYPES, reset=False)
        design = Design(X, self.fit_intercept)
        k = design.n_cols
        eta = design.matvec(self.params_[:k])
        offset = self._validate_vector(offset, X, "offset")
        if offset is not None:
            eta = eta + offset
        variance = linear_predictor_covariance(design, self.covariance_[:k, :k])[:, 0, 0]
        # A parameter without a standard error (nan row of covariance_) leaves
        # the interval undefined: nan, not a falsely narrow interval.
        variance[variance < 0] = np.nan
        return eta, variance

    @available_if(lambda self: not is_classifier(self))
    def predict_interval(self, X, alpha=0.05, offset=None):
        """Return confidence intervals for the predicted mean ``μ = g⁻¹(η)``.

        The Wald interval ``η̂ ± z sqrt(x̃ᵀ Σ x̃)`` for the linear predictor
        (``Σ = covariance_``, so the estimator's ``cov_type`` is honoured),
        mapped through the inverse link ``g⁻¹``, so that it stays inside the
        domain of the mean; equal to statsmodels'
        ``GLMResults.get_prediction(X, offset=offset).summary_frame()``
        ``mean_ci_lower``/``mean_ci_upper``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float, default=0.05
            One minus the confidence level.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in ``fit`` (it carries no
            uncertainty).

        Returns
        -------
        intervals : ndarray of shape (n_samples, 2) or DataFrame
            Lower and upper ends for each sample; when ``X`` is a pandas or
            polars DataFrame, a DataFrame of the same library with columns
            ``["mean_ci_lower", "mean_ci_upper"]`` (pandas: ``X``'s index).
            Rows whose interval involves a parameter without a standard error
            (collinearity, separation) are ``nan``.

        Warns
        -----
        DomainWarning
            When a predicted mean, or an end of its interval, lies outside
            the family's domain of the mean (a negative gamma mean under the
            inverse link, a probability above 1 under the log link, ``inf``
            where ``exp(η)`` overflows); the rows are named.

        Notes
        -----
        For a decreasing link (``inverse``, ``inverse_squared``) the ends are
        swapped so that the first is the lower. When the interval for η
        reaches across 0, where those links have a pole, the upper end for μ
        is ``inf``; for the ``sqrt`` link (μ = η²) the lower end is then 0.
        The n × n matrix ``X̃ Σ X̃ᵀ`` is never formed (row-wise quadratic
        forms over chunks of rows).

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import FisherPoissonRegressor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(200, 2))
        >>> y = rng.poisson(np.exp(0.5 + X @ [0.3, -0.2]))
        >>> model = FisherPoissonRegressor().fit(X, y)
        >>> model.predict_interval(X[:2]).round(3)
        array([[1.626, 2.009],
               [1.764, 2.246]])
        """
        z = normal_quantile(alpha)
        eta, variance = self._eta_and_variance(X, offset)
        family, link = self._glm_family_link()
        intervals = mean_interval(link, eta, z * np.sqrt(variance))
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            mu = link.inverse(eta)
        check_mean_domain(family, mu, method="predict_interval", interval=intervals)
        return interval_container(X, intervals)

    @available_if(is_classifier)
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
        intervals : ndarray of shape (n_samples, 2) or (n_samples, n_classes, 2), or DataFrame
            With two classes, the interval for ``P(y = classes_[1] | x)``:
            ``expit(η̂ ± z sqrt(x̃ᵀ Σ x̃))``, equal to statsmodels'
            ``get_prediction`` mean interval of the logit GLM. With K > 2
            classes, ``intervals[i, j]`` is the interval for
            ``P(y = classes_[j] | x_i)``, every class included. For pandas
            input, a DataFrame indexed like ``X`` with the columns
            ``["mean_ci_lower", "mean_ci_upper"]`` (two classes) or the
            columns ``(class, "mean_ci_lower")``, ``(class, "mean_ci_upper")``
            for each class (a MultiIndex); for polars input, a polars
            DataFrame with those columns, ``"<class>:mean_ci_lower"`` and
            ``"<class>:mean_ci_upper"`` for each class.

        Notes
        -----
        ``Σ = covariance_`` (the estimator's ``cov_type``). With K > 2 classes
        there is no single linear predictor per class; each probability's
        log-odds ``λ_j = log(p_j/(1 − p_j))`` gets the delta-method interval
        ``λ̂_j ± z se(λ̂_j)`` from the gradient of the softmax, which is mapped
        back with ``expit``. The interval stays in (0, 1) and, with two
        classes, reduces to the binary interval above (there ``λ_1 = η``).
        The intervals are pointwise: the ends of the K classes need not sum
        to one.
        """
        z = normal_quantile(alpha)
        if len(self.classes_) == 2:
            eta, variance = self._eta_and_variance(X)
            intervals = expit(eta[:, None] + np.outer(z * np.sqrt(variance), [-1.0, 1.0]))
            return interval_container(X, intervals)
        check_is_fitted(self, "params_")
        data = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=DESIGN_DTYPES, reset=False
        )
        design = Design(data, self.fit_intercept)
        n_blocks = len(self.classes_) - 1
        eta_covariance = linear_predictor_covariance(design, self.covariance_, n_blocks)
        blocks = self.params_.reshape(n_blocks, design.n_cols)
        eta = np.column_stack([np.zeros(design.n_rows), *(design.matvec(b) for b in blocks)])
        intervals = softmax_intervals(eta, eta_covariance, z)
        return interval_container(X, intervals, self.classes_)
