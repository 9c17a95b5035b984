"""Intervals, criteria and the coefficient table of a fitted Fisher-scoring estimator."""

import numpy as np
from scipy import stats
from sklearn.utils.validation import check_is_fitted

from ._summary import SummaryTable


class ReportMixin:
    """``conf_int``, ``lr_pvalues_``, ``aic_``, ``bic_`` and ``summary`` from the fitted contract.

    Reads only the published attributes (``params_``, ``standard_errors_``,
    ``loglik_``, ``nobs_``, ``cov_type``…); the profile-likelihood
    quantities refit through the core profile engine.
    """

    def conf_int(self, alpha=0.05, method="wald"):
        """Return confidence intervals: Wald (default) or profile likelihood.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level.
        method : {"wald", "profile"}, default="wald"
            ``"wald"``: ``params_ ± z standard_errors_``. ``"profile"``: the set
            of values whose likelihood-ratio statistic against the fit is below
            the χ²₁ quantile, each end found by root-finding on refits with the
            parameter held fixed (one refit per root-finding step; the
            penalised likelihood for Firth fits; φ held at φ̂ for families with
            a dispersion). See :mod:`skfisher._profile`.

        Returns
        -------
        intervals : ndarray of shape (n_params, 2)
            Lower and upper bounds, rows in the order of ``param_names_``.
        """
        check_is_fitted(self, "params_")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
        if method not in ("wald", "profile"):
            raise ValueError(f"method must be 'wald' or 'profile'; got {method!r}.")
        if method == "profile":
            from ._profile import profile_conf_int

            return profile_conf_int(self, alpha)
        q = stats.norm.ppf(1 - alpha / 2)
        half = q * self.standard_errors_
        return np.column_stack([self.params_ - half, self.params_ + half])

    @property
    def lr_pvalues_(self):
        """Likelihood-ratio p-values of ``θ_j = 0``, shape (n_params,).

        Computed on first access, one refit per parameter with ``θ_j`` held at
        0, and cached until the next fit; for Firth fits the penalised
        likelihood-ratio test (as R's ``logistf``). ``nan`` where 0 is outside
        the parameter's domain or the parameter is not identified.
        """
        check_is_fitted(self, "params_")
        from ._profile import lr_pvalues

        return lr_pvalues(self)

    @property
    def aic_(self):
        """Akaike's information criterion, ``−2 ℓ + 2 k``."""
        check_is_fitted(self, "params_")
        return -2.0 * self.loglik_ + 2.0 * len(self.params_)

    @property
    def bic_(self):
        """Schwarz's Bayesian information criterion, ``−2 ℓ + k log(Σw)``."""
        check_is_fitted(self, "params_")
        return -2.0 * self.loglik_ + np.log(self.nobs_) * len(self.params_)

    def _summary_info(self):
        """Model facts for the summary header; estimators may extend this."""
        return [
            ("Model", type(self).__name__),
            ("No. observations", self.nobs_),
            ("Covariance", _covariance_label(self)),
            ("Log-likelihood", self.loglik_),
            ("Converged", self.converged_),
            ("AIC", self.aic_),
            ("Iterations", self.n_iter_),
            ("BIC", self.bic_),
        ]

    def summary(self, alpha=0.05, ci="wald"):
        """Return the coefficient table with standard errors, tests and intervals.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level of the intervals.
        ci : {"wald", "profile"}, default="wald"
            ``"wald"``: Wald z, ``P>|z|`` and intervals. ``"profile"``: the
            likelihood-ratio statistic of each ``θ_j = 0`` (``LR chi2``), its
            p-value ``P>chi2 (LR)`` (``lr_pvalues_``) and the profile
            intervals (``conf_int(alpha, method="profile")``), which invert
            the same test; the penalised likelihood for Firth fits, as R's
            ``logistf`` prints.

        Returns
        -------
        table : SummaryTable
            Prints like statsmodels' summary; ``table.to_frame()`` gives a
            pandas DataFrame. A fit with an L2 penalty (``alpha > 0``) says so
            in the header, and a note under the table says what its standard
            errors and p-values are.
        """
        check_is_fitted(self, "params_")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1); got {alpha!r}.")
        if ci not in ("wald", "profile"):
            raise ValueError(f"ci must be 'wald' or 'profile'; got {ci!r}.")
        info = self._summary_info()
        penalty = getattr(self, "alpha", 0.0)
        if penalty:
            info.append(("L2 penalty", f"alpha={penalty:g}"))
        table = SummaryTable(
            f"{type(self).__name__} results",
            info,
            self.param_names_,
            self.params_,
            self.standard_errors_,
            alpha=alpha,
            notes=[_penalty_note(self.cov_type, penalty)] if penalty else [],
        )
        if ci == "profile":
            from ._profile import lr_tests

            intervals = self.conf_int(alpha, method="profile")
            table.use_likelihood_ratio(*lr_tests(self), intervals)
            firth = getattr(self, "bias_reduction", None) is not None
            table.info.append(("Tests", "penalized LR" if firth else "likelihood ratio"))
            table.info.append(("Intervals", "profile likelihood"))
        return table


def _penalty_note(cov_type, penalty):
    """What the standard errors and p-values of an L2-penalised fit are."""
    if cov_type in ("fisher", "observed"):
        errors = (
            "the square roots of the diagonal of the inverse of the penalised information "
            "I + α Σw (the curvature of the penalised objective at its maximum): under the "
            "Gaussian prior that the penalty implies, an approximation to the posterior "
            "standard deviations"
        )
    elif cov_type == "empirical":
        errors = "the inverse of the outer product of the per-row scores at the penalised fit"
    else:
        errors = (
            "the sandwich of the penalised objective: the sampling spread of the "
            "penalised estimator around its own, shrunk, expectation"
        )
    return (
        f"Note: the fit maximises the L2-penalised log-likelihood ℓ − ½ α Σw ||coef||² "
        f"(alpha={penalty:g}; the intercept is not penalised), so the coefficients are "
        f"shrunk towards 0. Their standard errors are {errors}, not the sampling errors "
        "of the maximum-likelihood estimate. z and P>|z| test coefficient = 0 under "
        "the penalised fit and are not the usual Wald tests, and the intervals are "
        "centred on the shrunk estimates. For the usual inference, refit with "
        "alpha=0 (or bias_reduction='firth' under separation)."
    )


def _covariance_label(estimator):
    if estimator.cov_type == "cluster":
        return f"cluster (G={estimator.n_groups_})"
    return estimator.cov_type
