"""``FisherZeroInflatedRegressor``: Poisson or negative binomial counts with structural zeros."""

import numpy as np
from scipy.special import expit, log_expit

from ._base import CountRegressorBase
from ._fit import START_TOL, count_fit, inflated_start


class FisherZeroInflatedRegressor(CountRegressorBase):
    """Zero-inflated Poisson or negative binomial regression, with standard errors.

    A count is 0 with probability ``π(z)`` (a structural zero) and otherwise
    drawn from the count distribution ``f(· ; μ(x))``:

        P(Y = 0 | x) = π + (1 − π) f(0),    P(Y = y | x) = (1 − π) f(y),  y > 0,

    with ``log μ = β₀ + xᵀβ (+ offset)`` and ``logit π = γ₀ + zᵀγ``, ``z`` the
    columns ``inflation_features`` of X: R's ``pscl::zeroinfl`` and
    statsmodels' ``ZeroInflatedPoisson`` / ``ZeroInflatedNegativeBinomialP(p=2)``.

    Parameters
    ----------
    family : {"poisson", "negative_binomial"}, default="poisson"
        The count part: Poisson, or NB2 (``Var = μ + α μ²``) with α estimated.
    inflation_features : list of int or str, default=None
        The columns of X in the inflation part: None, the same columns as the
        count part; a list of column indices or names; ``[]``, a constant only
        (``pscl::zeroinfl(y ~ x | 1)``).
    alpha : float, default=0.0
        L2 penalty ``½ alpha Σw ||·||²`` on the coefficients of both parts
        (not on the intercepts nor on the negative binomial's α).
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report; all
        are at hand after the fit from :meth:`covariance`. statsmodels'
        ``bse`` and R's ``summary(zeroinfl)`` are ``"observed"``.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        ``[count: intercept, coef…, inflation: intercept, coef…, alpha]``.
    param_names_ : ndarray of shape (n_params,)
        ``"count:intercept"``, ``"count:<feature>"``, ``"inflation:intercept"``,
        ``"inflation:<feature>"`` and, for the negative binomial, ``"alpha"``.
    intercept_, coef_ : float, ndarray of shape (n_features,)
        The count part's β₀ and β.
    inflation_intercept_, inflation_coef_ : float, ndarray
        The inflation part's γ₀ and γ.
    alpha_ : float
        The negative binomial's α (``family="negative_binomial"`` only).
    zero_columns_ : ndarray of int
        The columns of X in the inflation part.
    max_count_ : int
        The largest count seen in ``fit`` (:meth:`predict_proba`'s default).
    information_, observed_information_, empirical_fisher_ : ndarray
        The expected information (in closed form), the negative Hessian and
        the sum of outer products of the per-row scores.
    covariance_, standard_errors_, score_, loglik_, aic_, bic_, nobs_, \
n_iter_, converged_ : as every skfisher estimator.

    Notes
    -----
    The fit maximises the log-likelihood over all parameters at once, from
    the count model's own fit and an inflation intercept at the share of
    excess zeros, by Newton's steps where the observed information is
    positive definite and Fisher scoring elsewhere (:mod:`skfisher._newton`:
    with a mixture's missing information, scoring alone converges slowly).
    ``information_`` and ``cov_type="fisher"`` are the expected information
    all the same, in closed form. Where the
    data have no excess zeros the inflation probabilities run to 0: a
    ``BoundaryWarning`` says so and the count part is the plain count
    model's fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherZeroInflatedRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = rng.poisson(np.exp(0.5 + 0.3 * X[:, 0])) * (rng.random(2000) > 0.3)
    >>> model = FisherZeroInflatedRegressor(inflation_features=[]).fit(X, y)
    >>> model.param_names_.tolist()
    ['count:intercept', 'count:x0', 'count:x1', 'inflation:intercept']
    """

    _kind = "inflated"
    _prefix = "inflation:"
    _attribute = "inflation"
    _columns_parameter = "inflation_features"
    _model_name = "zero-inflated"
    _plain_model = "FisherPoissonRegressor, or FisherGLMRegressor(family='negative_binomial')"

    def __init__(
        self,
        family="poisson",
        *,
        inflation_features=None,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
    ):
        self.family = family
        self.inflation_features = inflation_features
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type

    _parameter_constraints = {
        **CountRegressorBase._parameter_constraints,
        "inflation_features": [None, "array-like"],
    }

    def _start(self, problem):
        """θ₀ from the count model's own fit; its steps are not the model's (0)."""
        fitted, _ = count_fit(
            problem.designs[0],
            problem.y,
            problem.w,
            problem.dist,
            problem.offset,
            self.max_iter,
            # A start: the loop that follows takes the count part the rest of the way.
            max(self.tol, START_TOL),
        )
        return inflated_start(fitted, problem), 0

    def _zero_proba(self, zeta, log_f0):
        """``P(0) = π + (1 − π) f(0)`` (at most 1, also after rounding)."""
        return np.minimum(expit(zeta) + expit(-zeta) * np.exp(log_f0), 1.0)

    def _log_count_scale(self, eta, zeta, log_f0):
        """``log(1 − π)``: ``P(y) = (1 − π) f(y)`` for ``y > 0``."""
        return log_expit(-zeta)
