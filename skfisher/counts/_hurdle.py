"""``FisherHurdleRegressor``: a logit model for zero against positive, truncated counts above."""

import numpy as np
from scipy.special import expit, log_expit

from ._base import CountRegressorBase
from ._fit import count_fit, hurdle_start


class FisherHurdleRegressor(CountRegressorBase):
    """Hurdle Poisson or negative binomial regression, with standard errors.

    A binary logit model decides whether a count is positive, and a count
    distribution truncated at 0 gives the positive counts:

        P(Y = 0 | x) = 1 − π,    P(Y = y | x) = π f(y; μ) / (1 − f(0; μ)),  y > 0,

    with ``logit π = logit P(Y > 0) = γ₀ + zᵀγ`` (the sign of R's
    ``pscl::hurdle(zero.dist="binomial")``), ``z`` the columns
    ``zero_features`` of X, and ``log μ = β₀ + xᵀβ (+ offset)``. The
    log-likelihood is the sum of the two parts' own: the estimates of each
    are those of its part fitted alone, and the cross-information is 0.
    Counts whose positive values are all 1 are refused: ``P(1 | Y > 0)``
    rises to 1 as μ → 0, so the truncated part has no maximum.

    Parameters
    ----------
    family : {"poisson", "negative_binomial"}, default="poisson"
        The count part: zero-truncated Poisson, or zero-truncated NB2 with α
        estimated.
    zero_features : list of int or str, default=None
        The columns of X in the zero part: None, the same columns as the
        count part; a list of column indices or names; ``[]``, a constant only.
    alpha : float, default=0.0
        L2 penalty ``½ alpha Σw ||·||²`` on the coefficients of both parts
        (not on the intercepts nor on the negative binomial's α).
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report;
        R's ``summary(hurdle)`` is ``"observed"``.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        ``[count: intercept, coef…, zero: intercept, coef…, alpha]``.
    param_names_ : ndarray of shape (n_params,)
        ``"count:intercept"``, ``"count:<feature>"``, ``"zero:intercept"``,
        ``"zero:<feature>"`` and, for the negative binomial, ``"alpha"``.
    intercept_, coef_ : float, ndarray of shape (n_features,)
        The count part's β₀ and β.
    zero_intercept_, zero_coef_ : float, ndarray
        The zero part's γ₀ and γ (of ``logit P(Y > 0)``).
    alpha_ : float
        The negative binomial's α (``family="negative_binomial"`` only).
    zero_columns_ : ndarray of int
        The columns of X in the zero part.
    max_count_ : int
        The largest count seen in ``fit`` (:meth:`predict_proba`'s default).
    information_, observed_information_, empirical_fisher_ : ndarray
        The expected information (in closed form; block diagonal between the
        parts), the negative Hessian and the outer products of the scores.
    covariance_, standard_errors_, score_, loglik_, aic_, bic_, nobs_, \
n_iter_, converged_ : as every skfisher estimator.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherHurdleRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = rng.poisson(np.exp(0.5 + 0.3 * X[:, 0])) * (rng.random(2000) > 0.3)
    >>> model = FisherHurdleRegressor(zero_features=[1]).fit(X, y)
    >>> model.param_names_.tolist()
    ['count:intercept', 'count:x0', 'count:x1', 'zero:intercept', 'zero:x1']
    """

    _kind = "hurdle"
    _prefix = "zero:"
    _attribute = "zero"
    _columns_parameter = "zero_features"
    _model_name = "hurdle"
    # Below η = −680 the truncated probabilities are those of μ → 0, (1, 0, 0, …),
    # to within 1e-295 absolute; η is clipped there, where αμ (α ≥ 1e-8) is still
    # a normal float, so that f(k) / (1 − f(0)) is not 0 / 0 as μ underflows.
    _lowest_eta = -680.0
    _plain_model = "FisherPoissonRegressor, or FisherGLMRegressor(family='negative_binomial')"

    def __init__(
        self,
        family="poisson",
        *,
        zero_features=None,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
    ):
        self.family = family
        self.zero_features = zero_features
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type

    _parameter_constraints = {
        **CountRegressorBase._parameter_constraints,
        "zero_features": [None, "array-like"],
    }

    def _start(self, problem):
        """θ₀ with the count part's estimate, the zero-truncated fit: its steps count."""
        positive = problem.y > 0
        offset = None if problem.offset is None else problem.offset[positive]
        fitted, steps = count_fit(
            problem.designs[0][positive],
            problem.y[positive],
            problem.w[positive],
            problem.dist,
            offset,
            self.max_iter,
            self.tol,
            kind="truncated",
        )
        return hurdle_start(fitted, problem), steps

    def _zero_proba(self, zeta, log_f0):
        """``P(0) = 1 − π``."""
        return expit(-zeta)

    def _log_count_scale(self, eta, zeta, log_f0):
        """``log(π / (1 − f(0)))``: ``P(y) = π f(y) / (1 − f(0))`` for ``y > 0``.

        Where ``μ = e^η`` underflows (``f(0)`` rounds to 1), ``1 − f(0)`` is
        ``μ`` to first order, for either count distribution.
        """
        with np.errstate(divide="ignore"):
            rest = np.log(-np.expm1(log_f0))
        return log_expit(zeta) - np.where(log_f0 < 0, rest, eta)
