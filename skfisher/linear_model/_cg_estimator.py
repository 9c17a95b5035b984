"""What ``solver="cg"`` changes in a GLM estimator: the loop, what is published, what is refused.

``solver`` of :class:`FisherLogisticRegression` and :class:`FisherGLMRegressor`:

``"newton"`` (the default)
    The dense loop: each step solves with the k × k information.
``"cg"``
    Matrix-free Fisher scoring (:mod:`~skfisher.linear_model._cg_newton`):
    each step by conjugate gradients on products ``Xᵀ W X v``, memory
    O(nnz(X) + k). It stops where the dense loop does, on a step shorter
    than ``tol`` standard errors, so the two agree to that tolerance. Every
    family and link but the negative binomial with α estimated (fix α:
    ``NegativeBinomial(alpha=...)``); the dispersion families with Pearson's
    φ̂ on ``Σw − k`` degrees of freedom (less the columns without
    information). Not available: the multinomial logit, dask arrays,
    ``bias_reduction`` and ``cov_type="cluster"`` (each a ``ValueError``
    that names it).
``"auto"``
    ``"cg"`` for more than ``AUTO_MAX_PARAMS`` = 5,000
    parameters, or where the dense fit's nine k × k float64 arrays would
    take more than a quarter of the machine's memory; ``"newton"`` otherwise,
    and always for the multinomial and on dask arrays. Where only the
    memory rule chose ``"cg"`` and an option needs the matrix, ``"newton"``.

A fit with ``solver="cg"`` goes through the same driver
(:func:`~skfisher._driver.drive`) with the model of
:mod:`~skfisher.linear_model._cg_model`. It starts from the intercept-only
start alone (R's least-squares start is a k × k solve): where the
log-likelihood is not concave in η (gamma with the identity link, …) the
dense fit compares several starts, and ``"cg"`` may stop at another maximum.
``_set_fisher`` then publishes a
:class:`~skfisher.linear_model._cg_result.CGResult`:

- ``params_``, ``coef_``, ``intercept_``, ``loglik_``, ``score_``, ``n_iter_``,
  ``converged_``, ``nobs_``, ``dispersion_``, ``deviance_`` as usual, and
  ``n_cg_iter_``, the conjugate-gradient iterations (products with ``I``);
- ``standard_errors_`` nan except for the coefficients named by
  ``fit(..., se_for=...)`` (``se_for_``, indices into ``params_``), whose
  columns of the covariance are ``covariance_columns_``, each by solves to
  a relative residual of 1e-8 (:mod:`~skfisher.linear_model._cg_errors`),
  for ``cov_type`` ``"fisher"``, ``"observed"``, ``"empirical"`` or
  ``"sandwich"``; ``summary()`` and ``conf_int()`` show those, and
  ``standard_errors_for(names, cov_type)`` gives others after the fit;
- ``information_``, ``observed_information_``, ``empirical_fisher_``,
  ``covariance_`` and ``fisher_result_`` are not set: reading one raises an
  ``AttributeError`` that names ``solver="cg"``. Not None: code that needs a
  matrix then fails at once with the reason, instead of later with a
  ``TypeError``, and ``hasattr`` tells whether a fit has them, as
  scikit-learn does for the attributes a fit does not make. ``covariance()``
  and profile-likelihood quantities raise a ``ValueError``.

``se_for`` is a fit parameter: the standard errors are computed at θ̂ while
the fit holds its data, belong to the fitted state (pickled with it, shown
by ``summary()``), and reach a pipeline's step by scikit-learn's metadata
routing (``set_fit_request(se_for=True)``). ``standard_errors_for`` adds the
ones found worth a look after the fit, without refitting. With
``solver="newton"`` ``se_for`` is accepted too (so that ``"auto"`` takes it
whichever it chooses): the standard errors are the dense covariance's, and
``summary()`` shows the named coefficients.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._summary import SummaryTable
from ._cg_errors import CG_COV_TYPES
from ._cg_model import cg_model
from ._cg_newton import TruncatedNewtonResult
from ._cg_options import AUTO_MAX_PARAMS, choose_solver, se_indices
from ._cg_result import CGResult
from ._glm_fit import estimates_alpha

# What a solver="cg" fit does not form.
_DENSE_ATTRIBUTES = (
    "information_",
    "observed_information_",
    "empirical_fisher_",
    "covariance_",
    "fisher_result_",
)


class ConjugateGradientMixin:
    """The ``solver`` of a GLM estimator: the choice, the model of a ``"cg"`` fit, its results."""

    def _resolve_solver(self, n_params, family, *, in_memory=True, binary=True):
        """Set and return ``solver_``, refusing by name what ``"cg"`` cannot honour.

        ``n_params`` is the number of parameters (None on dask arrays, where
        it is not needed). ``"auto"`` chooses ``"newton"`` for what ``"cg"`` never fits (dask
        arrays, the multinomial logit), and by :func:`choose_solver` otherwise.
        """
        if self.solver == "auto" and not (in_memory and binary):
            solver = "newton"
        else:
            solver = choose_solver(self.solver, n_params)
        if solver == "cg":
            refused = self._cg_refusals(family, in_memory, binary)
            if refused:
                solver = self._refuse_cg(refused, n_params)
        self.solver_ = solver
        return solver

    def _check_multinomial_solver(self, n_classes, se_for):
        """Refuse ``se_for`` and ``solver="cg"`` for the multinomial logit; set ``solver_``."""
        if se_for is not None:
            raise ValueError(
                "se_for is for the binary and GLM fits; the multinomial fit's covariance_ "
                "holds every standard error. Do not pass se_for."
            )
        n_params = (n_classes - 1) * (self.n_features_in_ + self.fit_intercept)
        self._resolve_solver(n_params, None, binary=False)

    @property
    def _uses_cg(self):
        """Whether the fit was made by ``solver="cg"``."""
        return self.__dict__.get("solver_") == "cg"

    def _cg_refusals(self, family, in_memory, binary):
        """The options of this fit that only the dense solver offers, with their reasons."""
        refused = {
            f"bias_reduction={self.bias_reduction!r} (Firth's penalty is log det I)": (
                self.bias_reduction is not None
            ),
            "cov_type='cluster' (its meat is the G × k matrix of the per-cluster scores)": (
                self.cov_type == "cluster"
            ),
            "an estimated negative-binomial alpha (fix it: NegativeBinomial(alpha=...))": (
                estimates_alpha(family)
            ),
            "dask arrays (compute them, X.compute(), to fit in memory)": not in_memory,
            "more than two classes (the multinomial logit)": not binary,
        }
        return [what for what, used in refused.items() if used]

    def _refuse_cg(self, refused, n_params):
        """Raise for a ``"cg"`` fit of options it cannot honour; ``"newton"`` where auto allows."""
        if self.solver == "auto" and n_params <= AUTO_MAX_PARAMS:
            return "newton"  # only the memory rule chose "cg": the dense fit still fits
        chosen = (
            f"solver='auto' chose 'cg' for {n_params} parameters (more than {AUTO_MAX_PARAMS:,})"
            if self.solver == "auto"
            else "solver='cg'"
        )
        raise ValueError(
            f"{chosen}, which is not available with {'; '.join(refused)}. Use "
            "solver='newton' (it forms the k × k information), or drop the option."
        )

    def _cg_model(self, model, family):
        """Return the driver's model of a ``"cg"`` fit from the dense one."""
        return cg_model(model, family, self.alpha)

    def _set_fisher(self, problem, result, names, *, se_for=None, **options):
        """Publish the loop's result: a dense one by the contract, a ``"cg"`` one here."""
        if not isinstance(result, TruncatedNewtonResult):
            super()._set_fisher(problem, result, names, **options)
            if se_for is not None:
                self.se_for_ = se_for
                self.covariance_columns_ = self.covariance_[:, se_for]
            return
        fit = CGResult.from_fit(problem, result, names, cov_type=self.cov_type, **options)
        if se_for is not None:
            fit = fit.with_columns(problem, se_for)
        self.cg_result_ = fit
        for name, value in fit.attributes().items():
            setattr(self, name, value)
        # Kept for standard_errors_for; profile refits would use the dense loop.
        problem.profile_refusal = (
            "Profile likelihoods and likelihood-ratio p-values refit the model with the "
            "dense loop; they are not available with solver='cg'. Use method='wald', or "
            "refit with solver='newton'."
        )
        self._fitted_problem = problem
        self._likelihood_cache = {}

    def __getattr__(self, name):
        # Called only for an attribute that is not set: those a "cg" fit does not form.
        if name in _DENSE_ATTRIBUTES and self.__dict__.get("solver_") == "cg":
            raise AttributeError(
                f"{name} is not available with solver='cg': the k × k matrices are never "
                "formed. The standard errors of chosen coefficients are in standard_errors_ "
                "(fit(X, y, se_for=[...])) and standard_errors_for(names); refit with "
                "solver='newton' for the matrices."
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def standard_errors_for(self, names, cov_type=None):
        """Return the standard errors of the named coefficients, without refitting.

        Parameters
        ----------
        names : int, str or sequence of them
            As ``fit(..., se_for=...)``: column indices of X or names of
            ``param_names_``.
        cov_type : {"fisher", "observed", "empirical", "sandwich"}, default=None
            The covariance (``"cluster"`` too with ``solver="newton"``); by
            default the estimator's ``cov_type``.

        Returns
        -------
        standard_errors : ndarray of shape (n_names,)
            In the order of ``names``. With ``solver="newton"`` taken from the
            dense covariance; with ``solver="cg"`` those named in the fit are
            its own, the others come from conjugate-gradient solves at the
            estimate, to a relative residual of 1e-8 (see
            :mod:`skfisher.linear_model._cg_errors`), which need the training
            data: an unpickled estimator must be refitted for them.
        """
        check_is_fitted(self, "params_")
        indices = self._se_indices(names)
        if indices is None:
            return np.empty(0)
        if not self._uses_cg:
            return self.standard_errors(cov_type)[indices]
        return self._cg_errors(cov_type, None, indices)[indices]

    def standard_errors(self, cov_type=None, groups=None):
        """Return the standard errors by ``cov_type``, without refitting.

        With ``solver="newton"``, ``sqrt(diag(covariance(cov_type, groups)))``
        (see :meth:`~skfisher._contract.FisherMixin.standard_errors`). With
        ``solver="cg"``, nan except for the coefficients named in the fit
        (``se_for_``), by conjugate-gradient solves for another ``cov_type``.
        """
        check_is_fitted(self, "params_")
        if not self._uses_cg:
            return super().standard_errors(cov_type, groups)
        return self._cg_errors(cov_type, groups, getattr(self, "se_for_", None))

    def _cg_errors(self, cov_type, groups, indices):
        """The standard errors of a ``"cg"`` fit by ``cov_type`` for ``indices``, shape (k,)."""
        fit = self.cg_result_
        cov_type = self.cov_type if cov_type is None else cov_type
        if groups is not None or cov_type not in CG_COV_TYPES:
            raise ValueError(
                f"With solver='cg' the standard errors are by one of {list(CG_COV_TYPES)} "
                f"(no groups); got cov_type={cov_type!r}"
                f"{' with groups' if groups is not None else ''}. Refit with solver='newton'."
            )
        if indices is None:
            return fit.errors()
        if fit.se_for is not None and cov_type == fit.cov_type:
            if np.isin(indices, fit.se_for).all():
                return fit.errors()
        return fit.with_columns(self._problem_for_errors(), indices, cov_type).errors()

    def covariance(self, cov_type=None, groups=None):
        """Return the covariance by ``cov_type`` (``solver="newton"`` only), without refitting.

        See :meth:`~skfisher._contract.FisherMixin.covariance`. A
        ``solver="cg"`` fit has no k × k covariance: its columns for the named
        coefficients are ``covariance_columns_``.
        """
        check_is_fitted(self, "params_")
        if self._uses_cg:
            raise ValueError(
                "The covariance matrix is not formed with solver='cg'; the columns of the "
                "coefficients named by se_for are covariance_columns_. Refit with "
                "solver='newton' for the whole matrix."
            )
        return super().covariance(cov_type, groups)

    def _problem_for_errors(self):
        problem = getattr(self, "_fitted_problem", None)
        if problem is None:
            raise ValueError(
                "Standard errors of other coefficients need the training data, which this "
                "fit no longer holds (an estimator restored from a pickle): refit it, with "
                "fit(X, y, se_for=[...])."
            )
        return problem

    def _se_indices(self, se_for, names=None):
        """The indices into ``params_`` of ``se_for`` (names from the fit by default)."""
        names = self.param_names_ if names is None else names
        return se_indices(se_for, list(names), self.n_features_in_, self.fit_intercept)

    def summary(self, alpha=0.05, ci="wald"):
        """Return the coefficient table; of the coefficients named by ``se_for`` when given.

        A ``solver="cg"`` fit reports only those (its other standard errors
        are not computed).
        """
        check_is_fitted(self, "params_")
        named = getattr(self, "se_for_", None)
        if named is None and self._uses_cg:
            raise ValueError(
                "summary() of a solver='cg' fit reports the coefficients whose standard "
                "errors were computed, and none were: pass fit(X, y, se_for=[...]) with "
                "column indices or names."
            )
        table = super().summary(alpha, ci=ci)
        return table if named is None else _table_rows(table, named)

    def _summary_info(self):
        info = super()._summary_info()
        if self._uses_cg:
            info.append(("Solver", f"cg ({self.n_cg_iter_} CG iterations)"))
        named = getattr(self, "se_for_", None)
        if named is not None:
            info.append(("Shown", f"{named.size} of {len(self.params_)} (se_for)"))
        return info


def _table_rows(table, rows):
    """Return ``table`` restricted to ``rows``, its tests and intervals as computed."""
    names = np.asarray(table.names, dtype=object)[rows]
    out = SummaryTable(
        table.title,
        table.info,
        names,
        table.params[rows],
        table.standard_errors[rows],
        alpha=table.alpha,
        notes=table.notes,
    )
    if table.test != "wald":
        out.use_likelihood_ratio(table.statistic[rows], table.pvalues[rows], table.conf_int[rows])
    return out
