"""Thin conveniences: FisherGLMRegressor with a fixed family and link."""

from ..families import Gamma, Poisson
from ..links import Log
from ._base import BaseFisherGLM
from ._glm import FisherGLMRegressor

_SHARED_PARAMETERS = """
    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to estimate an intercept.
    alpha : float, default=0.0
        L2 penalty in scikit-learn's GLM convention (``mean deviance / 2 +
        ½ α ||w||²``; the intercept is not penalised). Unlike scikit-learn,
        whose default is 1, the default 0 gives the plain maximum-likelihood
        estimate.
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations.
    tol : float, default=1e-8
        Stop when the next Fisher-scoring step is shorter than ``tol``
        standard errors.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report
        (``"cluster"``: pass ``groups`` to ``fit``).
    warm_start : bool, default=False
        Start from the previous fit's ``params_`` when refitting.
    bias_reduction : {None, "firth"}, default=None
        ``"firth"``: Firth's penalised likelihood ``ℓ + ½ log det I``
        (Poisson only; see :class:`FisherGLMRegressor`).
    solver : {"newton", "cg", "auto"}, default="newton"
        ``"cg"``: matrix-free Fisher scoring for wide X, with standard errors
        only for ``fit(..., se_for=...)`` (see :class:`FisherGLMRegressor`).
    verbose : int, default=0
        1: log each iteration's objective and step in standard errors to the
        "skfisher" logger (and a dask fit's choice to persist or stream its
        blocks); 2: dask's progress bars too.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The coefficients.
    intercept_ : float
        The intercept (0 when ``fit_intercept=False``).
    params_ : ndarray of shape (n_params,)
        ``[intercept, coef...]``.
    param_names_ : ndarray of shape (n_params,)
        ``"intercept"`` and the feature names.
    information_, observed_information_, empirical_fisher_ : ndarray of shape (n_params, n_params)
        Expected information, observed information and outer product of the
        per-sample scores at the fit (totals over the sample).
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``.
    dispersion_ : float
        The dispersion φ̂ (1 for the Poisson).
    deviance_, loglik_, aic_, bic_ : float
        Deviance, log-likelihood and information criteria at the fit.
    family_ : GLMFamily
        The family.
    link_ : Link
        The log link.
    n_iter_ : int
        Fisher-scoring iterations taken.
    converged_ : bool
        Whether the fit converged.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
"""


class _FixedFamilyGLM(FisherGLMRegressor):
    """A FisherGLMRegressor whose family and link are fixed by the class."""

    _family_class = None
    _parameter_constraints = {
        key: value
        for key, value in FisherGLMRegressor._parameter_constraints.items()
        if key not in ("family", "link")
    }

    # The shared arguments, without FisherGLMRegressor's family and link.
    __init__ = BaseFisherGLM.__init__

    def _family_and_link(self):
        return self._family_class(), Log()


class FisherPoissonRegressor(_FixedFamilyGLM):
    __doc__ = (
        """Poisson regression with the log link, by Fisher scoring.

    ``FisherGLMRegressor(family="poisson", link="log")``: the model
    ``E[y | x] = exp(b + xᵀw)`` for counts ``y ≥ 0``, as scikit-learn's
    ``PoissonRegressor``, with standard errors and the three information
    matrices. ``fit`` and ``predict`` take ``offset=log(exposure)``.
"""
        + _SHARED_PARAMETERS
        + """
    See Also
    --------
    FisherGLMRegressor : Every family and link.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherPoissonRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.poisson(np.exp(1.0 + X @ [0.4, -0.3]))
    >>> model = FisherPoissonRegressor().fit(X, y)
    >>> model.params_.round(2)
    array([ 0.97,  0.41, -0.29])
    >>> model.standard_errors_.round(3)
    array([0.037, 0.036, 0.034])
    """
    )
    _family_class = Poisson


class FisherGammaRegressor(_FixedFamilyGLM):
    __doc__ = (
        """Gamma regression with the log link, by Fisher scoring.

    ``FisherGLMRegressor(family="gamma", link="log")``: the model
    ``E[y | x] = exp(b + xᵀw)`` for positive ``y`` with constant coefficient
    of variation, as scikit-learn's ``GammaRegressor`` (which also uses the log
    link; statsmodels and R default to the inverse link, available through
    ``FisherGLMRegressor(family="gamma")``). The dispersion is Pearson's φ̂.
"""
        + _SHARED_PARAMETERS
        + """
    See Also
    --------
    FisherGLMRegressor : Every family and link.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherGammaRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.gamma(shape=4.0, scale=np.exp(1.0 + X @ [0.4, -0.3]) / 4.0)
    >>> model = FisherGammaRegressor().fit(X, y)
    >>> model.params_.round(2)
    array([ 0.99,  0.43, -0.28])
    >>> round(model.dispersion_, 3)
    0.24
    """
    )
    _family_class = Gamma
