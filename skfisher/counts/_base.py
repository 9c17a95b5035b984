"""What the zero-inflated and hurdle regressors share: the fit, predictions and the score."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._contract import FisherMixin
from .._driver import Model, drive
from .._inputs import check_columns_numeric, check_target_present
from .._validation import check_weights
from ._distributions import COUNT_DISTRIBUTIONS
from ._fit import diagnose, null_loglik, scoring_loop
from ._inputs import check_counts, check_vector, check_zeros, zero_part_columns
from ._problem import CountProblem


def _with_intercept(X):
    return np.column_stack([np.ones(X.shape[0]), X])


class CountRegressorBase(RegressorMixin, FisherMixin, BaseEstimator):
    """A count model with a zero part, fitted by Fisher scoring on all its parameters.

    Subclasses set ``_kind`` ("inflated" or "hurdle"), ``_prefix`` (the zero
    part's name prefix), ``_columns_parameter`` (the parameter naming its
    columns) and ``_start(problem)``, which returns θ₀ and the iterations
    it counts for.
    """

    # Where predict_proba clips η (the hurdle's, where f(k) / (1 − f(0)) is 0 / 0).
    _lowest_eta = -np.inf

    _parameter_constraints: dict = {
        "family": [StrOptions(set(COUNT_DISTRIBUTIONS))],
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
    }

    def _zero_features(self):
        return getattr(self, self._columns_parameter)

    # Fit ---------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, offset=None, groups=None):
        self._forget_fit()
        check_columns_numeric(X)
        check_target_present(y)
        # Two samples at least: a zero and a positive count.
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        check_counts(y)
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(weights)
        offset = check_vector(offset, X.shape[0], "offset")
        check_zeros(y, weights, self._model_name, self._plain_model)
        names = self._feature_names()
        self.zero_columns_ = zero_part_columns(
            self._zero_features(), names, self._columns_parameter
        )
        n_rows = X.shape[0]
        codes = self._check_groups(groups, n_rows)
        keep = weights > 0
        if not keep.all():
            X, y, weights = X[keep], y[keep], weights[keep]
            offset = None if offset is None else offset[keep]
            codes = None if codes is None else codes[keep]
        dist = COUNT_DISTRIBUTIONS[self.family]
        count_design = _with_intercept(X)
        zero_design = _with_intercept(X[:, self.zero_columns_])
        problem = CountProblem(
            count_design,
            zero_design,
            y,
            weights,
            dist,
            self._kind,
            offset=offset,
            alpha=self.alpha,
        )
        param_names = self._param_names()
        zero_names = [n for n in param_names if n.startswith(self._prefix)]
        start, steps = self._start(problem)
        model = Model(
            problem,
            param_names,
            weights.sum(),
            [(start, steps)],
            loop=scoring_loop,
            diagnose=diagnose(param_names, zero_names),
            publish={"groups": codes, "rows": None if keep.all() else keep, "n_rows": n_rows},
        )
        drive(self, model)
        self._fitted_max = y.max()
        self._publish_parts()
        return self

    def _publish_parts(self):
        p, q = self.n_features_in_ + 1, len(self.zero_columns_) + 1
        self.intercept_, self.coef_ = float(self.params_[0]), self.params_[1:p].copy()
        zero = self.params_[p : p + q]
        setattr(self, f"{self._attribute}_intercept_", float(zero[0]))
        setattr(self, f"{self._attribute}_coef_", zero[1:].copy())
        if self.family == "negative_binomial":
            self.alpha_ = float(self.params_[-1])
        self.max_count_ = int(self._fitted_max)

    def _feature_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _param_names(self):
        names = self._feature_names()
        zero = [names[j] for j in self.zero_columns_]
        out = ["count:intercept", *(f"count:{n}" for n in names)]
        out += [f"{self._prefix}intercept", *(f"{self._prefix}{n}" for n in zero)]
        return out + (["alpha"] if self.family == "negative_binomial" else [])

    # Predictions -------------------------------------------------------------------
    def _problem_at(self, X, y, sample_weight=None, offset=None):
        check_is_fitted(self, "params_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        offset = check_vector(offset, X.shape[0], "offset")
        y = np.zeros(X.shape[0]) if y is None else np.asarray(y, dtype=float).ravel()
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        return CountProblem(
            _with_intercept(X),
            _with_intercept(X[:, self.zero_columns_]),
            y,
            w,
            COUNT_DISTRIBUTIONS[self.family],
            self._kind,
            offset=offset,
        )

    def _parts(self, X, offset):
        """Return ``η``, ``ζ``, the count distribution and ``log f(0)`` at the rows of X.

        ``log f(0)`` is ``−μ`` or ``−log(1 + αμ)/α``, finite or ``−inf`` where
        ``μ = exp(η)`` overflows; the predictions are formed from logarithms,
        so that such a row predicts an infinite mean, and no nan.
        """
        problem = self._problem_at(X, None, offset=offset)
        eta, zeta, extra = problem.split(self.params_)
        dist = problem.dist(extra)
        with np.errstate(over="ignore"):
            return eta, zeta, dist, dist.log_zero(np.exp(eta))

    def predict(self, X, offset=None):
        """Return the expected count ``E[Y | x]`` of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        offset : array-like of shape (n_samples,), default=None
            Added to the count part's linear predictor (``log(exposure)``).

        Returns
        -------
        mean : ndarray of shape (n_samples,)
        """
        eta, zeta, _, log_f0 = self._parts(X, offset)
        with np.errstate(over="ignore"):
            return np.exp(self._log_count_scale(eta, zeta, log_f0) + eta)

    def predict_zero_proba(self, X, offset=None):
        """Return ``P(Y = 0 | x)`` of each sample, shape (n_samples,)."""
        _, zeta, _, log_f0 = self._parts(X, offset)
        return self._zero_proba(zeta, log_f0)

    def predict_proba(self, X, max_count=None, offset=None):
        """Return the probabilities of the counts ``0, 1, …, max_count``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.
        max_count : int, default=None
            The largest count; by default the largest count seen in ``fit``
            (``max_count_``).
        offset : array-like of shape (n_samples,), default=None
            Added to the count part's linear predictor.

        Returns
        -------
        proba : ndarray of shape (n_samples, max_count + 1)
            Column ``k`` is ``P(Y = k | x)``; a row sums to ``P(Y ≤ max_count | x)``.
        """
        check_is_fitted(self, "params_")
        max_count = self.max_count_ if max_count is None else max_count
        if (
            isinstance(max_count, bool)
            or not isinstance(max_count, (Integral, np.integer))
            or max_count < 0
        ):
            raise ValueError(f"max_count must be a non-negative integer; got {max_count!r}.")
        eta, zeta, dist, _ = self._parts(X, offset)
        eta = np.maximum(eta, self._lowest_eta)
        # An overflowed μ is the limit μ → ∞: every finite count has probability 0.
        with np.errstate(over="ignore", invalid="ignore"):
            mu = np.exp(eta)
            log_f0 = dist.log_zero(mu)
            proba = dist.draw_proba(mu, int(max_count))
        proba[np.isinf(mu)] = 0.0
        proba *= np.exp(self._log_count_scale(eta, zeta, log_f0))[:, None]
        proba[:, 0] = self._zero_proba(zeta, log_f0)
        return proba

    def _loglik_rows(self, X, y, offset=None):
        """Return the log-likelihood of each sample (unweighted), shape (n_samples,)."""
        y = np.asarray(y, dtype=float).ravel()
        check_counts(y)
        problem = self._problem_at(X, y, offset=offset)
        return problem.rows(self.params_, expected=False)[0]

    def score(self, X, y, sample_weight=None, offset=None):
        """Return D², the share of the intercept-only model's log-loss that the model explains.

        ``D² = 1 − ℓ / ℓ₀`` with ``ℓ = Σ w_i log P(y_i | x_i)`` of this model
        and ``ℓ₀`` that of the same model without features fitted to these
        samples (a constant zero part and a constant mean, times the exposure
        of ``offset``, and α). It is scikit-learn's ``d2_log_loss_score`` for
        counts (McFadden's pseudo-R²): 1 for a perfect model, 0 for one no
        better than the constant, negative for a worse one. When ``ℓ₀ = 0``
        (every count 0) the score is 1 for a perfect model and 0 otherwise.
        """
        y = np.asarray(y, dtype=float).ravel()
        check_counts(y)
        w = _check_sample_weight(sample_weight, y.reshape(-1, 1), dtype=np.float64)
        offset = check_vector(offset, y.size, "offset")
        loglik = float(w @ self._loglik_rows(X, y, offset=offset))
        null = null_loglik(self._kind, y, w, COUNT_DISTRIBUTIONS[self.family], offset)
        if null == 0.0:
            return 1.0 if loglik == 0.0 else 0.0
        return 1.0 - loglik / null

    def _summary_info(self):
        return [*super()._summary_info(), ("Count family", self.family)]
