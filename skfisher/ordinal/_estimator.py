"""``FisherOrdinalRegression``: cumulative-link models, with the whole Fisher contract."""

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive
from .._inputs import check_columns_numeric, check_target_present
from .._linalg import Design
from .._newton import newton_loop
from .._validation import check_weights
from ._intervals import OrdinalIntervalMixin
from ._links import CUMULATIVE_LINKS, cumulative_link
from ._margins import OrdinalMarginsMixin
from ._problem import CumulativeLinkProblem, cumulative_proba, start_theta
from ._proportional_odds import parallel_lines_test
from ._separation import separated_params
from ._targets import check_class_weights, class_index, ordinal_classes, threshold_names
from ._threshold_profile import ThresholdProfile


class FisherOrdinalRegression(
    OrdinalIntervalMixin, OrdinalMarginsMixin, ClassifierMixin, FisherMixin, BaseEstimator
):
    """Ordinal regression (cumulative-link models) by maximum likelihood, with standard errors.

    For K ordered classes ``classes_[0] < … < classes_[K−1]``, the model

        P(y ≤ classes_[j] | x) = F(θ_j − xᵀβ),    j = 0, …, K − 2,

    with increasing thresholds ``θ_0 < … < θ_{K−2}`` and no intercept (the
    thresholds take its place): R's ``MASS::polr`` and ``ordinal::clm`` and
    statsmodels' ``OrderedModel``, with their sign convention, so that a
    positive coefficient moves the classes up. ``link="logit"`` is the
    proportional-odds model.

    Parameters
    ----------
    link : {"logit", "probit", "cloglog", "loglog", "cauchit"}, default="logit"
        The distribution ``F`` of the latent variable: logistic, normal,
        ``1 − exp(−eᵗ)`` (Gumbel minimum), ``exp(−e⁻ᵗ)`` (Gumbel maximum) or
        Cauchy.
    alpha : float, default=0.0
        L2 penalty on β in scikit-learn's GLM convention: the fit maximises
        ``ℓ − ½ α Σw ||β||²`` (the thresholds are not penalised). With
        ``alpha > 0`` the matrices are those of the penalised objective, as in
        :class:`~skfisher.FisherLogisticRegression`, and profile quantities
        are refused.
    max_iter : int, default=100
        Maximum number of iterations.
    tol : float, default=1e-8
        Stop when the next step is shorter than ``tol`` standard errors,
        ``sqrt(Uᵀ J⁻¹ U) <= tol`` (with the expected information I where the
        observed J is not positive definite).
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹``, ``J⁻¹ F J⁻¹`` or the cluster-robust
        ``c J⁻¹ C J⁻¹`` for the ``groups`` passed to ``fit``. Every one is also
        at hand after the fit from :meth:`covariance`.
    warm_start : bool, default=False
        Start from the previous fit's ``params_`` when refitting (when their
        number matches and the thresholds increase).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The ordered classes: the categories of a pandas ordered Categorical
        ``y``, otherwise the sorted unique labels.
    coef_ : ndarray of shape (n_features,)
        β.
    thresholds_ : ndarray of shape (n_classes - 1,)
        θ, increasing.
    params_ : ndarray of shape (n_params,)
        ``[coef_..., thresholds_...]``, ``n_params = n_features + n_classes − 1``.
    param_names_ : ndarray of shape (n_params,)
        The feature names, then ``"<class j>|<class j+1>"`` for each threshold
        (R's names, e.g. ``"1|2"``).
    link_ : Link
        The link whose inverse is ``F``.
    information_ : ndarray of shape (n_params, n_params)
        The expected information ``I = Σ_i w_i Σ_k (∂p_ik/∂θ)(∂p_ik/∂θ)ᵀ / p_ik``.
    observed_information_ : ndarray of shape (n_params, n_params)
        ``J``, the negative Hessian of the log-likelihood (analytic); equal to
        ``I`` in expectation but not at the fit.
    empirical_fisher_ : ndarray of shape (n_params, n_params)
        ``F = Σ w_i s_i s_iᵀ`` over the per-row scores.
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``.
    score_ : ndarray of shape (n_params,)
        The score at the fit (≈ 0).
    loglik_ : float
        The log-likelihood at the fit (without the penalty).
    deviance_ : float
        ``−2 loglik_`` (the saturated model of one row per observation has ℓ = 0).
    aic_, bic_ : float
        ``−2 ℓ + 2 k`` and ``−2 ℓ + k log(Σw)``, ``k = n_params``.
    n_iter_ : int
        Iterations taken.
    converged_ : bool
        Whether the fit converged (False under separation).
    nobs_ : float
        Σ sample_weight.
    cluster_fisher_ : ndarray of shape (n_params, n_params)
        ``Σ_g u_g u_gᵀ`` over the per-cluster score sums (``cov_type="cluster"``).
    n_groups_ : int
        The number of clusters (``cov_type="cluster"``).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    FisherLogisticRegression : Two classes, or unordered ones (multinomial).

    Notes
    -----
    With ``γ_j = θ_j − xᵀβ`` and ``p_k = F(γ_k) − F(γ_{k−1})``, a row's score in
    γ has two entries, ``f(γ_y)/p_y`` and ``−f(γ_{y−1})/p_y``, and every per-row
    matrix (expected information, negative Hessian, outer product of
    scores) is tridiagonal in γ; the totals in θ follow from
    ``∂γ/∂θ = [−1 xᵀ, I]`` (see
    :class:`~skfisher.ordinal._problem.CumulativeLinkProblem`). The loop
    starts from β = 0 and the thresholds of the model without features
    (``F⁻¹`` of the cumulative class shares) and takes Newton's steps with
    the analytic observed information where it is positive definite,
    Fisher-scoring steps elsewhere: where the model misfits, I and J differ
    enough that Fisher scoring alone converges slowly (see
    :mod:`skfisher._newton`). ``information_`` and ``cov_type="fisher"``
    are the expected information at the fit all the same. The line search
    rejects a step whose thresholds do not increase. For every link but the
    cauchit the density is log-concave and so is the likelihood (Pratt
    1981): its maximum is unique.

    Where a feature orders the classes perfectly, or predicts the class of
    some rows exactly (all its non-zero values in the top class, say), the
    maximum-likelihood estimate does not exist: the fit warns with
    :class:`~skfisher.exceptions.PerfectSeparationWarning`, naming the
    features, sets ``converged_=False`` and reports nan standard errors for
    the parameters that diverge.

    Examples
    --------
    Four ordered classes cut from a logistic latent variable:

    >>> import numpy as np
    >>> from skfisher import FisherOrdinalRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = np.digitize(X @ [1.0, -0.5] + rng.logistic(size=500), [-1.0, 0.5, 2.0])
    >>> model = FisherOrdinalRegression().fit(X, y)
    >>> model.param_names_.tolist()
    ['x0', 'x1', '0|1', '1|2', '2|3']
    >>> model.params_.round(3)
    array([ 1.029, -0.505, -0.696,  0.423,  1.813])
    >>> model.standard_errors_.round(3)
    array([0.101, 0.092, 0.103, 0.1  , 0.131])
    >>> model.predict_proba(X[:2]).round(3)
    array([[0.291, 0.266, 0.278, 0.166],
           [0.214, 0.241, 0.315, 0.23 ]])
    """

    # Profile refits of a threshold start from ordered thresholds.
    profile_class = ThresholdProfile

    _parameter_constraints: dict = {
        "link": [StrOptions(set(CUMULATIVE_LINKS))],
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        link="logit",
        *,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
        warm_start=False,
    ):
        self.link = link
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the model by maximum likelihood (the loop of the Notes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; DataFrame column names become ``param_names_``.
        y : array-like of shape (n_samples,)
            At least 3 ordered classes: a pandas ordered Categorical (its
            categories give the order, each must be observed) or labels that
            sort in their order (numbers, or strings such as ``"1_low"``).
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice; rows of
            weight 0 are left out.
        groups : array-like of shape (n_samples,), default=None
            The cluster of each sample, for ``cov_type="cluster"``.

        Returns
        -------
        self : FisherOrdinalRegression
            The fitted estimator.
        """
        self._forget_fit()
        check_columns_numeric(X)
        check_target_present(y)
        ordered = ordinal_classes(y)
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], dtype=np.float64)
        if ordered is None:
            check_classification_targets(y)
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(weights)
        self.classes_, y_index = class_index(y, ordered)
        check_class_weights(self.classes_, y_index, weights)
        n_rows = X.shape[0]
        codes = self._check_groups(groups, n_rows)
        keep = weights > 0
        if not keep.all():
            X, y_index, weights = X[keep], y_index[keep], weights[keep]
            codes = None if codes is None else codes[keep]
        self.link_ = cumulative_link(self.link)
        problem = CumulativeLinkProblem(
            Design(X, fit_intercept=False),
            y_index,
            len(self.classes_),
            weights,
            self.link_,
            alpha=self.alpha,
        )
        names = [*self._feature_names(), *threshold_names(self.classes_)]
        model = Model(
            problem,
            names,
            weights.sum(),
            [(self._start(problem), 0)],
            loop=newton_loop,
            diagnose=partial(separated_params, self.alpha, names),
            publish={"groups": codes, "rows": None if keep.all() else keep, "n_rows": n_rows},
        )
        drive(self, model)
        p = self.n_features_in_
        self.coef_, self.thresholds_ = self.params_[:p].copy(), self.params_[p:].copy()
        self.deviance_ = -2.0 * self.loglik_
        return self

    def _start(self, problem):
        previous = getattr(self, "params_", None) if self.warm_start else None
        # A previous estimate of another shape, or outside the domain of these
        # data (thresholds no longer increasing), is no start.
        if previous is not None and previous.shape == (problem.n_params,):
            if np.isfinite(problem.objective(previous)):
                return np.array(previous, dtype=float)
        return start_theta(problem)

    def _feature_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _linear_predictor(self, X):
        check_is_fitted(self, "params_")
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_, dtype=float).ravel()

    def decision_function(self, X):
        """Return the latent linear predictor ``xᵀβ`` of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        eta : ndarray of shape (n_samples,)
            ``X coef_``: larger values move the classes up. It is one score
            for all classes, not one column per class.
        """
        return self._linear_predictor(X)

    def predict_proba(self, X):
        """Return the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``F(θ_k − xᵀβ) − F(θ_{k−1} − xᵀβ)``, columns in the order of ``classes_``.
        """
        eta = self._linear_predictor(X)
        return cumulative_proba(self.link_, eta, self.thresholds_)[0]

    def predict_log_proba(self, X):
        """Return the log of :meth:`predict_proba`, shape (n_samples, n_classes)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict_cumulative_proba(self, X):
        """Return ``P(y ≤ classes_[j] | x)`` for the first K − 1 classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        cumulative : ndarray of shape (n_samples, n_classes - 1)
            ``F(θ_j − xᵀβ)``, increasing along each row.
        """
        eta = self._linear_predictor(X)
        return cumulative_proba(self.link_, eta, self.thresholds_)[1]

    def predict(self, X):
        """Return the most probable class of each sample, shape (n_samples,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def proportional_odds_test(self):
        """Test that the slopes are the same at every threshold, per feature and for all.

        Rao's score test of the fitted model against the model with a slope
        per threshold, ``P(y ≤ classes_[j] | x) = F(θ_j − xᵀβ_j)``, from this fit
        alone (no refit): for the logit link the test of proportional odds,
        for the others of parallel lines. See
        :mod:`skfisher.ordinal._proportional_odds`.

        Returns
        -------
        test : ParallelLinesTest
            ``statistic``, ``df`` and ``pvalue`` for each feature's slopes set
            free (``K − 2`` degrees of freedom) and for all of them
            (``n_features (K − 2)``); ``str(test)`` is a table and
            ``test.to_frame()`` a DataFrame.
        """
        check_is_fitted(self, "params_")
        if getattr(self, "_fitted_problem", None) is None:
            raise ValueError(
                "The proportional-odds test needs the training data, which this fit does "
                "not keep (an estimator restored from a pickle): refit it."
            )
        if self.alpha != 0 or not self.converged_:
            raise ValueError(
                "The proportional-odds test is a score test at the maximum-likelihood "
                f"estimate; this fit {'is penalised' if self.alpha else 'did not converge'}. "
                "Refit with alpha=0 on data that are not separated."
            )
        return parallel_lines_test(self._fitted_problem, self.params_, self._feature_names())

    def _summary_info(self):
        return [
            *super()._summary_info(),
            ("Link", self.link),
            ("Classes", len(self.classes_)),
        ]
