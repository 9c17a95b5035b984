"""What a fitted Cox model predicts: risk scores, curves, their intervals and the concordance."""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._inputs import check_columns_numeric
from ._baseline import log_intervals
from ._concordance import concordance_index
from ._targets import counting_target


class SurvivalPredictionMixin:
    """``predict``, ``score`` and the cumulative hazard and survival functions."""

    def _rows(self, X):
        check_is_fitted(self, "params_")
        check_columns_numeric(X)
        return validate_data(self, X, dtype=np.float64, reset=False)

    def predict(self, X):
        """Return the risk score ``xᵀβ`` of each sample (higher: an earlier event).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        risk_score : ndarray of shape (n_samples,)
            The linear predictor, uncentred, as scikit-survival's
            ``CoxPHSurvivalAnalysis.predict``; the hazard ratio against a row of
            zeros is its exponential.
        """
        return self._rows(X) @ self.coef_

    def score(self, X, y, sample_weight=None):
        """Return Harrell's concordance index of :meth:`predict` on ``(X, y)``.

        The share of comparable pairs (an event, and a later time or a time
        censored at the same time) whose earlier event has the higher risk
        score, ties in the score (within 1e-8) counting ½: scikit-survival's
        ``concordance_index_censored`` (and lifelines' ``concordance_index`` of
        ``−predict``). With ``sample_weight`` a pair counts ``w_i w_j``, as with
        repeated rows. There are no strata here: pairs across strata count too
        (``concordance_`` of a stratified fit compares within strata, as R).
        With counting-process y an event at t is compared with the rows at
        risk at t (start < t), of a later stop or censored at t, as R's
        ``concordance`` of ``Surv(start, stop, event)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : structured array or array-like of shape (n_samples, 2) or (n_samples, 3)
            As in :meth:`fit`.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        cindex : float
            In [0, 1]; 0.5 for a random order.
        """
        eta = self.predict(X)
        start, time, event = counting_target(y)
        if time.size != eta.size:
            raise ValueError(f"y has {time.size} rows; X has {eta.size}.")
        w = _check_sample_weight(sample_weight, eta.reshape(-1, 1), dtype=np.float64)
        keep = w > 0
        start = None if start is None else start[keep]
        return concordance_index(time[keep], event[keep], eta[keep], w[keep], start=start)

    def _stratum_codes(self, strata, n_rows):
        if self.strata_ is None:
            if strata is not None:
                raise ValueError("This model was fitted without strata; do not pass strata.")
            return np.zeros(n_rows, dtype=np.intp)
        if strata is None:
            raise ValueError(
                "This model has a baseline hazard per stratum: pass strata=... with the "
                "stratum of each row (one of strata_)."
            )
        labels = np.asarray(strata).ravel()
        if labels.shape[0] != n_rows:
            raise ValueError(f"strata has {labels.shape[0]} labels; X has {n_rows} rows.")
        try:
            codes = np.minimum(np.searchsorted(self.strata_, labels), self.strata_.size - 1)
            unknown = np.asarray(self.strata_[codes] != labels, dtype=bool)
        except TypeError:  # labels of another type than the fitted ones
            codes, unknown = np.zeros(n_rows, dtype=np.intp), np.ones(n_rows, dtype=bool)
        if np.any(unknown):
            raise ValueError(
                f"strata has labels not seen in fit: {sorted(set(labels[unknown].tolist()))[:5]}; "
                f"the fitted strata are {self.strata_.tolist()[:10]}."
            )
        return codes

    def _curves(self, X, strata, survival, return_array):
        X = self._rows(X)
        codes = self._stratum_codes(strata, X.shape[0])
        eta = X @ self.coef_
        if not return_array:
            return self._baseline.functions(eta, codes, survival)
        cumhaz = self._baseline.cumulative_hazard(eta, codes, self.unique_times_)
        return np.exp(-cumhaz) if survival else cumhaz

    def predict_cumulative_hazard_function(self, X, strata=None, return_array=False):
        """Return the cumulative hazard ``Λ_s(t) exp(xᵀβ)`` of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        strata : array-like of shape (n_samples,), default=None
            The stratum of each sample, for a model fitted with strata.
        return_array : bool, default=False
            False: an array of :class:`~skfisher.survival.StepFunction`, one per
            sample, each jumping at its stratum's event times, as
            scikit-survival returns. True: the values at ``unique_times_``,
            shape (n_samples, n_times).

        Returns
        -------
        cumulative_hazard : ndarray
            The baseline is Breslow's estimator, with Efron's correction for
            tied events under ``ties="efron"`` (R's ``survfit.coxph``).
        """
        return self._curves(X, strata, survival=False, return_array=return_array)

    def predict_survival_function(self, X, strata=None, return_array=False):
        """Return the survival function ``exp(−Λ_s(t) exp(xᵀβ))`` of each sample.

        The parameters and the return value are those of
        :meth:`predict_cumulative_hazard_function`; R's ``survfit(fit, newdata)``
        gives the same curves.
        """
        return self._curves(X, strata, survival=True, return_array=return_array)

    def predict_survival_interval(self, X, strata=None, alpha=0.05):
        """Return the survival at ``unique_times_`` with R's pointwise confidence intervals.

        The standard error of ``Λ(t | x)`` is the delta method's, with the
        uncertainty of β̂ (``covariance_``) and of the baseline (Tsiatis 1981), and
        the interval R's default ``conf.type = "log"``, ``S exp(∓z se)`` with the
        upper end at most 1: ``survfit(fit, newdata)``'s ``std.err``, ``lower``
        and ``upper``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        strata : array-like of shape (n_samples,), default=None
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        survival, lower, upper, std_err : ndarray of shape (n_samples, n_times)
            At ``unique_times_``; ``std_err`` is that of the cumulative hazard.
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
        X = self._rows(X)
        codes = self._stratum_codes(strata, X.shape[0])
        eta = X @ self.coef_
        grid = self.unique_times_
        survival = np.exp(-self._baseline.cumulative_hazard(eta, codes, grid))
        std_err = self._baseline.standard_errors(X, eta, codes, grid, self.covariance_)
        lower, upper = log_intervals(survival, std_err, alpha)
        return survival, lower, upper, std_err
