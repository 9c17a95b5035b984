"""Binary and multinomial logistic regression fitted by Fisher scoring, with standard errors."""

from functools import partial

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._dask import _dask, is_dask_collection
from ..families import Binomial
from ..links import Logit
from ._base import BaseFisherGLM
from ._multinomial import ClassGroupedSummary, _label
from ._multinomial_fit import fit_multinomial


class FisherLogisticRegression(ClassifierMixin, BaseFisherGLM):
    """Binary and multinomial logistic regression by Fisher scoring, with the information picture.

    With two classes, the maximum-likelihood fit of
    ``P(y = classes_[1] | x) = expit(b + xᵀ w)``. With K > 2 classes, the
    multinomial logit with ``classes_[0]`` as reference (as statsmodels
    ``MNLogit`` and R ``nnet::multinom``): ``P(y = classes_[j] | x) ∝
    exp(b_j + xᵀ w_j)`` with ``b_0 = 0, w_0 = 0``. For the logit link Fisher
    scoring is Newton's method (and IRLS), so the expected and observed
    information coincide.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to estimate an intercept.
    alpha : float, default=0.0
        L2 penalty in scikit-learn's GLM convention: the fit minimises
        ``mean log-loss + ½ α ||w||²`` (the intercept is not penalised; with
        K > 2 classes ``||w||²`` sums over the K − 1 non-reference classes).
        The default 0 gives the plain maximum-likelihood estimate. With
        ``alpha > 0`` the information matrices are those of the penalised
        log-likelihood (``I + α Σw``), so ``cov_type="fisher"`` gives the
        Laplace approximation to the posterior covariance under the Gaussian
        prior that the penalty implies, and ``cov_type="sandwich"`` gives the
        sampling covariance of the penalised estimator; neither describes the
        unpenalised MLE, and the intervals are centred on a shrunken estimate.
    max_iter : int, default=100
        Maximum number of Fisher-scoring iterations.
    tol : float, default=1e-8
        Stop when the next Fisher-scoring step is shorter than ``tol``
        standard errors: ``sqrt(Uᵀ I⁻¹ U) <= tol``.
    cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
            default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹``, the robust ``J⁻¹ F J⁻¹`` (HC0), or the
        cluster-robust ``c J⁻¹ C J⁻¹`` for the ``groups`` passed to ``fit``, with
        ``C = Σ_g u_g u_gᵀ`` over the per-cluster score sums and statsmodels'
        correction ``c = G/(G − 1) · (N − 1)/(N − k)``.
    warm_start : bool, default=False
        Start from the previous fit's ``params_`` when refitting.
    bias_reduction : {None, "firth", "flic"}, default=None
        ``"firth"`` maximises Firth's penalised log-likelihood
        ``ℓ + ½ log det I`` (two classes only): estimates with O(1/n²) bias,
        finite under separation. The matrices are those of the unpenalised
        log-likelihood at the estimate and ``cov_type="fisher"`` gives
        ``I(β̂)⁻¹``, as R's ``logistf``; ``conf_int(method="profile")`` and
        ``lr_pvalues_`` profile the penalised log-likelihood. ``"flic"`` keeps
        Firth's slopes and re-estimates the intercept by maximum likelihood
        (Puhr et al. 2017), so that the mean fitted probability equals the
        event rate. See :mod:`skfisher.linear_model._firth`.
    solver : {"newton", "cg", "auto"}, default="newton"
        ``"newton"`` solves each step with the k × k information; ``"cg"`` (two
        classes, in memory) by conjugate gradients on products ``Xᵀ W X v`` in
        O(nnz(X) + k) memory, without the k × k matrices, Firth's penalty or
        clusters, standard errors only for ``fit(se_for=...)``; ``"auto"`` picks
        "cg" above 5,000 parameters or where the matrices would take a quarter of
        the memory.
    verbose : int, default=0
        1: log each iteration's objective and step in standard errors to the
        "skfisher" logger (and a dask fit's choice to persist or stream its
        blocks); 2: dask's progress bars too.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; with two, ``classes_[1]`` is the event modelled; with
        more, ``classes_[0]`` is the reference.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The coefficients; with K > 2 classes one row per class, the
        reference's row 0.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The intercepts (0 when ``fit_intercept=False``; the reference's is 0).
    params_ : ndarray of shape (n_params,)
        All estimates, ``[intercept, coef...]``; with K > 2 classes the same
        for each non-reference class in turn (class-major), so
        ``n_params = (K − 1)(n_features + 1)``.
    param_names_ : ndarray of shape (n_params,)
        ``"intercept"`` and the feature names; with K > 2 classes prefixed
        by the class, ``"<class>:<feature>"`` (e.g. ``"2:intercept"``).
    information_ : ndarray of shape (n_params, n_params)
        Expected (Fisher) information ``I`` at the fit, a total over the sample.
    observed_information_ : ndarray of shape (n_params, n_params)
        Observed information ``J``, the negative Hessian of the log-likelihood.
    empirical_fisher_ : ndarray of shape (n_params, n_params)
        ``F = Σ w_i s_i s_iᵀ``, the outer product of per-sample scores.
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``; with ``solver="cg"`` nan except ``se_for_``.
    se_for_, covariance_columns_ : ndarray of shape (m,) and (n_params, m)
        The parameters named by ``se_for`` and their columns of the covariance.
    solver_ : {"newton", "cg"}
        The solver used; ``n_cg_iter_`` counts the products with ``I`` of "cg".
    score_ : ndarray of shape (n_params,)
        The score at the fit (≈ 0).
    loglik_ : float
        The log-likelihood at the fit (without the L2 penalty or Firth's).
    deviance_ : float
        The deviance at the fit, ``−2 loglik_``: with one observed class per
        row the saturated log-likelihood is 0, so this is the binomial
        deviance ``Σ w d(y, μ̂)`` of :class:`FisherGLMRegressor` (with K > 2
        classes the multinomial's, statsmodels' ``−2 llf``).
    aic_, bic_ : float
        ``−2 ℓ + 2 k`` and ``−2 ℓ + k log(Σw)`` with ``k = len(params_)``:
        statsmodels' ``Logit``/``MNLogit`` ``aic`` and ``bic`` for a
        full-rank design (statsmodels counts the rank).
    family_ : Binomial
        ``Binomial()``, with K > 2 classes too: MNLogit's baseline-category
        logit makes each class j against the reference a binomial model,
        ``P(y = j | y ∈ {classes_[0], classes_[j]}) = expit(η_j)``, while
        ``loglik_`` and ``deviance_`` are those of the multinomial.
    link_ : Logit
        ``Logit()``: ``η_j = log(p_j / p_0)``, the log-odds of class j against
        the reference (with two classes, of ``classes_[1]``).
    n_iter_ : int
        Fisher-scoring iterations taken.
    converged_ : bool
        Whether the fit converged (False under separation).
    nobs_ : float
        The number of observations, Σ sample_weight.
    penalized_loglik_ : float
        ``ℓ + ½ log det I`` at the estimate (``bias_reduction`` fits only);
        ``loglik_`` is the unpenalised ``ℓ`` there.
    lr_pvalues_ : ndarray of shape (n_params,)
        Likelihood-ratio p-values of ``θ_j = 0``, each from one refit with
        ``θ_j`` held at 0, computed on first access (penalised for Firth fits).
    cluster_fisher_ : ndarray of shape (n_params, n_params)
        ``Σ_g u_g u_gᵀ``, the meat of the cluster-robust covariance
        (``cov_type="cluster"`` only).
    n_groups_ : int
        The number of clusters G (``cov_type="cluster"`` only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    Notes
    -----
    With ``μ_i = expit(x_iᵀθ)`` the score is ``U = Σ w_i (y_i − μ_i) x_i`` and
    the information ``I = J = Σ w_i μ_i (1 − μ_i) x_i x_iᵀ``; the empirical Fisher
    is ``F = Σ w_i (y_i − μ_i)² x_i x_iᵀ``. With K > 2 classes and
    ``r_ij = [y_i = j] − p_ij``, the score of class j is ``Σ w_i r_ij x_i``, the
    information has the blocks ``I_jl = Σ w_i p_ij (δ_jl − p_il) x_i x_iᵀ``
    (see :class:`~skfisher.linear_model._multinomial.MultinomialProblem`) and
    the empirical Fisher the blocks ``F_jl = Σ w_i r_ij r_il x_i x_iᵀ``.

    When the classes are separated the maximum-likelihood estimate does not
    exist; the fit then warns with
    :class:`~skfisher.exceptions.PerfectSeparationWarning`, sets
    ``converged_=False`` and reports ``nan`` standard errors for the parameters
    that diverge. With K > 2 classes the warning names the classes whose
    observations are predicted exactly and the classes they are separated from.

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> X, y = load_anes96(return_X_y=True, as_frame=True)
    >>> model = FisherLogisticRegression().fit(X, y)
    >>> model.param_names_[:3].tolist()
    ['intercept', 'selfLR', 'age']
    >>> model.standard_errors_.round(3)[:2]
    array([0.618, 0.079])

    Three classes, with the first as reference:

    >>> from sklearn.datasets import load_wine
    >>> data = load_wine(as_frame=True)
    >>> X3, y3 = data.data[["alcohol", "malic_acid"]], data.target
    >>> model = FisherLogisticRegression().fit(X3, y3)
    >>> model.param_names_[:4].tolist()
    ['1:intercept', '1:alcohol', '1:malic_acid', '2:intercept']
    >>> model.coef_.shape, model.intercept_.shape
    ((3, 2), (3,))
    """

    _parameter_constraints = {**BaseFisherGLM._parameter_constraints}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Bias reduction is implemented for two classes only.
        tags.classifier_tags.multi_class = self.bias_reduction is None
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None, se_for=None):
        """Fit the model by Fisher scoring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; DataFrame column names become ``param_names_``.
        y : array-like of shape (n_samples,)
            Two class labels (strings, bools or numbers).
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice.
        groups : array-like of shape (n_samples,), default=None
            The cluster of each sample, for ``cov_type="cluster"`` (required
            then, and refused with any other ``cov_type``).
        se_for : int, str or sequence of them, default=None
            Coefficients (column indices of X, or names of ``param_names_``)
            whose standard errors ``solver="cg"`` computes, each by CG solves
            to a relative residual of 1e-8, and which ``summary()`` shows
            (with ``"newton"`` from the dense covariance). Binary fits only.

        Returns
        -------
        self : FisherLogisticRegression
            The fitted estimator.
        """
        self._forget_fit()
        if is_dask_collection(X):
            self._fit_dask_binary(X, y, sample_weight, groups, se_for)
            return self._set_model_description()
        X, y = self._validate_X_y(X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                "FisherLogisticRegression needs samples of 2 classes, but the data "
                f"contain only one class: {self.classes_.tolist()[0]!r}."
            )
        _check_class_weights(y, _check_sample_weight(sample_weight, X), self.classes_)
        if len(self.classes_) > 2:
            if self.bias_reduction is not None:
                raise ValueError(
                    "Only binary classification is supported with "
                    f"bias_reduction={self.bias_reduction!r}; got {len(self.classes_)} classes. "
                    "Set bias_reduction=None, or fit one class against the rest."
                )
            self._check_multinomial_solver(len(self.classes_), se_for)
            fit_multinomial(self, X, y, sample_weight, groups)
            return self._set_model_description()
        y01 = (y == self.classes_[1]).astype(np.float64)
        self._fit_glm(X, y01, sample_weight, Binomial(), Logit(), groups=groups, se_for=se_for)
        self._as_binary_classifier()
        return self._set_model_description()

    def _fit_dask_binary(self, X, y, sample_weight, groups, se_for):
        """Fit a binary model on dask arrays (X and y chunked by rows)."""
        self._check_dask_options(groups, se_for=se_for)
        dask = _dask("fitting a dask array")
        (labels,) = dask.compute(dask.array.unique(dask.array.asarray(y)))
        self.classes_ = np.asarray(labels)
        if len(self.classes_) != 2:
            raise ValueError(
                "On dask arrays FisherLogisticRegression fits two classes; y has "
                f"{len(self.classes_)}: {self.classes_.tolist()[:5]}."
            )
        event = partial(_is_event, event=self.classes_[1])
        self._fit_dask(X, y, sample_weight, None, Binomial(), Logit(), transform_y=event)
        self._as_binary_classifier()

    def _as_binary_classifier(self):
        """Give ``coef_`` and ``intercept_`` scikit-learn's binary shapes (1, p) and (1,)."""
        self.coef_ = self.coef_[None, :]
        self.intercept_ = np.array([self.intercept_], dtype=float)
        return self

    def _set_model_description(self):
        """Set ``family_``, ``link_`` and ``deviance_`` of the fit just made (every fit)."""
        self.family_, self.link_ = Binomial(), Logit()
        self.deviance_ = -2.0 * self.loglik_
        return self

    def _glm_family_link(self):
        if len(self.classes_) > 2:
            raise ValueError(
                "This needs the binary model; FisherLogisticRegression was fitted on "
                f"{len(self.classes_)} classes (multinomial)."
            )
        return Binomial(), Logit()

    def _glm_response(self, y, family):
        y = np.asarray(y).ravel()
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(
                f"y has {int(unknown.sum())} label(s) not seen in fit, e.g. {y[unknown][0]!r}; "
                f"the classes are {self.classes_.tolist()}."
            )
        return (y == self.classes_[1]).astype(np.float64)

    def decision_function(self, X):
        """Return the linear predictors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        eta : ndarray of shape (n_samples,) or (n_samples, n_classes)
            With two classes, the log-odds ``b + Xᵀw`` of ``classes_[1]``; with
            more, ``X coef_ᵀ + intercept_``, the log-odds of each class against
            the reference ``classes_[0]`` (whose column is 0).
        """
        check_is_fitted(self, "params_")
        if len(self.classes_) == 2:
            return self._linear_predictor(X)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=np.float64, reset=False)
        return safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_

    def predict(self, X):
        """Return the most probable class label of each sample."""
        eta = self.decision_function(X)
        if eta.ndim == 2:
            return self.classes_[np.argmax(eta, axis=1)]
        positive = eta > 0
        if is_dask_collection(positive):
            classes = self.classes_
            return positive.map_blocks(lambda b: classes[b.astype(int)], dtype=classes.dtype)
        return self.classes_[positive.astype(int)]

    def predict_proba(self, X):
        """Return the probabilities of ``classes_``, shape (n_samples, n_classes)."""
        eta = self.decision_function(X)
        if eta.ndim == 2:
            return softmax(eta, axis=1)
        return np.stack([expit(-eta), expit(eta)], axis=1)

    def predict_log_proba(self, X):
        """Return the log-probabilities of ``classes_``, computed from η without overflow."""
        eta = self.decision_function(X)
        if eta.ndim == 2:
            return log_softmax(eta, axis=1)
        return np.stack([log_expit(-eta), log_expit(eta)], axis=1)

    def summary(self, alpha=0.05, ci="wald"):
        """Return the coefficient table; with more than two classes, grouped by class.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level of the intervals.
        ci : {"wald", "profile"}, default="wald"
            Which intervals the table shows (see :meth:`conf_int`).

        Returns
        -------
        table : SummaryTable
            Prints like statsmodels' summary, with one heading per non-reference
            class when there are more than two; ``table.to_frame()`` gives a
            pandas DataFrame indexed by ``param_names_``.
        """
        table = super().summary(alpha, ci=ci)
        if len(self.classes_) > 2:
            return ClassGroupedSummary(table, self.classes_)
        return table

    def _summary_info(self):
        if len(self.classes_) > 2:
            described = [("Model", "MNLogit"), ("Reference", self.classes_[0])]
        else:
            described = [("Model", "Logit"), ("Event", self.classes_[1])]
        return [*described, *super()._summary_info()[1:]]


def _is_event(y, event):
    """Map class labels to 1.0 for ``event`` and 0.0 otherwise (on a dask worker)."""
    return (np.asarray(y) == event).astype(np.float64)


def _check_class_weights(y, sample_weight, classes):
    """Refuse a class of y whose rows all have weight 0 (its parameters have no estimate)."""
    if np.any(sample_weight < 0) or not np.any(sample_weight > 0):
        return  # check_weights reports these
    totals = np.bincount(
        np.searchsorted(classes, y), weights=sample_weight, minlength=len(classes)
    )
    empty = [_label(classes[j]) for j in np.flatnonzero(totals == 0)]
    if empty:
        raise ValueError(
            f"sample_weight is 0 on every row of the class(es) {empty}: a class without "
            "weight carries no information, and its parameters cannot be estimated. "
            "Remove those rows from X and y (the class then leaves classes_), or give "
            "them a positive weight."
        )
