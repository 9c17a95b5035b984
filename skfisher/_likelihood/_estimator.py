"""FisherMLE: any per-row log-likelihood fitted by Fisher scoring, with the whole contract."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive
from .._validation import check_weights
from ._fit import newton_or_scoring, not_a_maximum
from ._problem import LikelihoodProblem


class FisherMLE(FisherMixin, BaseEstimator):
    """A log-likelihood of your own, fitted by Fisher scoring, with its information picture.

    Give the log-density of each row, ``loglik_obs(params, X, y)``, and the
    number of parameters through ``start``; ``fit`` maximises the weighted
    log-likelihood ``ℓ(θ) = Σ w_i ℓ_i(θ)`` and exposes what every skfisher
    estimator does: ``params_``, ``information_``, ``observed_information_``,
    ``empirical_fisher_``, the ``covariance_`` of ``cov_type``,
    ``standard_errors_``, ``conf_int()`` and ``summary()``. The analytic score
    and expected information are optional; what is not given is
    differentiated numerically (see Notes).

    Parameters
    ----------
    loglik_obs : callable, default=None
        ``loglik_obs(params, X, y)`` returns the log-density of each row at
        ``params`` (ndarray of shape (k,)), an array of shape (n_samples,), with
        all normalising constants (``loglik_``, ``aic_`` and ``bic_`` are then
        comparable with other models). ``-inf`` or ``nan`` outside the
        model's domain is allowed away from the starting values: the line
        search backs off. Required: the default ``None`` only lets the
        estimator be built empty, as scikit-learn's tools do.
    score_obs : callable, default=None
        ``score_obs(params, X, y)`` returns the per-row scores
        ``s_i = ∂ℓ_i/∂θ``, shape (n_samples, k). Without it, a five-point
        numerical derivative of ``loglik_obs``.
    information_obs : callable, default=None
        ``information_obs(params, X, y)`` returns the per-row expected
        (Fisher) information ``i_i = E[s_i s_iᵀ] = −E[∂²ℓ_i/∂θ∂θᵀ]``, shape
        (n_samples, k, k); the total is ``Σ w_i i_i``. Without it, the loop
        uses the observed information and ``information_`` **is the observed
        information** ``J`` (see Notes).
    start : array-like of shape (k,) or callable, default=None
        Starting values, or ``start(X, y)`` returning them (called with the
        rows of positive weight). Required: it fixes the number of
        parameters k.
    param_names : array-like of str of shape (k,), default=None
        Names of the parameters; default ``theta0``, ``theta1``, ...
    predict_func : callable, default=None
        ``predict_func(params, X)`` returns what :meth:`predict` gives (say the
        conditional mean), shape (n_samples,) or (n_samples, n_outputs).
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹``, ``J⁻¹ F J⁻¹`` or the cluster-robust sandwich
        (``fit(..., groups=)``), as in :class:`~skfisher.FisherGLMRegressor`.
    max_iter : int, default=100
        Maximum number of Fisher-scoring (Newton) iterations.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors,
        ``sqrt(Uᵀ I⁻¹ U) <= tol``.

    Attributes
    ----------
    params_ : ndarray of shape (k,)
        The maximum-likelihood estimates.
    param_names_ : ndarray of shape (k,)
        Their names.
    loglik_ : float
        ``ℓ(θ̂) = Σ w_i ℓ_i(θ̂)``.
    score_ : ndarray of shape (k,)
        The score at the fit (≈ 0).
    information_ : ndarray of shape (k, k)
        ``Σ w_i i_i(θ̂)`` from ``information_obs``; without it, the observed
        information ``J`` (equal to ``observed_information_``).
    observed_information_ : ndarray of shape (k, k)
        ``J = −∇²ℓ(θ̂)``, the numerical Jacobian of the (analytic or
        numerical) total score.
    empirical_fisher_ : ndarray of shape (k, k)
        ``F = Σ w_i s_i s_iᵀ``, from the per-row scores.
    cluster_fisher_ : ndarray of shape (k, k)
        ``Σ_g u_g u_gᵀ`` with ``u_g = Σ_{i ∈ g} w_i s_i`` (``cov_type="cluster"``).
    n_groups_ : int
        The number of clusters (``cov_type="cluster"``).
    covariance_ : ndarray of shape (k, k)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (k,)
        ``sqrt(diag(covariance_))``.
    n_iter_ : int
        Iterations taken.
    converged_ : bool
        Whether the step fell below ``tol`` standard errors at a point where
        the observed information is positive definite (a maximum).
    nobs_ : float
        ``Σ sample_weight``.
    n_features_in_ : int
        Number of columns of ``X`` seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during fit, when ``X`` is a DataFrame with string names.

    See Also
    --------
    MLEDistribution : A univariate distribution fitted the same way.
    FisherGLMRegressor : Generalised linear models with analytic derivatives.

    Notes
    -----
    The step is ``θ ← θ + I(θ)⁻¹ U(θ)``, halved until the log-likelihood does
    not decrease. With ``information_obs`` this is Fisher scoring; without
    it ``I`` is the observed information ``J`` and the step is Newton's —
    statsmodels' ``GenericLikelihoodModel`` does the same, and its ``bse``
    are then ``sqrt(diag(J⁻¹))``, as ``cov_type="fisher"`` gives here. Where
    ``J`` is not positive definite (far from the maximum) the step uses the
    empirical Fisher ``F`` instead (BHHH), which always ascends. A fit
    stopped where ``J`` is not positive definite is not a maximum: it warns
    and reports ``converged_=False``.

    Numerical derivatives use the five-point stencil (truncation error
    ``O(h⁴)``) with steps of ``1e-3`` in each parameter's natural unit (the
    change that moves a typical row's log-density by 1), rounded to powers of
    two and set again at the fit, so that rescaling a feature rescales its
    coefficient and standard error exactly and the derivatives carry about 10
    significant digits. The numerical score costs ``4k`` calls of
    ``loglik_obs`` and the observed information ``8k² + k`` (``4k`` calls of
    ``score_obs`` when it is given), once per iteration. Parameters with a
    restricted range are best written on an unconstrained scale (``log σ``,
    ``logit p``), so that no difference point leaves the domain.

    Rows of ``sample_weight`` 0 are dropped before any function is called: the
    functions see the rows of positive weight only. The callables should be
    module-level functions (not lambdas) for the estimator to pickle.

    Examples
    --------
    A Tobit model: a normal regression left-censored at 0, with parameters
    ``β`` and ``log σ``.

    >>> import numpy as np
    >>> from scipy import stats
    >>> from skfisher import FisherMLE
    >>> def tobit(params, X, y):
    ...     beta, sigma = params[:-1], np.exp(params[-1])
    ...     eta = X @ beta
    ...     observed = stats.norm.logpdf(y, eta, sigma)
    ...     return np.where(y > 0, observed, stats.norm.logcdf(-eta / sigma))
    >>> rng = np.random.default_rng(0)
    >>> X = np.column_stack([np.ones(500), rng.normal(size=500)])
    >>> y = np.maximum(X @ [0.5, 1.0] + rng.normal(size=500), 0.0)
    >>> model = FisherMLE(tobit, start=np.zeros(3), param_names=["const", "x", "log_sigma"])
    >>> model = model.fit(X, y)
    >>> model.params_.round(3)
    array([ 0.445,  0.987, -0.073])
    >>> model.standard_errors_.round(3)
    array([0.049, 0.053, 0.041])
    >>> bool(model.converged_)
    True
    """

    _parameter_constraints: dict = {
        "loglik_obs": [callable, None],
        "score_obs": [callable, None],
        "information_obs": [callable, None],
        "start": ["array-like", callable, None],
        "param_names": ["array-like", None],
        "predict_func": [callable, None],
        "cov_type": FisherMixin._cov_type_constraint,
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
    }

    def __init__(
        self,
        loglik_obs=None,
        *,
        score_obs=None,
        information_obs=None,
        start=None,
        param_names=None,
        predict_func=None,
        cov_type="fisher",
        max_iter=100,
        tol=1e-8,
    ):
        self.loglik_obs = loglik_obs
        self.score_obs = score_obs
        self.information_obs = information_obs
        self.start = start
        self.param_names = param_names
        self.predict_func = predict_func
        self.cov_type = cov_type
        self.max_iter = max_iter
        self.tol = tol

    def _validate(self, X, y, reset):
        if y is None:
            return validate_data(self, X, reset=reset, dtype=np.float64), None
        return validate_data(
            self, X, y, reset=reset, dtype=np.float64, multi_output=True, y_numeric=True
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None, groups=None):
        """Maximise the weighted log-likelihood by Fisher scoring.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data ``loglik_obs`` receives (as a float64 array).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            The response it receives; ``None`` for an unconditional density.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice; rows of weight
            0 are dropped.
        groups : array-like of shape (n_samples,), default=None
            Cluster labels, for ``cov_type="cluster"`` only.

        Returns
        -------
        self : FisherMLE
            The fitted estimator.
        """
        self._forget_fit()
        if self.loglik_obs is None:
            raise ValueError(
                "FisherMLE needs loglik_obs: a function loglik_obs(params, X, y) returning "
                "the log-density of each row, shape (n_samples,). Pass FisherMLE(loglik_obs, "
                "start=...)."
            )
        X, y = self._validate(X, y, reset=True)
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(weights)
        n_rows = X.shape[0]
        codes = self._check_groups(groups, n_rows)
        keep = weights > 0
        if not keep.all():
            X, weights = X[keep], weights[keep]
            y = None if y is None else y[keep]
            codes = None if codes is None else codes[keep]
        theta0 = self._starting_values(X, y)
        names = self._names(theta0.size)
        problem = LikelihoodProblem(
            self.loglik_obs,
            X,
            y,
            weights,
            theta0.size,
            names,
            score_obs=self.score_obs,
            information_obs=self.information_obs,
        )
        problem.check_start(theta0)
        model = Model(
            problem,
            names,
            weights.sum(),
            [(theta0, 0)],
            loop=newton_or_scoring,
            diagnose=not_a_maximum,
            collinear=None,  # not_a_maximum names what is not identified
            publish={"groups": codes, "rows": None if keep.all() else keep, "n_rows": n_rows},
        )
        drive(self, model)
        return self

    def _starting_values(self, X, y):
        start = self.start
        if start is None:
            raise ValueError(
                "FisherMLE needs starting values, which also fix the number of parameters k: "
                "pass start=[...] (k numbers) or a callable start(X, y) returning them."
            )
        if callable(start):
            start = start(X, y)
        theta0 = np.asarray(start, dtype=float)
        if theta0.ndim != 1 or theta0.size == 0:
            raise ValueError(
                f"start must give a non-empty 1-D array of k starting values; got shape "
                f"{theta0.shape}."
            )
        if not np.all(np.isfinite(theta0)):
            raise ValueError(f"start must be finite; got {theta0.tolist()}.")
        return theta0

    def _names(self, k):
        if self.param_names is None:
            return [f"theta{j}" for j in range(k)]
        names = [str(name) for name in np.asarray(self.param_names, dtype=object).ravel()]
        if len(names) != k:
            raise ValueError(
                f"param_names must name each of the {k} parameters that start gives; got "
                f"{len(names)} name(s): {names}."
            )
        if len(set(names)) != k:
            repeated = sorted({name for name in names if names.count(name) > 1})
            raise ValueError(f"param_names must be distinct; {repeated} repeat.")
        return names

    def loglik_samples(self, X, y=None):
        """Return the log-density of each row at ``params_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            The response.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            ``ℓ_i(θ̂)``; ``-inf`` where a row has density 0.
        """
        check_is_fitted(self, "params_")
        X, y = self._validate(X, y, reset=False)
        problem = LikelihoodProblem(
            self.loglik_obs, X, y, np.ones(X.shape[0]), self.params_.size, self.param_names_
        )
        values = problem.loglik_values(self.params_)
        if np.isnan(values).any():
            raise ValueError(
                f"loglik_obs returned nan at params_ for {int(np.isnan(values).sum())} of "
                f"{values.size} rows; check these rows against the model's support (return "
                "-inf where the density is 0)."
            )
        return values

    def score(self, X, y=None, sample_weight=None):
        """Return the mean log-likelihood per row, ``Σ w ℓ_i(θ̂) / Σ w``.

        Larger is better, so ``cross_val_score`` and ``GridSearchCV`` select
        by held-out likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            The response.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the average.

        Returns
        -------
        score : float
            The weighted mean log-density.
        """
        values = self.loglik_samples(X, y)
        weights = _check_sample_weight(sample_weight, values, dtype=np.float64)
        check_weights(weights)
        keep = weights > 0  # a row of weight 0 with density 0 does not count
        return float(np.average(values[keep], weights=weights[keep]))

    def predict(self, X):
        """Return ``predict_func(params_, X)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            What ``predict_func`` returns.
        """
        check_is_fitted(self, "params_")
        if self.predict_func is None:
            raise ValueError(
                "FisherMLE.predict needs predict_func(params, X), which it was not given. "
                "Set it (set_params(predict_func=...) works on the fitted estimator), e.g. "
                "to return the conditional mean."
            )
        X, _ = self._validate(X, None, reset=False)
        prediction = np.asarray(self.predict_func(self.params_, X))
        if prediction.ndim not in (1, 2) or prediction.shape[0] != X.shape[0]:
            raise ValueError(
                f"predict_func(params, X) must return one prediction per row of X "
                f"({X.shape[0]}), shape (n_samples,) or (n_samples, n_outputs); got shape "
                f"{prediction.shape}."
            )
        return prediction

    def _summary_info(self):
        name = getattr(self.loglik_obs, "__name__", type(self.loglik_obs).__name__)
        source = "expected" if self.information_obs is not None else "observed"
        return [
            ("Model", f"FisherMLE({name})"),
            *super()._summary_info()[1:],
            ("Information", source),
        ]
