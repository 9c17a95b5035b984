"""What a fitted accelerated-failure-time model predicts: quantiles, curves, concordance.

The time T of a row x has ``log T = η + σ W`` with ``η = x̃ᵀβ``, so its q-quantile
is ``t_q = exp(η + σ w_q)``, ``w_q`` the q-quantile of W (the median:
``w_½ = log log 2`` for the extreme-value law, 0 for the normal and the
logistic), and its survival function ``S(t | x) = S_W((log t − η)/σ)``.

The interval of a quantile is the delta method's on the log scale, as R's
``predict(fit, type = "uquantile", se.fit = TRUE)``: ``log t_q`` has the
gradient ``(x̃, σ w_q)`` in ``(β, log σ)`` (``x̃`` alone for the exponential), its
standard error is ``sqrt(gᵀ V g)`` with V the ``covariance_`` of the fit, and the
interval ``exp(log t_q ∓ z se)`` stays positive.
"""

import numpy as np
from scipy import stats
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._inputs import check_columns_numeric
from ._concordance import concordance_index
from ._targets import survival_target


class AFTCurve:
    """The survival function (or cumulative hazard) of one sample, a callable of time.

    Exact at every time, unlike a step function; ``x`` and ``y`` hold its
    values at the training event times, as scikit-survival's ``StepFunction``
    (and :class:`~skfisher.survival.StepFunction`) hold theirs.

    Attributes
    ----------
    location, scale : float
        η and σ of the sample.
    x, y : ndarray of shape (n_times,)
        ``unique_times_`` of the fit and the values there.
    before : float
        The value at t = 0 (1 for a survival function, 0 for a cumulative hazard).
    domain : (float, float)
        ``(0, x[-1])``; the function is defined for every t ≥ 0.
    """

    def __init__(self, distribution, location, scale, survival, grid):
        self.distribution, self.location, self.scale = distribution, location, scale
        self.survival, self.before = survival, 1.0 if survival else 0.0
        self.x = grid
        self.y = self(grid)
        self.domain = (0.0, float(grid[-1]) if grid.size else 0.0)

    def __call__(self, t):
        """Return the value at the times ``t`` (scalar or array, t ≥ 0)."""
        t = np.asarray(t, dtype=float)
        if np.any(np.isnan(t)) or np.any(t < 0):
            raise ValueError("The times at which a survival curve is evaluated must be >= 0.")
        with np.errstate(divide="ignore"):
            z = (np.log(t) - self.location) / self.scale
        log_survival = self.distribution.log_survival(z)
        return np.exp(log_survival) if self.survival else -log_survival

    def __repr__(self):
        return (
            f"AFTCurve(distribution={self.distribution.name!r}, location={self.location!r}, "
            f"scale={self.scale!r}, survival={self.survival!r})"
        )


def _probabilities(q):
    q = np.asarray(q, dtype=float)
    if q.ndim > 1 or not np.all((q > 0) & (q < 1)):
        raise ValueError(f"q must be a probability or a 1-D array of them in (0, 1); got {q!r}.")
    return q


