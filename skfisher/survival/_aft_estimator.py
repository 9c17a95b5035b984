"""``FisherSurvivalRegressor``: accelerated-failure-time regression, with the Fisher contract."""

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive
from .._inputs import check_columns_numeric
from .._linalg import extreme_column_scale
from .._scoring import fisher_scoring
from .._validation import check_weights
from ._aft_distributions import DISTRIBUTIONS, error_distribution
from ._aft_monotone import degenerate_params
from ._aft_predict import AFTPredictionMixin
from ._aft_problem import AFTProblem, aft_loop
from ._targets import _positions, check_events, survival_target


class FisherSurvivalRegressor(AFTPredictionMixin, FisherMixin, BaseEstimator):
    """Accelerated-failure-time regression of right-censored times, with standard errors.

    The log time of a row x is ``log T = β₀ + xᵀβ + σ W`` with W a standard
    minimum extreme value (``"weibull"``; ``"exponential"`` with σ = 1), normal
    (``"lognormal"``) or logistic (``"loglogistic"``) variable: R's
    ``survreg(dist = ...)``, lifelines' ``WeibullAFTFitter``,
    ``LogNormalAFTFitter`` and ``LogLogisticAFTFitter`` (which write ``ρ = 1/σ``
    and ``λ = exp(β₀ + xᵀβ)``). A censored time t says only ``T > t``.

    Parameters
    ----------
    distribution : {"weibull", "exponential", "lognormal", "loglogistic"}, \
            default="weibull"
        The law of T (R's ``dist``).
    fit_intercept : bool, default=True
        Whether the model has the intercept β₀.
    alpha : float, default=0.0
        L2 penalty: the fit maximises ``ℓ − ½ α Σw ||β||²`` (β₀ and log σ are
        not penalised), and the matrices are those of the penalised objective.
    max_iter : int, default=100
        Maximum number of steps.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        As skfisher's other models (see ``information_``). ``"sandwich"``,
        ``J⁻¹ (Σ w s sᵀ) J⁻¹``, is R's ``survreg(robust = TRUE)`` without weights
        (with weights R sums ``s sᵀ`` unweighted, ``J⁻¹ SᵀS J⁻¹`` for ``S =``
        :meth:`score_residuals`, which is neither repeated rows nor sampling
        weights), and ``"cluster"`` is ``c J⁻¹ C J⁻¹`` with
        ``C = Σ_g u_g u_gᵀ`` and skfisher's factor ``c = G/(G−1) · (N−1)/(N−k)``:
        R's ``survreg(cluster = )`` times c.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        ``[intercept, coef..., log_scale]``: the intercept only with
        ``fit_intercept``, ``log_scale`` = log σ (R's ``Log(scale)``) except for
        the exponential.
    param_names_ : ndarray of shape (n_params,)
        ``"intercept"``, the feature names, ``"log_scale"``.
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        0.0 without ``fit_intercept``.
    scale_ : float
        σ (R's ``fit$scale``; 1 for the exponential).
    information_ : ndarray of shape (n_params, n_params)
        The expected information when no time is censored (closed forms for
        each distribution: the module docstring of
        ``skfisher/survival/_aft_distributions.py``). With censored times the
        expected information depends on the law of the censoring, which the
        data do not give: it is then the observed information, as R's
        ``survreg``, lifelines and every AFT program report.
    observed_information_ : ndarray of shape (n_params, n_params)
        ``J = −∇² ℓ`` at the fit (R's ``solve(fit$var)``).
    empirical_fisher_ : ndarray of shape (n_params, n_params)
        ``Σ w_i s_i s_iᵀ`` over the per-row scores.
    covariance_, standard_errors_ : ndarray
        By ``cov_type``.
    loglik_ : float
        The log-likelihood on the time scale, with ``−log t`` for each event
        (R's ``fit$loglik[2]``).
    null_loglik_ : float
        That of the model with an intercept (and σ) only (R's ``fit$loglik[1]``).
    unique_times_ : ndarray
        The distinct event times, sorted: the grid of the curves.
    n_events_ : float
        Σ w over the events.
    score_, n_iter_, converged_, nobs_, n_features_in_, feature_names_in_
        As skfisher's other estimators.
    cluster_fisher_, n_groups_
        With ``cov_type="cluster"``.

    Notes
    -----
    ``sample_weight`` are frequency weights: a weight of 2 is the row twice
    (R's ``survreg(weights = )``). The loop takes Newton's steps where the
    observed information is positive definite and Fisher-scoring steps with
    the expected information of uncensored times elsewhere; it starts from the
    least-squares fit of log t on the events (σ from its residuals), or, with
    fewer events than coefficients, from the exponential fit of the intercept.
    Times must be positive: log 0 is −∞.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher.survival import FisherSurvivalRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> time = np.exp(1.0 + X @ [0.5, -0.3]) * rng.weibull(1.5, 300)
    >>> y = np.column_stack([np.minimum(time, 4.0), time < 4.0])
    >>> model = FisherSurvivalRegressor().fit(X, y)
    >>> model.params_.round(3), model.standard_errors_.round(3)
    (array([ 0.974,  0.487, -0.291, -0.427]), array([0.044, 0.045, 0.045, 0.054]))
    >>> round(model.scale_, 3), model.predict(X[:2]).round(3)
    (0.653, array([2.303, 2.762]))
    >>> round(model.score(X, y), 3)
    0.703
    """

    _parameter_constraints: dict = {
        "distribution": [StrOptions(set(DISTRIBUTIONS))],
        "fit_intercept": ["boolean"],
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
    }

    def __init__(
        self,
        distribution="weibull",
        *,
        fit_intercept=True,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
    ):
        self.distribution = distribution
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.one_d_labels = False
        tags.target_tags.two_d_labels = True
        return tags

    @property
    def _distribution(self):
        return error_distribution(self.distribution)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; DataFrame column names become ``param_names_``.
        y : structured array or array-like of shape (n_samples, 2)
            scikit-survival's structured array (a boolean event field and a
            float time field), or the columns ``[time, event]``. Times finite
            and positive, events 0/1, at least one event.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights; rows of weight 0 are left out.
        groups : array-like of shape (n_samples,), default=None
            The cluster of each sample, for ``cov_type="cluster"``.

        Returns
        -------
        self : FisherSurvivalRegressor
        """
        self._forget_fit()
        distribution = self._distribution
        check_columns_numeric(X)
        X = validate_data(self, X, dtype=np.float64)
        time, event = survival_target(y)
        n_rows = X.shape[0]
        if time.size != n_rows:
            raise ValueError(f"y has {time.size} rows; X has {n_rows}.")
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(weights)
        _check_events(event, weights)
        _check_positive(time, weights, distribution.name)
        groups = self._check_groups(groups, n_rows)
        keep = weights > 0
        if not keep.all():
            X, time, event, weights = (a[keep] for a in (X, time, event, weights))
            groups = None if groups is None else groups[keep]
        scaled, column_scale = extreme_column_scale(X)
        problem = AFTProblem(
            scaled, time, event, weights, distribution, self.fit_intercept, alpha=self.alpha
        )
        names = self._names()
        model = Model(
            problem,
            names,
            weights.sum(),
            [(start(problem), 0)],
            loop=aft_loop,
            diagnose=partial(degenerate_params, names),
            publish={
                "groups": groups,
                "rows": None if keep.all() else keep,
                "n_rows": n_rows,
                "scale": self._full_scale(column_scale),
            },
        )
        drive(self, model)
        p = int(self.fit_intercept)
        self.intercept_ = float(self.params_[0]) if p else 0.0
        self.coef_ = self.params_[p : p + X.shape[1]].copy()
        self.scale_ = 1.0 if distribution.fixed_scale else float(np.exp(self.params_[-1]))
        self.n_events_ = float(weights @ event)
        self.unique_times_ = np.unique(time[event == 1])
        return self

    def _forget_fit(self):
        super()._forget_fit()
        self.__dict__.pop("_null_loglik", None)

    def __getstate__(self):
        if hasattr(self, "params_"):
            _ = self.null_loglik_  # computed while the training data are at hand
        return super().__getstate__()

    @property
    def null_loglik_(self):
        """The log-likelihood of the intercept-only model (R's ``fit$loglik[1]``).

        With σ estimated (but for the exponential), whether or not the model has
        an intercept, as R reports it; computed on first access and kept, also
        in a pickle.
        """
        check_is_fitted(self, "params_")
        if "_null_loglik" not in self.__dict__:
            null = self.fisher_result_.problem.null_problem()
            result = fisher_scoring(null, start(null), max_iter=self.max_iter, tol=self.tol)
            self._null_loglik = null.loglik(result.theta)
        return self._null_loglik

    def score_residuals(self):
        """Return the per-row scores ``s_i`` of the training rows, shape (n_samples, n_params).

        ``∂ℓ_i/∂θ`` for each row (unweighted, without the penalty), with
        ``score_ = Σ w_i s_i`` at ``alpha=0`` and ``empirical_fisher_ = Σ w_i s_i s_iᵀ``;
        rows of weight 0 are nan. R's ``residuals(fit, "dfbeta")`` of an
        unweighted fit is ``S J⁻¹``. They need the training data: refit an
        unpickled estimator.
        """
        check_is_fitted(self, "params_")
        fit = self.fisher_result_
        if fit.problem is None:
            raise ValueError(
                "The score residuals need the training data, which this fit "
                "does not keep (an unpickled estimator): refit it."
            )
        rows = fit.problem.score_rows(fit.theta)
        if fit.scale is not None:
            rows = rows / fit.scale
        if fit.rows is None:
            return rows
        out = np.full((fit.n_rows, rows.shape[1]), np.nan)
        out[fit.rows] = rows
        return out

    def _full_scale(self, column_scale):
        if column_scale is None:
            return None
        ones = np.ones(int(self.fit_intercept))
        tail = np.ones(int(not self._distribution.fixed_scale))
        return np.concatenate([ones, column_scale, tail])

    def _names(self):
        if hasattr(self, "feature_names_in_"):
            features = [str(name) for name in self.feature_names_in_]
        else:
            features = [f"x{j}" for j in range(self.n_features_in_)]
        head = ["intercept"] if self.fit_intercept else []
        tail = [] if self._distribution.fixed_scale else ["log_scale"]
        return head + features + tail

    def _summary_info(self):
        return [
            *super()._summary_info(),
            ("Distribution", self.distribution),
            ("Scale", self.scale_),
            ("No. events", self.n_events_),
            ("Null log-lik.", self.null_loglik_),
        ]


def _check_events(event, weights):
    """The target reader's check of the events, with what it means for this model."""
    try:
        check_events(event, weights)
    except ValueError:
        raise ValueError(
            "y has no events (every time is censored, or every event has weight 0): the "
            "likelihood rises towards its supremum 0 as the predicted times grow without "
            "bound, so the parameters have no maximum likelihood estimate."
        ) from None


def _check_positive(time, weights, name):
    zero = (time == 0) & (weights > 0)
    if zero.any():
        raise ValueError(
            f"The survival times must be positive for distribution={name!r}, a model of "
            f"log T; {_positions(zero)} are 0. Drop them, or replace them by a small "
            "positive time (half the smallest observed one, say)."
        )


def start(problem):
    """The starting values: least squares of log t on the events, else the exponential fit.

    σ from the residual standard deviation over that of W, and the intercept
    shifted by σ E[W]; with fewer events than coefficients (or a start where the
    log-likelihood is not finite), the intercept is the exponential model's
    ``log(Σ w t / Σ w δ)``, the coefficients 0 and σ = 1.
    """
    design, event, w = problem.design, problem.event, problem.weights
    dist, p = problem.distribution, problem.n_cols
    if np.count_nonzero(event) > p:
        rows = design.dense_rows(0, design.n_rows)[event]
        root = np.sqrt(w[event])
        y = problem.log_time[event]
        coef, _, rank, _ = np.linalg.lstsq(rows * root[:, None], y * root, rcond=None)
        residual = y - rows @ coef
        spread = np.sqrt(w[event] @ residual**2 / w[event].sum())
        if rank == p and spread > 0:
            sigma = 1.0 if dist.fixed_scale else spread / dist.std
            if design.fit_intercept:
                coef[0] -= sigma * dist.mean
            theta = np.append(coef, [] if dist.fixed_scale else [np.log(sigma)])
            if np.isfinite(problem.objective(theta)):
                return theta
    theta = np.zeros(problem.n_params)
    if design.fit_intercept:
        theta[0] = np.log(w @ np.exp(problem.log_time) / problem.event_weight)
    return theta
