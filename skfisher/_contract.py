"""The Fisher contract: what every fitted skfisher estimator exposes."""

import inspect

import numpy as np
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._report import ReportMixin
from ._result import COV_TYPES, FisherResult, cluster_codes

# What a fit keeps besides its public attributes, forgotten by the next fit.
_FIT_CACHES = ("_fitted_problem", "_likelihood_cache", "_column_params")


class FisherMixin(ReportMixin):
    """Fitted attributes, covariance, intervals and summary of a Fisher-scoring fit.

    An estimator calls :meth:`_forget_fit` first in ``fit`` (no attribute of
    a previous fit survives a refit) and :meth:`_set_fisher` at its end with
    its :class:`~skfisher._scoring.ScoringProblem` and the loop's result. That
    builds the immutable :class:`~skfisher._result.FisherResult`
    (``fisher_result_``) and publishes from it, in one place,

    ``params_``, ``param_names_``, ``loglik_``, ``score_``, ``information_``,
    ``observed_information_``, ``empirical_fisher_``, ``covariance_``,
    ``standard_errors_``, ``n_iter_``, ``converged_`` and ``nobs_``.

    ``covariance_`` follows the estimator's ``cov_type``; every other one is
    at hand after the fit, without refitting, from :meth:`covariance` and
    :meth:`standard_errors`:

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
        self,
        problem,
        result,
        names,
        *,
        nobs,
        nan_params=(),
        phi=1.0,
        loop_phi=1.0,
        groups=None,
        scale=None,
        rows=None,
        n_rows=None,
        keep_problem=True,
    ):
        """Build the :class:`~skfisher._result.FisherResult` at θ̂ and publish it.

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
            Dispersion at which the matrices are reported (nan: it cannot be
            estimated, and the matrices are nan); the loop's information is
            at φ = ``loop_phi``, so its inverse is scaled by ``phi / loop_phi``.
        loop_phi : float
            Dispersion at which the loop computed its information (1 unless
            the estimator ran the loop at a fixed φ₀ to make its stop
            scale-free).
        groups : ndarray of shape (n,) or None
            Integer cluster codes from :meth:`_check_groups`, for
            ``cov_type="cluster"``.
        scale : ndarray of shape (k,) or None
            The factors ``d`` of a fit in the parameters ``θ' = D⁻¹ θ`` (on
            rescaled columns), mapped back in every published quantity.
        rows : ndarray of bool or None
            The rows of the data passed to ``fit`` that ``problem`` holds.
        n_rows : int or None
            The number of rows passed to ``fit``: a model that takes groups
            gives it, so that other groups can be given after the fit.
        keep_problem : bool
            Whether the estimator may keep the problem (False where it pins
            data elsewhere, as a dask fit's persisted blocks).
        """
        fit = FisherResult.from_fit(
            problem,
            result,
            names,
            nobs=nobs,
            cov_type=self.cov_type,
            phi=phi,
            loop_phi=loop_phi,
            dropped=nan_params,
            scale=scale,
            rows=rows,
            n_rows=n_rows,
            problem=problem if keep_problem else None,
        )
        if self.cov_type == "cluster":
            if groups is None:
                if "groups" not in inspect.signature(self.fit).parameters:
                    raise ValueError(
                        f"cov_type='cluster' is not available for {type(self).__name__}: "
                        "its fit takes no groups. Use cov_type='sandwich'."
                    )
                raise ValueError("cov_type='cluster' needs groups: pass fit(X, y, groups=...).")
            fit = fit.with_clusters(*_cluster_sums(problem, fit, groups, type(self).__name__))
        self._publish(fit)
        # Kept for the likelihood-ratio quantities (conf_int(method="profile"),
        # lr_pvalues_), which refit with one parameter held fixed; a fit in
        # rescaled units asks for a refit on data of moderate scale instead.
        self._fitted_problem = problem if keep_problem and scale is None else None
        self._likelihood_cache = {}

    def _publish(self, fit):
        """Set the fitted attributes from ``fit``: the one place they come from."""
        self.fisher_result_ = fit
        for name in ("cluster_fisher_", "n_groups_"):
            self.__dict__.pop(name, None)
        for name, value in fit.attributes().items():
            setattr(self, name, value)

    def _forget_fit(self):
        """Remove every attribute of the previous fit (``params_`` kept for a warm start)."""
        kept = {"params_"} if getattr(self, "warm_start", False) else set()
        kept |= set(self.get_params(deep=False))
        for name in list(vars(self)):
            fitted = name.endswith("_") and not name.startswith("_")
            if (fitted and name not in kept) or name in _FIT_CACHES:
                delattr(self, name)

    def __getstate__(self):
        # The scoring problem references the training data: a pickle carries
        # the fitted quantities, not the data (as scikit-learn's estimators).
        state = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__
        for name in ("_fitted_problem", "_likelihood_cache"):
            state.pop(name, None)
        if "fisher_result_" in state:
            state["fisher_result_"] = state["fisher_result_"].without_problem()
        return state

    def covariance(self, cov_type=None, groups=None):
        """Return the covariance of the estimates by ``cov_type``, without refitting.

        Parameters
        ----------
        cov_type : {"fisher", "observed", "empirical", "sandwich", "cluster"}, \
                default=None
            Which covariance (see the class's ``cov_type``); by default the
            one the estimator was fitted with (``covariance_``).
        groups : array-like of shape (n_samples,), default=None
            For ``cov_type="cluster"``: the cluster of each row passed to
            ``fit``. Not needed when the fit itself was clustered (its groups
            are used).

        Returns
        -------
        covariance : ndarray of shape (n_params, n_params)
            Equal to ``covariance_`` of a refit with this ``cov_type`` (and
            these groups), as statsmodels' ``get_robustcov_results``.
        """
        check_is_fitted(self, "params_")
        fit, cov_type = self._result_for(cov_type, groups)
        return fit.covariance(cov_type)

    def _result_for(self, cov_type, groups):
        """Return the result that holds the covariance asked for, and its cov_type."""
        fit = self.fisher_result_
        cov_type = fit.cov_type if cov_type is None else cov_type
        if cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {list(COV_TYPES)}; got {cov_type!r}.")
        if groups is not None:
            if cov_type != "cluster":
                raise ValueError(
                    f"groups are used only by cov_type='cluster'; got groups with "
                    f"cov_type={cov_type!r}."
                )
            fit = self._clustered(fit, groups)
        elif cov_type == "cluster" and fit.cluster_fisher is None:
            raise ValueError(
                "cov_type='cluster' needs the cluster of every sample: pass "
                "covariance(cov_type='cluster', groups=...) with one label per row of the "
                "data passed to fit."
            )
        return fit, cov_type

    def standard_errors(self, cov_type=None, groups=None):
        """Return the standard errors by ``cov_type``, without refitting.

        ``sqrt(diag(covariance(cov_type, groups)))`` (nan where a variance is
        negative or not defined); see :meth:`covariance`.
        """
        check_is_fitted(self, "params_")
        fit, cov_type = self._result_for(cov_type, groups)
        return fit.standard_errors(cov_type)

    def _clustered(self, fit, groups):
        """Return ``fit`` with the cluster meat of ``groups`` (labels of the rows of fit)."""
        if fit.n_rows is None:
            raise ValueError(
                f"cov_type='cluster' is not available for {type(self).__name__}; use "
                "cov_type='sandwich'."
            )
        if fit.problem is None:
            raise ValueError(
                "The cluster-robust covariance of other groups needs the training data, "
                "which this fit does not keep (a dask fit, or an unpickled estimator): "
                "refit with cov_type='cluster' and fit(..., groups=...)."
            )
        codes = cluster_codes(groups, fit.n_rows)
        if fit.rows is not None:
            codes = codes[fit.rows]
        return fit.with_clusters(*_cluster_sums(fit.problem, fit, codes, type(self).__name__))

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
        return cluster_codes(groups, n_rows)


def _cluster_sums(problem, fit, groups, estimator_name):
    """Return ``(Σ_g u_g u_gᵀ, G)`` for integer cluster codes, refusing what has no meaning."""
    try:
        meat = problem.cluster_fisher(fit.theta, groups)
    except NotImplementedError:
        raise ValueError(
            f"cov_type='cluster' is not available for this {estimator_name} model; "
            "use cov_type='sandwich'."
        ) from None
    positive = problem.positive_rows()
    active = groups if positive is None else groups[positive]
    n_groups = int(np.unique(active).size)
    k = fit.theta.size
    if n_groups < 2 or fit.nobs <= k:
        raise ValueError(
            f"cov_type='cluster' needs at least 2 clusters and more observations than "
            f"parameters; got {n_groups} cluster(s), {fit.nobs:g} observations and "
            f"{k} parameters."
        )
    return meat, n_groups