class AFTPredictionMixin:
    """``predict``, the quantiles and their intervals, the curves and ``score``."""

    def _rows(self, X):
        check_is_fitted(self, "params_")
        check_columns_numeric(X)
        return validate_data(self, X, dtype=np.float64, reset=False)

    def _location(self, X):
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        """Return the median survival time ``exp(η + σ w_½)`` of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        median : ndarray of shape (n_samples,)
            R's ``predict(fit, newdata, type = "quantile", p = 0.5)``.
        """
        return self.predict_quantile(X, 0.5)

    def predict_quantile(self, X, q=0.5):
        """Return the time by which a share q of the samples' events has happened.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        q : float or array-like of shape (n_q,), default=0.5
            Probabilities in (0, 1): ``F(t_q | x) = q``, R's ``p`` of
            ``predict(type = "quantile")`` (lifelines' ``predict_percentile(p)``
            is the time where the survival is p, this one's ``1 − p``).

        Returns
        -------
        quantile : ndarray of shape (n_samples,) or (n_samples, n_q)
            ``exp(η + σ w_q)``; the second shape for an array q.
        """
        q = _probabilities(q)
        eta = self._location(self._rows(X))
        w = self._distribution.quantile(q)
        with np.errstate(over="ignore"):
            return np.exp(eta + self.scale_ * w if q.ndim == 0 else eta[:, None] + self.scale_ * w)

    def predict_quantile_interval(self, X, q=0.5, alpha=0.05):
        """Return the quantiles with their delta-method confidence intervals.

        The standard error is that of ``log t_q`` by the delta method with
        ``covariance_`` (see the module docstring), R's ``se.fit`` of
        ``predict(fit, newdata, type = "uquantile", p = q, se.fit = TRUE)``; the
        interval is ``exp(log t_q ∓ z_{1−α/2} se)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        q : float or array-like of shape (n_q,), default=0.5
            As in :meth:`predict_quantile`.
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        quantile, lower, upper, std_err : ndarray of shape (n_samples,) or (n_samples, n_q)
            ``std_err`` is that of the log of the quantile.
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
        q = _probabilities(q)
        X = self._rows(X)
        w = np.atleast_1d(self._distribution.quantile(q))
        log_q = self._location(X)[:, None] + self.scale_ * w
        std_err = np.sqrt(self._log_quantile_variance(X, w))
        half = stats.norm.ppf(1 - alpha / 2) * std_err
        with np.errstate(over="ignore"):
            out = np.exp(log_q), np.exp(log_q - half), np.exp(log_q + half), std_err
        return tuple(value[:, 0] for value in out) if q.ndim == 0 else out

    def _log_quantile_variance(self, X, w):
        """``gᵀ V g`` for ``g = (x̃, σ w)`` per sample (rows) and probability (columns)."""
        V = self.covariance_
        design = np.column_stack([np.ones(X.shape[0]), X]) if self.fit_intercept else X
        p = design.shape[1]
        linear = np.einsum("ij,jk,ik->i", design, V[:p, :p], design)
        variance = np.repeat(linear[:, None], w.size, axis=1)
        if not self._distribution.fixed_scale:
            cross = design @ V[:p, p]
            sw = self.scale_ * w
            variance += 2.0 * cross[:, None] * sw[None, :] + V[p, p] * sw[None, :] ** 2
        return np.maximum(variance, 0.0)

    def _curves(self, X, survival, return_array):
        eta = self._location(self._rows(X))
        grid = self.unique_times_
        if return_array:
            with np.errstate(divide="ignore"):
                z = (np.log(grid)[None, :] - eta[:, None]) / self.scale_
            log_survival = self._distribution.log_survival(z)
            return np.exp(log_survival) if survival else -log_survival
        out = np.empty(eta.size, dtype=object)
        for i, location in enumerate(eta):
            out[i] = AFTCurve(self._distribution, float(location), self.scale_, survival, grid)
        return out

    def predict_survival_function(self, X, return_array=False):
        """Return the survival function ``S_W((log t − η)/σ)`` of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        return_array : bool, default=False
            False: an array of :class:`AFTCurve`, one per sample, callables
            exact at every time, with their values at ``unique_times_`` in ``x``
            and ``y`` (as :class:`~skfisher.survival.StepFunction` and
            :meth:`FisherCoxRegressor.predict_survival_function
            <skfisher.survival.FisherCoxRegressor.predict_survival_function>`).
            True: the values at ``unique_times_``, shape (n_samples, n_times).

        Returns
        -------
        survival : ndarray
        """
        return self._curves(X, survival=True, return_array=return_array)

    def predict_cumulative_hazard_function(self, X, return_array=False):
        """Return the cumulative hazard ``−log S(t | x)`` of each sample.

        The parameters and the return value are those of
        :meth:`predict_survival_function`.
        """
        return self._curves(X, survival=False, return_array=return_array)

    def score(self, X, y, sample_weight=None):
        """Return Harrell's concordance index of the predicted log times on ``(X, y)``.

        The risk score is ``−log t_½`` (an earlier predicted time, a higher
        risk): the share of comparable pairs whose earlier event has the
        shorter predicted time, ties (within 1e-8) counting ½, as
        :meth:`FisherCoxRegressor.score
        <skfisher.survival.FisherCoxRegressor.score>` (scikit-survival's
        ``concordance_index_censored``; lifelines' ``concordance_index`` of the
        predicted times). With ``sample_weight`` a pair counts ``w_i w_j``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : structured array or array-like of shape (n_samples, 2)
            As in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        cindex : float
        """
        risk = -(self._location(self._rows(X)) + self.scale_ * self._distribution.quantile(0.5))
        time, event = survival_target(y)
        if time.size != risk.size:
            raise ValueError(f"y has {time.size} rows; X has {risk.size}.")
        w = _check_sample_weight(sample_weight, risk.reshape(-1, 1), dtype=np.float64)
        keep = w > 0
        return concordance_index(time[keep], event[keep], risk[keep], w[keep])
