"""Logistic regression fitted by Fisher scoring, with standard errors."""

import numpy as np
from scipy.special import expit, log_expit
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils.multiclass import check_classification_targets

from ..families import Binomial
from ..links import Logit
from ._base import BaseFisherGLM


class FisherLogisticRegression(ClassifierMixin, BaseFisherGLM):
    """Binary logistic regression by Fisher scoring, with the information picture.

    The maximum-likelihood fit of ``P(y = classes_[1] | x) = expit(b + xᵀ w)``.
    For the logit link Fisher scoring is Newton's method (and IRLS), so the
    expected and observed information coincide.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to estimate an intercept.
    alpha : float, default=0.0
        L2 penalty in scikit-learn's GLM convention: the fit minimises
        ``mean log-loss + ½ α ||w||²`` (the intercept is not penalised).
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
    cov_type : {"fisher", "observed", "empirical", "sandwich"}, default="fisher"
        Which covariance ``covariance_`` and ``standard_errors_`` report:
        ``I⁻¹``, ``J⁻¹``, ``F⁻¹`` or the robust ``J⁻¹ F J⁻¹`` (HC0).
    warm_start : bool, default=False
        Start from the previous fit's ``params_`` when refitting.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels; ``classes_[1]`` is the event modelled.
    coef_ : ndarray of shape (1, n_features)
        The coefficients.
    intercept_ : ndarray of shape (1,)
        The intercept (0 when ``fit_intercept=False``).
    params_ : ndarray of shape (n_params,)
        All estimates, ``[intercept, coef...]``.
    param_names_ : ndarray of shape (n_params,)
        ``"intercept"`` and the feature names.
    information_ : ndarray of shape (n_params, n_params)
        Expected (Fisher) information ``I`` at the fit, a total over the sample.
    observed_information_ : ndarray of shape (n_params, n_params)
        Observed information ``J``, the negative Hessian of the log-likelihood.
    empirical_fisher_ : ndarray of shape (n_params, n_params)
        ``F = Σ w_i s_i s_iᵀ``, the outer product of per-sample scores.
    covariance_ : ndarray of shape (n_params, n_params)
        The covariance chosen by ``cov_type``.
    standard_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``.
    score_ : ndarray of shape (n_params,)
        The score at the fit (≈ 0).
    loglik_ : float
        The log-likelihood at the fit.
    n_iter_ : int
        Fisher-scoring iterations taken.
    converged_ : bool
        Whether the fit converged (False under separation).
    nobs_ : float
        The number of observations, Σ sample_weight.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    Notes
    -----
    With ``μ_i = expit(x_iᵀθ)`` the score is ``U = Σ w_i (y_i − μ_i) x_i`` and
    the information ``I = J = Σ w_i μ_i (1 − μ_i) x_i x_iᵀ``; the empirical Fisher
    is ``F = Σ w_i (y_i − μ_i)² x_i x_iᵀ``.

    When the classes are separated the maximum-likelihood estimate does not
    exist; the fit then warns with
    :class:`~skfisher.exceptions.PerfectSeparationWarning`, sets
    ``converged_=False`` and reports ``nan`` standard errors for the parameters
    that diverge.

    Examples
    --------
    >>> from skfisher import FisherLogisticRegression
    >>> from skfisher.datasets import load_anes96
    >>> X, y = load_anes96(return_X_y=True)
    >>> model = FisherLogisticRegression().fit(X, y)
    >>> model.param_names_[:3].tolist()
    ['intercept', 'selfLR', 'age']
    >>> model.standard_errors_.round(3)[:2]
    array([0.618, 0.079])
    """

    _parameter_constraints = {**BaseFisherGLM._parameter_constraints}

    def __init__(
        self,
        *,
        fit_intercept=True,
        alpha=0.0,
        max_iter=100,
        tol=1e-8,
        cov_type="fisher",
        warm_start=False,
    ):
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by Fisher scoring.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; DataFrame column names become ``param_names_``.
        y : array-like of shape (n_samples,)
            Two class labels (strings, bools or numbers).
        sample_weight : array-like of shape (n_samples,), default=None
            Frequency weights: a weight of 2 counts a row twice.

        Returns
        -------
        self : FisherLogisticRegression
            The fitted estimator.
        """
        X, y = self._validate_X_y(X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                "FisherLogisticRegression needs samples of 2 classes, but the data "
                f"contain only one class: {self.classes_[0]!r}."
            )
        if len(self.classes_) > 2:
            raise ValueError(
                "Only binary classification is supported by FisherLogisticRegression "
                f"for now; y has {len(self.classes_)} classes "
                f"{[c.item() if hasattr(c, 'item') else c for c in self.classes_[:5]]}."
            )
        y01 = (y == self.classes_[1]).astype(np.float64)
        self._fit_glm(X, y01, sample_weight, Binomial(), Logit(), separation=True)
        self.coef_ = self.coef_[None, :]
        self.intercept_ = np.atleast_1d(np.asarray(self.intercept_, dtype=float))
        return self

    def decision_function(self, X):
        """Return the log-odds ``b + Xᵀw`` of ``classes_[1]``, shape (n_samples,)."""
        return self._linear_predictor(X)

    def predict(self, X):
        """Return the more probable class label of each sample."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]

    def predict_proba(self, X):
        """Return the probabilities of ``classes_``, shape (n_samples, 2)."""
        eta = self.decision_function(X)
        return np.column_stack([expit(-eta), expit(eta)])

    def predict_log_proba(self, X):
        """Return the log-probabilities of ``classes_``, computed from η without overflow."""
        eta = self.decision_function(X)
        return np.column_stack([log_expit(-eta), log_expit(eta)])

    def _summary_info(self):
        return [
            ("Model", "Logit"),
            ("Event", self.classes_[1]),
            *super()._summary_info()[1:],
        ]
