"""MLEDistribution: a univariate distribution fitted by Fisher scoring."""

from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy.stats import CensoredData
from sklearn.base import BaseEstimator, DensityMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive
from .._validation import check_weights
from ._censored import censored_log_likelihoods, fit_censored
from ._derived import DerivedIntervalsMixin
from ._footing import ReportedProblem
from ._problem import column_problem
from ._registry import resolve_family
from ._run import column_params, fit_columns, report_limits


class MLEDistribution(DerivedIntervalsMixin, DensityMixin, FisherMixin, BaseEstimator):
    """A univariate distribution fitted by maximum likelihood, with its information picture.

    Fisher scoring (``θ ← θ + I(θ)⁻¹ U(θ)``) maximises the (weighted)
    log-likelihood of a sample. For the analytic families the score and the
    expected information are exact formulas; for any other ``scipy.stats``
    distribution they are numerical (see Notes). After ``fit`` the estimator
    exposes the expected, observed and empirical information, the covariance
    chosen by ``cov_type`` and the standard errors.

    Parameters
    ----------
    family : str, DistributionFamily or scipy.stats distribution, default="normal"
        One of the analytic families, by name (``params_`` in the
        ``scipy.stats`` parameterisation, ``loc = 0`` unless it is a parameter):

        =======================  ===========================  ==============================
        name                     ``param_names_``             ``distribution_``
        =======================  ===========================  ==============================
        ``"normal"``             loc, scale                   ``norm(loc, scale)``
        ``"lognormal"``          s, scale                     ``lognorm(s, scale=scale)``
        ``"exponential"``        scale                        ``expon(scale=scale)``
        ``"gamma"``              shape, scale                 ``gamma(shape, scale=scale)``
        ``"weibull"``            shape, scale                 ``weibull_min(shape, scale=)``
        ``"beta"``               a, b                         ``beta(a, b)``
        ``"logistic"``           loc, scale                   ``logistic(loc, scale)``
        ``"student_t"``          loc, scale, df               ``t(df, loc, scale)``
        ``"inverse_gaussian"``   mu, scale (mean mu·scale)    ``invgauss(mu, scale=scale)``
        ``"von_mises"``          loc, kappa                   ``vonmises(kappa, loc)``
        ``"poisson"``            mu                           ``poisson(mu)``
        ``"negative_binomial"``  n, p                         ``nbinom(n, p)``
        ``"geometric"``          p                            ``geom(p)``
        ``"bernoulli"``          p                            ``bernoulli(p)``
        ``"binomial"``           p (``fixed={"n": trials}``)  ``binom(n, p)``
        =======================  ===========================  ==============================

        scipy's names (``"norm"``, ``"weibull_min"``, ``"t"``, ...) are accepted
        too. Any other ``scipy.stats`` distribution object (e.g.
        ``scipy.stats.gumbel_r``) is fitted with numerical derivatives; its
        parameters are its shapes, then ``loc`` and ``scale``.
    fixed : dict, default=None
        Parameters held at given values, e.g. ``{"loc": 0}``; they leave
        ``params_`` and the matrices. Also carries known constants (the
        binomial's number of trials ``n``; integer shapes of a scipy
        distribution).
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors,
        ``sqrt(Uᵀ I⁻¹ U) <= tol``.
    cov_type : {"fisher", "observed", "empirical", "sandwich"}, default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹`` or ``J⁻¹ F J⁻¹``.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        The estimates of the free parameters.
    param_names_ : ndarray of shape (n_params,)
        Their names; with several columns, ``"<column>:<parameter>"``.
    distribution_ : scipy.stats frozen distribution
        The fitted distribution (one column only).
    distributions_ : list of scipy.stats frozen distributions
        The fitted distribution of each column.
    family_ : DistributionFamily
        The family, with its constants.
    fixed_ : dict
        The held parameters.
    information_ : ndarray of shape (n_params, n_params)
        Expected information ``I = Σw · i(θ̂)``, in the reported parameters.
    observed_information_ : ndarray of shape (n_params, n_params)
        Observed information ``J = −∇²ℓ(θ̂)``, in the reported parameters.
    empirical_fisher_ : ndarray of shape (n_params, n_params)
        ``F = Σ w s sᵀ``, the outer product of per-sample scores.
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``.
    score_ : ndarray of shape (n_params,)
        The score at the fit (≈ 0).
    loglik_ : float
        The log-likelihood at the fit, with all normalising constants.
    n_iter_ : int
        Fisher-scoring iterations taken.
    converged_ : bool
        Whether the fit converged: ``sqrt(Uᵀ I⁻¹ U) <= tol`` at ``params_``,
        or, where the data fix a parameter more finely than float64 holds it
        (``|loc|`` 10⁹ scales from 0), below the step to a neighbouring
        float64 value.
    nobs_ : float
        The number of observations, Σ sample_weight.
    n_features_in_ : int
        Number of columns seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during fit, when X is a DataFrame with string names.

    Notes
    -----
    Fisher scoring runs on an unconstrained scale (log of scales and shapes,
    logit of probabilities) so that no step leaves the domain; the chain rule
    carries the score and information there and back. Every reported matrix,
    covariance and standard error is in the reported parameterisation of
    ``param_names_`` (the delta method), as R's ``MASS::fitdistr`` reports.
    Closed-form estimates (normal, Poisson, exponential, ...) are the starting
    values and go through the same loop, which confirms them in zero steps.

    The fit runs on a scale-free footing: the data of a location-scale family
    are divided by a power of two near their spread (and centred), so that
    data × 10³⁰⁰ fit as the data do, and the map back is exact. Beyond about
    10¹⁵⁰ the information (∝ 1/scale²) or the covariance (∝ scale²) is not a
    float64 number, and the fit raises ``ValueError`` naming the magnitude.
    ``converged_`` means that the Newton decrement at the reported parameters
    is below ``tol`` standard errors.

    For the analytic families the log-likelihood, score, expected information
    and (except Student's t, differentiated numerically from its analytic
    score) observed information are exact. For a generic ``scipy.stats``
    distribution the score, both informations and the empirical Fisher are
    numerical (finite differences and quadrature, relative accuracy about
    1e-8; see ``skfisher.distributions._generic``). Their cost is scipy's:
    ``scipy.stats.levy_stable``, whose density is a numerical integral per
    point, takes minutes for 30 observations.

    A ``scipy.stats.CensoredData`` sample is fitted by its censored
    likelihood ``Σ w log f(x) + Σ w log F(left) + Σ w log S(right) +
    Σ w log(F(b) − F(a))`` with Newton steps (continuous families only).
    Its expected information depends on the censoring mechanism, which the
    data do not hold: ``information_`` is then the observed information
    ``J(θ̂)``, and ``cov_type="fisher"`` gives ``J⁻¹``. Derivatives of the
    censored terms are analytic for the normal, logistic, log-normal,
    Weibull and exponential families, numerical otherwise.

    ``X`` of shape (n,) or (n, 1) is one sample. With several columns, each
    column gets its own parameters of the same family (a product of
    independent marginals): ``score_samples`` adds their log-densities and
    the matrices are block-diagonal.

    Data outside the family's support, non-finite values and fewer samples
    than free parameters raise ``ValueError``; so do data whose MLE lies on
    the boundary of the parameter space (all-zero Poisson counts, constant
    data for a scale family, an underdispersed sample for the negative
    binomial), where the information is infinite and no standard error exists.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import MLEDistribution
    >>> x = np.random.default_rng(0).gamma(2.0, 3.0, size=1000)
    >>> model = MLEDistribution("gamma").fit(x)
    >>> model.param_names_.tolist()
    ['shape', 'scale']
    >>> model.params_.round(3)
    array([2.001, 3.007])
    >>> model.standard_errors_.round(3)
    array([0.083, 0.142])
    >>> float(model.distribution_.mean().round(3))
    6.017
    """

    _parameter_constraints: dict = {
        "family": "no_validation",
        "fixed": [dict, None],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
    }

    def __init__(self, family="normal", *, fixed=None, max_iter=100, tol=1e-8, cov_type="fisher"):
        self.family = family
        self.fixed = fixed
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type

    def _validate_X(self, X, reset, ensure_all_finite=True):
        ndim = getattr(X, "ndim", None)
        if ndim is None and isinstance(X, list | tuple):
            ndim = np.asarray(X, dtype=object).ndim
        if ndim == 1:
            X = X.to_frame() if hasattr(X, "to_frame") else np.asarray(X).reshape(-1, 1)
        return validate_data(
            self, X, reset=reset, dtype=np.float64, ensure_all_finite=ensure_all_finite
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Fit the distribution by Fisher scoring.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns), or CensoredData
            The sample (one column) or independent samples (several columns);
            or one censored sample, a ``scipy.stats.CensoredData`` (see Notes).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice; rows with
            weight 0 take no part. For CensoredData, in the order of its
            arrays: uncensored, left, right, interval.

        Returns
        -------
        self : MLEDistribution
            The fitted estimator.
        """
        self._forget_fit()
        if isinstance(X, CensoredData):
            plain = fit_censored(self, X, sample_weight)
            if plain is None:
                return self
            X, sample_weight = plain  # nothing informatively censored
        # Finiteness is checked with the support, from each column's extremes.
        X = self._validate_X(X, reset=True, ensure_all_finite=False)
        family, fixed = resolve_family(self.family, self.fixed)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
            check_weights(weights)
        free = np.array([j for j, name in enumerate(family.param_names) if name not in fixed])
        problems = [column_problem(family, fixed, free, x, weights) for x in X.T]
        reported = [ReportedProblem(problem) for problem in problems]
        model = Model(
            problems,
            self._labelled([family.param_names[j] for j in free], len(reported)),
            reported[0].problem.sample.n,
            [(None, 0)],
            loop=partial(fit_columns, family, free, reported),
            report=partial(report_limits, reported),
            collinear=None,
        )
        drive(self, model)
        self.family_ = family
        self.fixed_ = dict(fixed)
        self._column_params = [column_params(family, r) for r in reported]
        return self

    def _labelled(self, names, n_columns):
        """The parameter names; with several columns, prefixed by the column's name."""
        if n_columns == 1:
            return names
        columns = getattr(self, "feature_names_in_", None)
        if columns is None:
            columns = [f"x{j}" for j in range(n_columns)]
        return [f"{column}:{name}" for column in columns for name in names]

    # Frozen scipy distributions take longer to build than a gamma fit of a
    # million points takes to run, so they are built on request.
    @property
    def distributions_(self):
        """The fitted frozen ``scipy.stats`` distribution of each column."""
        check_is_fitted(self, "params_")
        return [self.family_.to_scipy(theta) for theta in self._column_params]

    @property
    def distribution_(self):
        """The fitted frozen ``scipy.stats`` distribution (one column)."""
        distributions = self.distributions_
        if len(distributions) != 1:
            raise AttributeError(
                f"distribution_ is defined for one column; this fit has {len(distributions)}. "
                "Use distributions_."
            )
        return distributions[0]

    def score_samples(self, X):
        """Return the log-density (log-pmf) of each sample, ``-inf`` outside the support.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns), or CensoredData
            The samples.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            ``log p(x_i; θ̂)``; with several columns, the sum over columns. For
            CensoredData, ``log f``, ``log F``, ``log S`` or ``log(F(b) − F(a))``
            of each observation, uncensored, left, right, interval.
        """
        check_is_fitted(self, "params_")
        if isinstance(X, CensoredData):
            return censored_log_likelihoods(self.family_, self._column_params, X)
        X = self._validate_X(X, reset=False)
        return sum(
            self.family_.logpdf(x, theta)
            for x, theta in zip(X.T, self._column_params, strict=True)
        )

    def score(self, X, y=None, sample_weight=None):
        """Return the mean log-likelihood of ``X``, so that model selection can compare families.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            The samples.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the average.

        Returns
        -------
        score : float
            ``Σ w log p(x_i; θ̂) / Σ w``.
        """
        values = self.score_samples(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, values, dtype=np.float64)
        return float(np.average(values, weights=sample_weight))

    def sample(self, n_samples=1, random_state=None):
        """Draw from the fitted distribution.

        Parameters
        ----------
        n_samples : int, default=1
            The number of draws.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for reproducible draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The draws, in the shape ``fit`` accepts.
        """
        check_is_fitted(self, "params_")
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        rng = check_random_state(random_state)
        draws = [d.rvs(size=n_samples, random_state=rng) for d in self.distributions_]
        return np.column_stack(draws).astype(float)

    def _total_loglik(self, X):
        check_is_fitted(self, "params_")
        log_density = self.score_samples(X)
        return float(log_density.sum()), log_density.shape[0]

    def aic(self, X):
        """Akaike's information criterion on ``X``: ``−2 ℓ(X) + 2 k``.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            The samples.

        Returns
        -------
        aic : float
            The lower, the better.
        """
        loglik, _ = self._total_loglik(X)
        return -2.0 * loglik + 2.0 * self.params_.size

    def bic(self, X):
        """Schwarz's Bayesian information criterion on ``X``: ``−2 ℓ(X) + k log n``.

        Parameters
        ----------
        X : array-like of shape (n_samples,) or (n_samples, n_columns)
            The samples.

        Returns
        -------
        bic : float
            The lower, the better.
        """
        loglik, n = self._total_loglik(X)
        return -2.0 * loglik + np.log(n) * self.params_.size

    def _summary_info(self):
        return [("Model", f"MLEDistribution({self.family_.name})"), *super()._summary_info()[1:]]
