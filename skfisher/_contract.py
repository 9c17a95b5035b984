"""The Fisher contract: what every fitted skfisher estimator exposes."""

import inspect

import numpy as np
from scipy import stats
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._linalg import SymmetricFactor
from ._summary import SummaryTable
from ._warnings import warn
from .exceptions import CovarianceWarning

COV_TYPES = ("fisher", "observed", "empirical", "sandwich", "cluster")


class FisherMixin:
    """Fitted attributes, covariance, intervals and summary of a Fisher-scoring fit.

    An estimator calls :meth:`_set_fisher` at the end of ``fit`` with its
    :class:`~skfisher._scoring.ScoringProblem` and the loop's result; this sets

    ``params_``, ``param_names_``, ``loglik_``, ``score_``, ``information_``,
    ``observed_information_``, ``empirical_fisher_``, ``covariance_``,
    ``standard_errors_``, ``n_iter_``, ``converged_`` and ``nobs_``.

    The covariance follows the estimator's ``cov_type``:

    =============  ===============  ====================================
    cov_type       covariance_      also known as
    =============  ===============  ====================================
    ``fisher``     ``I⁻¹``          inverse expected information
    ``observed``   ``J⁻¹``          inverse negative Hessian
    ``empirical``  ``F⁻¹``          outer product of gradients, BHHH
    ``sandwich``   ``J⁻¹ F J⁻¹``    robust, White, HC0
    ``cluster``    ``c J⁻¹ C J⁻¹``  cluster-robust (groups passed to fit)
    =============  ===============  ====================================

    For ``cluster``, ``C = Σ_g u_g u_gᵀ`` (``cluster_fisher_``) sums the outer
    products of the per-cluster score totals ``u_g = Σ_{i ∈ g} w_i s_i``, and
    ``c = G/(G − 1) · (N − 1)/(N − k)`` is the small-sample correction of
    statsmodels' ``cov_type="cluster"`` (and Stata's ``vce(cluster)``) for G
    clusters, N = Σw observations and k parameters.
    """

    _cov_type_constraint = [StrOptions(set(COV_TYPES))]

    def _set_fisher(
        self, problem, result, names, *, nobs, nan_params=(), phi=1.0, loop_phi=1.0, groups=None
    ):
        """Fill in the contract at the fitted θ̂.

        Parameters
        ----------
        problem : ScoringProblem
            The model that was fitted.
        result : ScoringResult
            What the loop returned; its factorisation is reused for ``I⁻¹``.
        names : list of str
            Parameter names.
        nobs : float
            The number of observations, Σw.
        nan_params : sequence of int
            Parameters whose standard errors are not defined (separation).
        phi : float
            Dispersion at which the matrices are reported; the loop's
            information is at φ = ``loop_phi``, so its inverse is scaled by
            ``phi / loop_phi``.
        loop_phi : float
            Dispersion at which the loop computed its information (1 unless
            the estimator ran the loop at a fixed φ₀ to make its stop
            scale-free).
        groups : ndarray of shape (n,) or None
            Integer cluster codes from :meth:`_check_groups`, for
            ``cov_type="cluster"``.
        """
        theta = result.theta
        self.params_ = theta
        self.param_names_ = np.asarray(names, dtype=object)
        self.n_iter_ = result.n_iter
        self.converged_ = bool(result.converged)
        self.nobs_ = float(nobs)
        self.loglik_ = float(problem.loglik(theta))
        if phi == loop_phi:
            self.score_ = result.score
            self.information_ = result.information
        else:
            self.score_ = problem.score(theta)
            self.information_ = problem.information(theta)
        self.observed_information_ = problem.observed_information(theta)
        self.empirical_fisher_ = problem.empirical_fisher(theta)
        if self.cov_type == "cluster":
            self._set_cluster_fisher(problem, theta, groups)
        if len(nan_params):
            self.covariance_ = self._covariance_without(np.asarray(nan_params, dtype=int))
        else:
            self.covariance_ = self._covariance(result.factor, phi / loop_phi)
        undefined = np.union1d(result.factor.deficient, np.asarray(nan_params, dtype=int))
        if undefined.size:
            self.covariance_[undefined, :] = np.nan
            self.covariance_[:, undefined] = np.nan
        variances = np.diag(self.covariance_).copy()
        variances[variances < 0] = np.nan
        self.standard_errors_ = np.sqrt(variances)
        # Kept for the likelihood-ratio quantities (conf_int(method="profile"),
        # lr_pvalues_), which refit with one parameter held fixed.
        self._fitted_problem = problem
        self._likelihood_cache = {}

    def __getstate__(self):
        # The scoring problem references the training data: a pickle carries
        # the fitted quantities, not the data (as scikit-learn's estimators).
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__
        state.pop("_fitted_problem", None)
        state.pop("_likelihood_cache", None)
        return state

    def _covariance(self, fisher_factor, phi, keep=(slice(None), slice(None))):
        """The covariance by ``cov_type``, over the parameters indexed by ``keep``."""
        cov_type = self.cov_type
        observed, empirical = self.observed_information_[keep], self.empirical_fisher_[keep]
        if cov_type == "fisher":
            return fisher_factor.inverse() * phi
        if cov_type == "empirical":
            return _inverse(empirical, "empirical Fisher")
        if cov_type == "observed":
            return _inverse(observed, "observed information")
        # With a singular J the bread is the pseudo-inverse, not the inverse with
        # nan rows (whose product would be nan everywhere): the sandwich of the
        # identified parameters is the same for every generalised inverse of J.
        factor = _factor(observed, "observed information")
        bread = factor.solve(np.eye(factor.k))
        meat = empirical if cov_type == "sandwich" else self._cluster_meat(keep)
        sandwich = bread @ meat @ bread
        # The two products round differently above and below the diagonal.
        sandwich = 0.5 * (sandwich + sandwich.T)
        sandwich[factor.deficient, :] = np.nan
        sandwich[:, factor.deficient] = np.nan
        return sandwich

    def _check_groups(self, groups, n_rows):
        """Return integer cluster codes for ``cov_type="cluster"`` (None otherwise).

        ``groups`` given with another ``cov_type`` is an error rather than
        silently ignored, so that nobody reads non-clustered standard errors
        as clustered ones.
        """
        if self.cov_type != "cluster":
            if groups is not None:
                raise ValueError(
                    f"groups are used only by cov_type='cluster'; got groups with "
                    f"cov_type={self.cov_type!r}. Set cov_type='cluster' for cluster-robust "
                    "standard errors, or do not pass groups."
                )
            return None
        if groups is None:
            raise ValueError(
                "cov_type='cluster' needs the cluster of every sample: pass "
                "fit(X, y, groups=...) with one label per row."
            )
        groups = np.asarray(groups)
        if groups.ndim == 2 and groups.shape[1] == 1:
            groups = groups.ravel()
        if groups.ndim != 1 or groups.shape[0] != n_rows:
            raise ValueError(
                f"groups must have one label per row of X ({n_rows}); got shape {groups.shape}."
            )
        missing = np.array([g is None or (isinstance(g, float) and g != g) for g in groups])
        if missing.any():
            raise ValueError(
                f"groups contains {int(missing.sum())} missing label(s) (None or NaN); give "
                "every sample a cluster."
            )
        try:
            return np.unique(groups, return_inverse=True)[1].ravel()
        except TypeError as exc:
            raise ValueError(
                "groups must hold labels of one comparable type (all numbers or all "
                f"strings); got {sorted({type(g).__name__ for g in groups})}."
            ) from exc

    def _set_cluster_fisher(self, problem, theta, groups):
        """Set ``cluster_fisher_`` (Σ_g u_g u_gᵀ) and ``n_groups_``."""
        if groups is None:
            if "groups" not in inspect.signature(self.fit).parameters:
                raise ValueError(
                    f"cov_type='cluster' is not available for {type(self).__name__}: its fit "
                    "takes no groups. Use cov_type='sandwich'."
                )
            raise ValueError("cov_type='cluster' needs groups: pass fit(X, y, groups=...).")
        try:
            self.cluster_fisher_ = problem.cluster_fisher(theta, groups)
        except NotImplementedError:
            raise ValueError(
                f"cov_type='cluster' is not available for this {type(self).__name__} model; "
                "use cov_type='sandwich'."
            ) from None
        weights = getattr(problem, "w", None)
        active = groups if weights is None else groups[np.asarray(weights) > 0]
        self.n_groups_ = int(np.unique(active).size)
        k = len(theta)
        if self.n_groups_ < 2 or self.nobs_ <= k:
            raise ValueError(
                f"cov_type='cluster' needs at least 2 clusters and more observations than "
                f"parameters; got {self.n_groups_} cluster(s), {self.nobs_:g} observations and "
                f"{k} parameters."
            )

    def _cluster_meat(self, keep):
        """``c C`` with the small-sample correction ``c = G/(G−1) · (N−1)/(N−k)``."""
        G, N, k = self.n_groups_, self.nobs_, len(self.params_)
        return self.cluster_fisher_[keep] * (G / (G - 1) * (N - 1) / (N - k))

    def _covariance_without(self, dropped):
        """The covariance of the other parameters with ``dropped`` held fixed.

        Used under quasi-complete separation: the dropped parameters diverge,
        and the rest are estimated with them at their limit, so their
        covariance comes from the rows and columns of the matrices that
        remain, not from the full, nearly singular, matrices.
        """
        k = len(self.params_)
        remaining = np.setdiff1d(np.arange(k), dropped)
        covariance = np.full((k, k), np.nan)
        if remaining.size:
            keep = np.ix_(remaining, remaining)
            factor = SymmetricFactor(self.information_[keep])
            covariance[keep] = self._covariance(factor, 1.0, keep=keep)
        return covariance

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
            a dispersion). See :mod:`skfisher.linear_model._profile`.

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
            from .linear_model._profile import profile_conf_int

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
        from .linear_model._profile import lr_pvalues

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
            from .linear_model._profile import lr_tests

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


def _inverse(matrix, what):
    return _factor(matrix, what).inverse()


def _factor(matrix, what):
    factor = SymmetricFactor(matrix)
    if factor.negative:
        warn(
            f"The {what} is not positive semi-definite at the fit; the covariance "
            "from it is not a valid covariance and some standard errors may be nan. "
            "Use cov_type='fisher'.",
            CovarianceWarning,
        )
    return factor
