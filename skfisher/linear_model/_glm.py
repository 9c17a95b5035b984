"""Generalised linear models of every family/link pair, fitted by Fisher scoring."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._dask import is_dask_collection
from .._inputs import check_columns_numeric, check_target_present
from .._linalg import DESIGN_DTYPES
from .._predicted import check_mean_domain
from ..families import FAMILY_NAMES, GLMFamily, get_family
from ..links import LINK_NAMES, Link
from ._base import BaseFisherGLM
from ._glm_fit import estimates_alpha, null_means


class FisherGLMRegressor(RegressorMixin, BaseFisherGLM):
    """Generalised linear model by Fisher scoring, with the information picture.

    The maximum-likelihood fit of ``g(E[y | x]) = b + xᵀw (+ offset)`` for a
    family (the distribution of ``y``) and a link ``g``. Fisher scoring is
    iteratively reweighted least squares with the expected weights; for a
    canonical link it is Newton's method.

    Parameters
    ----------
    family : str or GLMFamily, default="poisson"
        ``"binomial"`` (0/1 or proportions, ``sample_weight`` = trials),
        ``"poisson"``, ``"gaussian"``, ``"gamma"``, ``"inverse_gaussian"``,
        ``"negative_binomial"`` (NB2, α estimated), ``"tweedie"``
        (``Tweedie(power=1.5)``), ``"quasi_poisson"`` or ``"quasi_binomial"``
        (the Poisson and binomial estimates with φ estimated, no likelihood), or
        an instance from :mod:`skfisher.families` carrying its own constants:
        ``NegativeBinomial(alpha=0.5)`` (α fixed), ``Tweedie(power=3)``.
    link : str or Link, default="default"
        The link ``g``; ``"default"`` is the family's usual link. Allowed pairs
        (default first): binomial ``logit``, ``probit``, ``cloglog``, ``log``;
        poisson ``log``, ``identity``, ``sqrt``; gaussian ``identity``,
        ``log``, ``inverse``; gamma ``inverse``, ``log``, ``identity``;
        inverse_gaussian ``inverse_squared``, ``log``, ``inverse``,
        ``identity``; negative_binomial ``log``; tweedie ``log``, ``identity``;
        quasi_poisson and quasi_binomial those of poisson and binomial.
    fit_intercept : bool, default=True
        Whether to estimate an intercept.
    alpha : float, default=0.0
        L2 penalty in scikit-learn's GLM convention: the fit minimises
        ``D(w) / (2 Σ sample_weight) + ½ α ||w||²`` (``D`` the deviance; the
        intercept and the negative binomial's α are not penalised). The
        default 0 gives the plain maximum-likelihood estimate; with
        ``alpha > 0`` the matrices are those of the penalised log-likelihood
        (see :class:`FisherLogisticRegression`).
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations; the weighted least-squares
        start counts as the first, as in R's ``glm``.
    tol : float, default=1e-8
        Stop when the next Fisher-scoring step is shorter than ``tol``
        standard errors: ``sqrt(Uᵀ I⁻¹ U) <= tol``.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹``, the robust ``J⁻¹ F J⁻¹`` (HC0), or the
        cluster-robust sandwich (pass ``groups`` to ``fit``).
    warm_start : bool, default=False
        Start from the previous fit's ``params_`` when refitting.
    bias_reduction : {None, "firth", "flic"}, default=None
        ``"firth"``: Firth's penalised log-likelihood ``ℓ + ½ log det I``
        (binomial-logit and poisson-log; other pairs raise ``ValueError``),
        finite under separation, the matrices unpenalised as R's ``logistf``;
        ``"flic"`` (binomial-logit) re-estimates its intercept by maximum
        likelihood. See :class:`FisherLogisticRegression`.
    solver : {"newton", "cg", "auto"}, default="newton"
        As :class:`FisherLogisticRegression`'s: ``"cg"`` for wide X, every family
        and link but the negative binomial with α estimated (fix α).
    verbose : int, default=0
        1: log each iteration's objective and step in standard errors to the
        "skfisher" logger (and a dask fit's choice to persist or stream its
        blocks); 2: dask's progress bars too.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The coefficients ``w``.
    intercept_ : float
        The intercept ``b`` (0 when ``fit_intercept=False``).
    params_ : ndarray of shape (n_params,)
        All estimates, ``[intercept, coef...]``, then ``alpha`` for the
        negative binomial with α estimated.
    param_names_ : ndarray of shape (n_params,)
        ``"intercept"``, the feature names, and ``"alpha"`` when estimated.
    family_ : GLMFamily
        The fitted family; for ``"negative_binomial"`` it carries the estimate
        ``NegativeBinomial(alpha=α̂)``.
    link_ : Link
        The fitted link.
    dispersion_ : float
        ``φ̂ = Σ w (y − μ)² / V(μ) / (Σw − rank)`` (Pearson) for the gaussian,
        gamma, inverse_gaussian, tweedie and quasi families; 1 for the others.
    deviance_ : float
        ``Σ w d(y, μ̂)``, the deviance (at φ = 1).
    information_, observed_information_, empirical_fisher_ : ndarray of shape (n_params, n_params)
        At the fit (at ``φ̂``), totals: the expected information ``I``, the
        negative Hessian ``J`` and the outer product ``F = Σ w_i s_i s_iᵀ``.
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``; ``solver="cg"``: see :class:`FisherLogisticRegression`.
    score_ : ndarray of shape (n_params,)
        The score at the fit (≈ 0).
    loglik_ : float
        The full log-likelihood at the fit, as statsmodels' ``GLMResults.llf``;
        nan (and so ``aic_``, ``bic_``) for the quasi families, whose
        quasi-likelihood is not the logarithm of a normalised density, and for
        ``Tweedie(power=1)`` (see :class:`~skfisher.families.Tweedie`).
    aic_, bic_ : float
        ``−2 ℓ + 2 k`` and ``−2 ℓ + k log(Σw)`` with ``k = len(params_)``.
    n_iter_ : int
        Fisher-scoring iterations taken.
    converged_ : bool
        Whether the fit converged.
    nobs_ : float
        The number of observations, Σ sample_weight.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    FisherPoissonRegressor : Poisson with the log link.
    FisherGammaRegressor : Gamma with the log link.

    Notes
    -----
    With ``r = y − μ``, ``μ' = dμ/dη``, ``μ'' = d²μ/dη²`` and variance function
    ``V``, per row and times its weight: the score in η is ``r μ'/(φV)``, the
    expected information ``μ'²/(φV)`` and the observed information
    ``[μ'² − r μ'' + r μ'² V'/V] / (φV)``; the matrices are ``Xᵀ diag(·) X``.
    For a non-canonical link (probit, Poisson-identity, gamma-log, …) the
    observed and expected information differ at the fit.

    Conventions (those of statsmodels' ``GLM`` with ``freq_weights``):

    - ``sample_weight`` are frequency weights: a weight of 2 is a repeated row.
      For binomial proportions the weight is the number of trials and
      ``loglik_`` includes ``log C(m, m y)`` (statsmodels' ``var_weights``).
    - Families with a dispersion use the Pearson ``φ̂`` in all three matrices,
      the empirical Fisher included. ``loglik_`` is evaluated at ``φ̂``, except
      gaussian-identity, at ``σ̂² = RSS / Σw`` (statsmodels' ``llf``).
    - ``aic_`` and ``bic_`` count the parameters in ``params_`` (so not φ, as
      statsmodels' ``aic`` and ``bic_llf``; R's ``AIC`` adds 1 for φ).
    - The tweedie ``loglik_`` is the exact density by its series
      (:class:`~skfisher.families.Tweedie`), not a quasi-likelihood.
    - ``score`` is D², the fraction of deviance explained, as scikit-learn's
      GLMs (ignoring offsets).

    The loop of a family with a dispersion runs at a fixed φ₀ (the Pearson
    statistic of the starting means), so that ``tol`` is in standard errors
    whatever the units of ``y``. Starting values are R's ``glm`` start: one
    weighted least-squares step from ``μ₀ ≈ y``.

    **Offsets in a pipeline.** ``fit`` and ``predict`` take ``offset``; with
    scikit-learn's metadata routing enabled, request it with
    ``set_fit_request(offset=True)`` (and ``set_predict_request``) and pass it
    to the pipeline's ``fit``, as in the second example.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import FisherGLMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = rng.gamma(shape=2.0, scale=np.exp(0.5 + X @ [0.3, -0.2]) / 2.0)
    >>> model = FisherGLMRegressor(family="gamma", link="log").fit(X, y)
    >>> model.param_names_.tolist()
    ['intercept', 'x0', 'x1']
    >>> model.params_.round(2)
    array([ 0.41,  0.35, -0.18])
    >>> model.standard_errors_.round(3)
    array([0.05 , 0.051, 0.049])
    >>> round(model.dispersion_, 3)
    0.492

    An exposure enters a Poisson model as ``offset=log(exposure)``; in a
    pipeline it is routed to the step that requested it:

    >>> import sklearn
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> sklearn.set_config(enable_metadata_routing=True)
    >>> exposure = rng.uniform(1, 5, size=200)
    >>> counts = rng.poisson(exposure * np.exp(0.2 + X @ [0.5, 0.1]))
    >>> glm = FisherGLMRegressor(family="poisson").set_fit_request(offset=True)
    >>> pipe = make_pipeline(StandardScaler(), glm)
    >>> pipe = pipe.fit(X, counts, offset=np.log(exposure))
    >>> pipe[-1].params_.round(2)  # per standard deviation of X, after the scaler
    array([0.07, 0.56, 0.07])
    >>> sklearn.set_config(enable_metadata_routing=False)
    """

    _parameter_constraints = {
        **BaseFisherGLM._parameter_constraints,
        "family": [StrOptions(set(FAMILY_NAMES)), GLMFamily],
        "link": [StrOptions({"default", *LINK_NAMES}), Link],
    }

    def __init__(
        self,
        family="poisson",
        link="default",
        *,
        fit_intercept=True,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
        warm_start=False,
        bias_reduction=None,
        solver="newton",
        verbose=0,
    ):
        self.family = family
        self.link = link
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type
        self.warm_start = warm_start
        self.bias_reduction = bias_reduction
        self.solver = solver
        self.verbose = verbose

    def _family_and_link(self):
        """Return the family and the link (neither is changed by a fit)."""
        family = get_family(self.family)
        return family, family.get_link(self.link)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            family, _ = self._family_and_link()
        except (ValueError, TypeError):
            return tags
        # As scikit-learn's GLMs: a family that rejects y = -1 asks the estimator
        # checks for positive targets.
        tags.target_tags.positive_only = not bool(family.support.contains(-1.0))
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self, X, y, sample_weight=None, offset=None, groups=None, var_weights=None, se_for=None
    ):
        """Fit the model by Fisher scoring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; DataFrame column names become ``param_names_``.
        y : array-like of shape (n_samples,)
            The response, inside the family's support.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights (a weight of 2 counts a row twice); for binomial
            proportions, the numbers of trials.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor with coefficient 1, e.g.
            ``log(exposure)`` with the log link.
        groups : array-like of shape (n_samples,), default=None
            Cluster labels, for ``cov_type="cluster"`` only.
        var_weights : array-like of shape (n_samples,), default=None
            Prior (variance) weights ``v``: row i has dispersion ``φ / v_i``,
            as R's ``glm(weights=)`` and statsmodels' ``var_weights``. Use
            them when a row is an average of ``v_i`` units (a claim severity
            averaged over ``v_i`` claims, a rate over an exposure); use
            ``sample_weight`` when a row stands for ``f_i`` identical
            observations. Prior weights do not count as observations:
            ``nobs_`` and the degrees of freedom of φ̂ are ``Σ sample_weight``.
            Not with the binomial family, an estimated negative-binomial α,
            bias reduction or dask arrays.
        se_for : int, str or sequence of them, default=None
            The coefficients whose standard errors ``solver="cg"`` computes
            and ``summary()`` shows (see :class:`FisherLogisticRegression`).

        Returns
        -------
        self : FisherGLMRegressor
            The fitted estimator.
        """
        self._forget_fit()
        family, link = self._family_and_link()
        if is_dask_collection(X):
            if var_weights is not None:
                raise ValueError(
                    "var_weights are not available for fits on dask arrays; compute the "
                    "arrays (X.compute()) to fit in memory."
                )
            self._check_dask_options(groups, estimate_alpha=estimates_alpha(family), se_for=se_for)
            problem, phi = self._fit_dask(X, y, sample_weight, offset, family, link)
            self.family_, self.link_, self.dispersion_ = family, link, float(phi)
            self.deviance_ = problem.deviance(self.params_)
            return self
        check_columns_numeric(X)
        check_target_present(y)
        X, y = validate_data(
            self, X, y, accept_sparse=["csr", "csc"], dtype=DESIGN_DTYPES, y_numeric=True
        )
        y = np.asarray(y, dtype=np.float64)
        family.check_y(y)
        _, phi, deviance, family = self._fit_glm(
            X,
            y,
            sample_weight,
            family,
            link,
            offset,
            groups,
            deviance=True,
            var_weights=var_weights,
            se_for=se_for,
        )
        self.family_, self.link_, self.dispersion_ = family, link, float(phi)
        self.deviance_ = deviance
        return self

    def predict(self, X, offset=None):
        """Return the predicted mean response ``μ = g⁻¹(b + Xw + offset)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in ``fit``.

        Returns
        -------
        mu : ndarray of shape (n_samples,)
            The mean of ``y`` (for binomial proportions, the probability).
        """
        eta = self._linear_predictor(X, offset)
        with np.errstate(all="ignore"):
            # A linear predictor outside the link's range (η < 0 for 1/μ²) has
            # no mean: nan, as statsmodels; exp(η) past 709.78 is inf. Both,
            # and means outside the family's domain, warn by row.
            mu = self.link_.inverse(eta)
        if not is_dask_collection(mu):
            # A dask mean stays lazy: checking it would compute it.
            check_mean_domain(self.family_, mu, method="predict")
        return mu

    def score(self, X, y, sample_weight=None, offset=None):
        """Return D², the fraction of deviance explained.

        ``D² = 1 − D(y, μ̂) / D(y, μ̂₀)`` with ``D`` the family's deviance (with
        the fitted α of the negative binomial), as scikit-learn's
        ``PoissonRegressor.score``. Without an offset the null means ``μ̂₀``
        are the weighted mean ``ȳ``; with one they are the intercept-only
        model's fit on these samples with the same offset (R's null deviance
        of ``glm(..., offset=)``), so an exposure does not count as explained
        deviance. It is 1 for a perfect fit and 0 for the null model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True responses, inside the family's support.
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in ``fit``; routed by
            scikit-learn's metadata routing with ``set_score_request(offset=True)``.

        Returns
        -------
        d2 : float
        """
        mu = self.predict(X, offset=offset)
        y = np.asarray(y, dtype=np.float64).ravel()
        self.family_.check_y(y)
        sample_weight = _check_sample_weight(sample_weight, y.reshape(-1, 1), dtype=np.float64)
        offset = None if offset is None else np.asarray(offset, dtype=np.float64).ravel()
        deviance = sample_weight @ self.family_.unit_deviance(y, mu)
        null_deviance = sample_weight @ self.family_.unit_deviance(
            y, null_means(y, sample_weight, self.family_, self.link_, offset)
        )
        if null_deviance == 0:
            return 1.0 if deviance == 0 else 0.0
        return float(1.0 - deviance / null_deviance)

    def _summary_info(self):
        info = super()._summary_info()
        return [
            ("Model", type(self).__name__),
            ("Family", repr(self.family_)),
            ("Link", self.link_.name),
            ("Dispersion", self.dispersion_),
            ("Deviance", self.deviance_),
            *info[1:],
        ]
