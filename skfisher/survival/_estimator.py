"""``FisherCoxRegressor``: Cox proportional-hazards regression, with the whole Fisher contract."""

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive, plain_loop
from .._inputs import check_columns_numeric
from .._validation import check_weights
from ._baseline import Baseline
from ._concordance import pair_counts
from ._firth import firth_loop
from ._global_tests import score_statistics
from ._monotone import monotone_params
from ._predict import SurvivalPredictionMixin
from ._problem import CoxProblem
from ._summary import CoxReportMixin, CoxResult
from ._targets import check_events, check_strata_kept, counting_target, strata_codes
from ._zph import proportional_hazards_test


class FisherCoxRegressor(SurvivalPredictionMixin, CoxReportMixin, FisherMixin, BaseEstimator):
    """Cox proportional-hazards regression by maximum partial likelihood, with standard errors.

    The hazard of a row x in stratum s is ``λ_s(t) exp(xᵀβ)``, with a baseline
    hazard ``λ_s`` left free in each stratum; β maximises Cox's log partial
    likelihood (R's ``coxph``, statsmodels' ``PHReg``, lifelines'
    ``CoxPHFitter`` and scikit-survival's ``CoxPHSurvivalAnalysis``). Rows at
    risk over an interval (start, stop], for covariates that change with time
    or late entry, are R's ``coxph(Surv(start, stop, event) ~ …)``,
    statsmodels' ``PHReg(stop, X, status, entry=start)`` and lifelines'
    ``CoxTimeVaryingFitter``.

    Parameters
    ----------
    ties : {"efron", "breslow"}, default="efron"
        Tied event times: Efron's approximation (R's and lifelines' default) or
        Breslow's (statsmodels' default). They agree when no event times tie.
    alpha : float, default=0.0
        L2 penalty: the fit maximises ``ℓ − ½ α Σw ||β||²``, and the matrices
        are those of the penalised objective.
    bias_reduction : {None, "firth"}, default=None
        ``"firth"``: maximise Firth's penalised partial likelihood
        ``ℓ* = ℓ + ½ log det J`` (Heinze & Schemper 2001), whose estimate has a
        smaller bias and is finite under monotone likelihood: R's ``coxphf``
        with ``ties="breslow"`` (its only ties; under Efron's, J is Efron's).
        The matrices are those of the unpenalised ``J`` at the estimate
        (``coxphf``'s), and profile intervals and ``lr_pvalues_`` profile ℓ*.
        With ``alpha > 0`` both penalties apply.
    max_iter : int, default=100
        Maximum number of Newton steps.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        ``"fisher"`` and ``"observed"`` are ``J⁻¹`` (R's naive ``fit$var``),
        ``"empirical"`` the inverse of ``Σ w s sᵀ`` over the score residuals s,
        ``"sandwich"`` ``J⁻¹ (Σ w s sᵀ) J⁻¹`` (R's ``coxph(robust=TRUE)``, whose
        ``D'D`` over the dfbeta residuals ``D = s J⁻¹`` is this matrix) and
        ``"cluster"`` ``J⁻¹ C J⁻¹`` for the ``groups`` passed to ``fit``, with
        ``C = Σ_g u_g u_gᵀ`` and no small-sample factor (R's
        ``coxph(cluster=)`` and statsmodels' ``PHReg(...).fit(groups=)``, unlike
        skfisher's other models, which multiply by ``G/(G−1) · (N−1)/(N−k)``).

    Attributes
    ----------
    coef_, params_ : ndarray of shape (n_features,)
        β (no intercept: the baseline hazard takes its place).
    hazard_ratios_ : ndarray of shape (n_features,)
        ``exp(coef_)``.
    param_names_ : ndarray of shape (n_features,)
    information_, observed_information_ : ndarray of shape (n_features, n_features)
        ``J = −∇² ℓ`` at β̂. The partial likelihood is not the likelihood of a
        model of the data, so it has no expected information of its own: both
        are the negative Hessian, as every Cox program reports.
    empirical_fisher_ : ndarray of shape (n_features, n_features)
        ``Σ w_i s_i s_iᵀ`` over the score residuals (R's
        ``residuals(fit, "score")``; :meth:`score_residuals`).
    covariance_, standard_errors_ : ndarray
        By ``cov_type``.
    loglik_ : float
        The log partial likelihood at β̂ (R's ``fit$loglik[2]``); at the Firth
        estimate, the unpenalised ℓ.
    null_loglik_ : float
        At β = 0 (R's ``fit$loglik[1]``).
    penalized_loglik_, null_penalized_loglik_ : float
        Firth fits only: ℓ* at β̂ (less ``½ α Σw ||β̂||²`` when ``alpha > 0``) and
        at β = 0 (``coxphf``'s ``fit$loglik``, the other way round).
    concordance_ : float
        Harrell's C of the training data, pairs within a stratum only (R's
        ``fit$concordance``), computed on first access; :meth:`score` compares
        all pairs.
    score_ : ndarray of shape (n_features,)
        The score at the fit (≈ 0): of ℓ* for a Firth fit.
    baseline_cumulative_hazard_ : ndarray of shape (n_times, n_strata)
        ``Λ_s(t)`` at ``x = 0`` (uncentred, as scikit-survival's
        ``cum_baseline_hazard_``) at ``unique_times_``, a column per stratum.
    unique_times_ : ndarray
        The event times, sorted: the grid of the curves with ``return_array=True``.
    strata_ : ndarray or None
        The stratum labels (None without strata).
    n_events_ : float
        Σ w over the events.
    n_iter_, converged_, nobs_, n_features_in_, feature_names_in_
        As skfisher's other estimators.
    cluster_fisher_, n_groups_
        With ``cov_type="cluster"``.

    Notes
    -----
    ``sample_weight`` are frequency weights: a weight of 2 is the row twice,
    under Efron's approximation too, whose ``d`` tied events at a time make
    ``⌈d⌉`` terms ``log(S0 − (j/d) E0)`` over the weighted counts (a fractional
    last one between integers). R's ``coxph(weights=)`` and lifelines use the
    mean weight over the tied rows instead, which is not repeated rows: on the
    data of ``tests/reference/make_cox_reference.R`` R's coefficient of ``x2``
    is −0.65045 with the weights and −0.64735 with the rows repeated, which is
    this estimator's. With Breslow's approximation all agree. R's robust
    variance with weights sums ``(w_i s_i)(w_i s_i)ᵀ`` (each weighted row its own
    cluster): ``cov_type="cluster"`` with ``groups=np.arange(n)``.

    With counting-process y the risk set of an event time t holds the rows
    with start < t ≤ stop: a subject whose covariates change is several rows,
    one per interval, with the event on its last. Every quantity (the
    matrices, the score residuals, the tests, the baseline and its curves,
    the concordance and the proportional-hazards test) is R's for such data;
    the covariance that accounts for a subject's rows together is
    ``cov_type="cluster"`` with ``groups`` the subject (R's ``cluster(id)``). The
    curves are those of a fixed covariate profile over time (R's
    ``survfit(fit, newdata)``), from X alone. ``alpha``'s penalty ``½ α Σw ||β||²``
    sums the weights of the rows: each piece of a subject counts.

    The loop takes Newton's steps (the information is the negative Hessian;
    the partial likelihood is concave), from β = 0, in O(n k²) per step over
    the rows sorted once by time. Where a feature's values at the events are
    the most extreme of their risk sets, the partial likelihood is monotone and
    the estimate does not exist: the fit warns with
    :class:`~skfisher.exceptions.PerfectSeparationWarning`, naming the
    features, and reports nan standard errors for their coefficients;
    ``bias_reduction="firth"`` gives finite estimates and standard errors. A
    Firth fit steps by ``J⁻¹ U*`` (as ``coxphf``), which converges linearly
    where the penalty's curvature is large against J's (a few events per
    coefficient): it may need a larger ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher.survival import FisherCoxRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> time = rng.exponential(np.exp(-X @ [0.7, -0.4]))
    >>> y = np.column_stack([np.minimum(time, 1.5), time < 1.5])
    >>> model = FisherCoxRegressor().fit(X, y)
    >>> model.coef_.round(3), model.standard_errors_.round(3)
    (array([ 0.807, -0.497]), array([0.081, 0.076]))
    >>> round(model.score(X, y), 3)
    0.714
    """

    _parameter_constraints: dict = {
        "ties": [StrOptions({"efron", "breslow"})],
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "bias_reduction": [StrOptions({"firth"}), None],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
    }

    def __init__(
        self,
        ties="efron",
        *,
        alpha=0.0,
        bias_reduction=None,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
    ):
        self.ties = ties
        self.alpha = alpha
        self.bias_reduction = bias_reduction
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.one_d_labels = False
        tags.target_tags.two_d_labels = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, strata=None, groups=None):
        """Fit the model by maximum (penalised) partial likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; DataFrame column names become ``param_names_``.
        y : structured array or array-like of shape (n_samples, 2) or (n_samples, 3)
            scikit-survival's structured array (a boolean event field and a
            float time field, told apart by their dtypes: what
            ``sksurv.util.Surv.from_arrays`` makes), or the columns
            ``[time, event]``: times finite and non-negative. Or
            counting-process data, each row at risk over (start, stop] with
            its event, if any, at stop: the columns ``[start, stop, event]``
            (R's ``Surv(start, stop, event)``), or a structured array with a
            boolean field and two numeric fields, read in field order as
            start and stop; finite, each start below its stop (of any sign).
            Events 0/1, at least one event.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights (see the Notes); rows of weight 0 are left out.
        strata : array-like of shape (n_samples,), default=None
            A baseline hazard for each label.
        groups : array-like of shape (n_samples,), default=None
            The cluster of each sample, for ``cov_type="cluster"``.

        Returns
        -------
        self : FisherCoxRegressor
        """
        self._forget_fit()
        check_columns_numeric(X)
        X = validate_data(self, X, dtype=np.float64)
        start, time, event = counting_target(y)
        n_rows = X.shape[0]
        if time.size != n_rows:
            raise ValueError(f"y has {time.size} rows; X has {n_rows}.")
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(weights)
        check_events(event, weights)
        codes = strata_codes(strata, n_rows)
        self.strata_ = None if strata is None else np.unique(np.asarray(strata).ravel())
        groups = self._check_groups(groups, n_rows)
        keep = weights > 0
        if not keep.all():
            check_strata_kept(codes, keep, self.strata_)
            X, time, event, weights, codes = (a[keep] for a in (X, time, event, weights, codes))
            start, groups = (None if a is None else a[keep] for a in (start, groups))
        problem = CoxProblem(
            X, time, event, weights, codes, self.ties, alpha=self.alpha, start=start
        )
        names = self._feature_names()
        # At the loop's start: the loop reuses the sums at β = 0.
        self._score_statistics = score_statistics(problem, X.shape[1], self.cov_type, groups)
        firth = self.bias_reduction is not None
        model = Model(
            problem,
            names,
            weights.sum(),
            [(np.zeros(X.shape[1]), 0)],
            # Firth's estimate is finite under monotone likelihood: nothing diverges.
            loop=firth_loop if firth else plain_loop,
            diagnose=None if firth else partial(monotone_params, names),
            publish={"groups": groups, "rows": None if keep.all() else keep, "n_rows": n_rows},
        )
        fitted, result, _ = drive(self, model)
        if firth:
            self.penalized_loglik_ = float(fitted.objective(result.theta))
            self.null_penalized_loglik_ = float(fitted.objective(np.zeros(X.shape[1])))
        self.coef_ = self.params_.copy()
        with np.errstate(over="ignore"):  # inf for a coefficient that diverges
            self.hazard_ratios_ = np.exp(self.coef_)
        self.null_loglik_ = problem.loglik(np.zeros(X.shape[1]))
        self.n_events_ = float(weights @ event)
        self._baseline = Baseline(problem, self.params_)
        self.unique_times_ = self._baseline.unique_times
        self.baseline_cumulative_hazard_ = self._baseline.at_zero(self.unique_times_)
        return self

    def _publish(self, fit):
        super()._publish(CoxResult.of(fit))

    def _forget_fit(self):
        super()._forget_fit()
        self.__dict__.pop("_concordance", None)

    def __getstate__(self):
        if hasattr(self, "params_"):
            _ = self.concordance_  # computed while the training data are at hand
        return super().__getstate__()

    @property
    def concordance_(self):
        """Harrell's C of the training data, pairs within a stratum only (R's ``fit$concordance``).

        Computed on first access (O(n log² n)) and kept, also in a pickle;
        :meth:`score` compares all pairs, as scikit-survival.
        """
        check_is_fitted(self, "params_")
        if "_concordance" not in self.__dict__:
            problem = self._fitted_problem
            risk = problem.risk
            eta = problem.linear_predictor(self.fisher_result_.theta)
            concordant, discordant, tied = pair_counts(
                risk.time, risk.event, eta, risk.weights, risk.stratum, start=risk.start
            )
            comparable = concordant + discordant + tied
            self._concordance = (concordant + 0.5 * tied) / comparable if comparable else np.nan
        return self._concordance

    def _feature_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def score_residuals(self):
        """Return the score residuals of the training rows, shape (n_samples, n_features).

        Therneau's residuals (R's ``residuals(fit, "score")``, statsmodels'
        ``score_residuals`` under Breslow ties), with ``score_ = Σ w_i s_i``; rows
        of weight 0 are nan. They need the training data: refit an unpickled
        estimator.
        """
        check_is_fitted(self, "params_")
        problem = getattr(self, "_fitted_problem", None)
        if problem is None:
            raise ValueError(
                "The score residuals need the training data, which this fit "
                "does not keep (an unpickled estimator): refit it."
            )
        fit = self.fisher_result_
        residuals = problem.residuals(fit.theta)
        if fit.rows is None:
            return residuals
        out = np.full((fit.n_rows, residuals.shape[1]), np.nan)
        out[fit.rows] = residuals
        return out

    def proportional_hazards_test(self, transform="km"):
        """Return the test of proportional hazards and the scaled Schoenfeld residuals.

        R's ``cox.zph(fit, transform, terms = FALSE)`` (survival 3.x): for each
        covariate the score test, at β̂, of adding ``g(t) x_j`` (a hazard ratio
        that changes with g(t)), and the global test of adding all of them,
        from the Schoenfeld residuals and the information of each event
        group. The matrices are the fit's own (its ties; not a robust
        variance), and weights are frequency weights, as in the fit: the test
        is R's of the rows repeated (R's ``cox.zph`` of a weighted fit takes g
        from the unweighted rows).

        Parameters
        ----------
        transform : {"km", "rank", "identity", "log"}, default="km"
            g: ``1 − S(t−)`` with S the Kaplan-Meier estimate of the training
            rows (pooled over the strata), the rank of t among them, t, or log t.

        Returns
        -------
        test : ProportionalHazardsTest
            ``statistic``, ``df`` and ``pvalue`` of each covariate,
            ``global_test``, and the scaled Schoenfeld residuals
            (``scaled_residuals``) of the events with their ``time`` and
            ``transformed_time``. They need the training data: refit an
            unpickled estimator.
        """
        check_is_fitted(self, "params_")
        problem = getattr(self, "_fitted_problem", None)
        if problem is None:
            raise ValueError(
                "The proportional-hazards test needs the training data, which this fit "
                "does not keep (an unpickled estimator): refit it."
            )
        if getattr(self, "penalized_loglik_", None) is not None:
            raise ValueError(
                "The proportional-hazards test is a score test at the maximum of the "
                "unpenalised partial likelihood, whose score is not 0 at Firth's estimate: "
                "refit with bias_reduction=None."
            )
        if not self.converged_:
            raise ValueError(
                "The proportional-hazards test takes the score of β as 0 at the fit; this "
                "fit did not converge (see its warning): it has no estimate to test from."
            )
        fit = self.fisher_result_
        return proportional_hazards_test(
            problem, fit.theta, self.param_names_, transform, self.strata_, fit.rows
        )
