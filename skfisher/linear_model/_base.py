"""What every GLM estimator shares: validation, the fit through the one loop, names."""

import copy
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from .._contract import FisherMixin
from .._dask import is_dask_collection
from .._driver import Model, drive, plain_loop
from .._inputs import check_columns_numeric, check_target_present
from .._linalg import DESIGN_DTYPES, Design, extreme_column_scale
from .._marginal import MarginalEffectsMixin
from .._threads import one_blas_thread
from .._validation import (
    check_weights,
)
from ._cg_estimator import ConjugateGradientMixin
from ._cg_options import SOLVERS
from ._dask_fit import check_dask_options, dask_model, predict_blocks
from ._firth import BIAS_REDUCTIONS, fit_bias_reduced
from ._glm_fit import compiled_passes, estimates_alpha, make_problem, second_start
from ._glm_model import GLMBoundary, glm_dispersion, separation_remedy
from ._prediction import PredictionIntervalMixin
from ._problem import GLMProblem


def column_scale_factors(column_scale, fit_intercept, n_blocks=1):
    """Return the factors ``d`` of ``θ = D θ'`` for a fit on columns scaled by ``column_scale``.

    One block of ``[intercept, coef...]`` per class of a multinomial fit;
    intercepts (and an estimated α, appended by the caller) are not scaled.
    """
    if column_scale is None:
        return None
    return np.tile(np.r_[np.ones(int(fit_intercept)), column_scale], n_blocks)


class BaseFisherGLM(
    PredictionIntervalMixin,
    MarginalEffectsMixin,
    ConjugateGradientMixin,
    FisherMixin,
    BaseEstimator,
):
    """Base class of the GLM estimators: ``θ = [intercept, coef...]``."""

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "alpha": [Interval(Real, 0.0, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "cov_type": FisherMixin._cov_type_constraint,
        "warm_start": ["boolean"],
        "bias_reduction": [StrOptions(set(BIAS_REDUCTIONS)), None],
        "solver": [StrOptions(set(SOLVERS))],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
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
        # The arguments every GLM estimator shares; FisherGLMRegressor adds
        # family and link in front.
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.cov_type = cov_type
        self.warm_start = warm_start
        self.bias_reduction = bias_reduction
        self.solver = solver
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _validate_X_y(self, X, y):
        check_columns_numeric(X)
        check_target_present(y)
        return validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            dtype=DESIGN_DTYPES,
            y_numeric=False,
            multi_output=False,
        )

    def _validate_vector(self, values, X, what):
        """Check ``offset`` (or a similar per-row vector): finite, one per row."""
        if values is None:
            return None
        values = np.asarray(values, dtype=float).ravel()
        if values.shape[0] != X.shape[0]:
            raise ValueError(f"{what} has {values.shape[0]} entries but X has {X.shape[0]} rows.")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{what} contains NaN or infinity.")
        return values

    def _feature_names(self):
        if hasattr(self, "feature_names_in_"):
            return [str(name) for name in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _param_names(self):
        names = self._feature_names()
        return (["intercept"] if self.fit_intercept else []) + names

    def _fit_rows(self, X, y, sample_weight, offset, groups, var_weights=None):
        """Check the per-row arguments of ``fit``; drop the rows of weight 0.

        A row of weight 0 is not in the likelihood: dropping it makes the
        weight the same as removing the row, even where the row's mean would
        leave the family's domain. The last value returned is the mask of the
        rows kept (None for all).
        """
        groups = self._check_groups(groups, X.shape[0])
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(sample_weight)
        offset = self._validate_vector(offset, X, "offset")
        kept = sample_weight > 0
        if var_weights is not None:
            var_weights = self._validate_vector(var_weights, X, "var_weights")
            if np.any(var_weights < 0):
                raise ValueError(
                    f"var_weights must be non-negative; got {float(var_weights.min()):g}."
                )
            kept &= var_weights > 0
        if kept.all():
            return X, y, sample_weight, offset, groups, var_weights, None
        X, y, sample_weight = X[kept], y[kept], sample_weight[kept]
        offset = None if offset is None else offset[kept]
        groups = None if groups is None else groups[kept]
        var_weights = None if var_weights is None else var_weights[kept]
        return X, y, sample_weight, offset, groups, var_weights, kept

    def _fit_glm(
        self,
        X,
        y,
        sample_weight,
        family,
        link,
        offset=None,
        groups=None,
        *,
        deviance=False,
        var_weights=None,
        se_for=None,
    ):
        """Fit by Fisher scoring and fill in the contract.

        The one fit of every GLM estimator (logistic regression is the
        binomial-logit case): starting values, the loop, separation and
        collinearity checks, the dispersion, and the fitted attributes;
        with ``solver="cg"`` the truncated-Newton loop
        (:mod:`~skfisher.linear_model._cg_estimator`). ``se_for`` names the
        coefficients whose covariance columns are published.

        Returns
        -------
        problem : ScoringProblem
            The fitted model.
        phi : float
            The dispersion φ̂ (1 for the families without one; nan when it
            cannot be estimated).
        deviance : float or None
            The deviance at the fit, when asked for with ``deviance=True``
            (its unit deviances cost a few vectors of length n).
        family : GLMFamily
            The fitted family: ``family`` itself, or a copy with the
            estimated α of the negative binomial.
        """
        self._check_var_weights(var_weights, family)
        estimate_alpha = estimates_alpha(family)
        solver = self._resolve_solver(X.shape[1] + self.fit_intercept, family)
        names = self._param_names() + (["alpha"] if estimate_alpha else [])
        se_for = self._se_indices(se_for, names)
        with one_blas_thread(compiled_passes(X, y, family, link, self.fit_intercept)):
            model, y = self._glm_model(
                X, y, sample_weight, family, link, offset, groups, var_weights, solver=solver
            )
            model.publish["se_for"] = se_for
            problem, result, phi = drive(self, model)
        if self.bias_reduction is not None:
            self.penalized_loglik_ = float(problem.objective(result.theta))
        self._set_intercept_coef()
        if estimate_alpha:
            family = copy.copy(family)  # the fitted model: the caller's keeps α=None
            family.alpha = float(self.params_[-1])
        if not deviance:
            return problem, phi, None, family
        mu = link.inverse(problem.linear_predictor(result.theta))
        return problem, phi, float(problem.w @ family.unit_deviance(y, mu)), family

    def _glm_model(
        self, X, y, sample_weight, family, link, offset, groups, var_weights, solver="newton"
    ):
        """Return the driver's :class:`~skfisher._driver.Model` of a GLM and the response fitted.

        Drops the rows of weight 0, rescales extreme columns of a plain fit,
        builds the family's problem with R's start and, where the
        log-likelihood is not concave, statsmodels' start too. With
        ``solver="cg"``: the intercept-only start alone (R's is a k × k
        least-squares solve) and the truncated-Newton loop.
        """
        dense = solver == "newton"
        estimate_alpha = estimates_alpha(family)
        n_rows = X.shape[0]
        X, y, sample_weight, offset, groups, var_weights, rows = self._fit_rows(
            X, y, sample_weight, offset, groups, var_weights
        )
        column_scale = None
        if self.alpha == 0 and not (self.warm_start and hasattr(self, "params_")):
            # The L2 penalty and a warm start are in the units of X: only a
            # plain fit runs on rescaled columns.
            X, column_scale = extreme_column_scale(X)
        design = Design(X, self.fit_intercept)
        problem, theta0, start_steps = make_problem(
            design,
            y,
            sample_weight,
            family,
            link,
            offset,
            penalty=self.alpha,
            previous=getattr(self, "params_", None) if self.warm_start else None,
            max_iter=self.max_iter if dense else 0,  # 0: no least-squares start
            var_weights=var_weights,
        )
        names = self._param_names() + (["alpha"] if estimate_alpha else [])
        scale = column_scale_factors(column_scale, self.fit_intercept)
        if scale is not None and estimate_alpha:
            scale = np.append(scale, 1.0)
        starts = [(theta0, start_steps)]
        if dense and not self.warm_start and self.max_iter > start_steps:
            second = second_start(problem, family, link, y, offset)
            if second is not None:
                starts.append((second, 1))
        model = Model(
            problem,
            names,
            sample_weight.sum(),
            starts,
            loop=plain_loop if self.bias_reduction is None else self._bias_reduced,
            diagnose=GLMBoundary(self, estimate_alpha, family, design, y, sample_weight, names),
            dispersion=partial(glm_dispersion, family, link),
            publish={"groups": groups, "scale": scale, "rows": rows, "n_rows": n_rows},
        )
        return (model if dense else self._cg_model(model, family)), y

    def _check_var_weights(self, var_weights, family):
        """Refuse prior weights where their meaning is not defined, with the remedy."""
        if var_weights is None:
            return
        refused = {
            "the binomial family (sample_weight is its number of trials)": (
                family.mean_is_probability
            ),
            "an estimated negative-binomial alpha (fix it: NegativeBinomial(alpha=...))": (
                estimates_alpha(family)
            ),
            f"bias_reduction={self.bias_reduction!r}": self.bias_reduction is not None,
        }
        named = [what for what, used in refused.items() if used]
        if named:
            raise ValueError(f"var_weights are not available with {'; '.join(named)}.")

    def _bias_reduced(self, problem, theta0, max_iter, tol):
        """The loop of a bias-reduced fit: Firth's (or FLIC's) penalised problem."""
        return fit_bias_reduced(self, problem, theta0, max_iter=max_iter)

    def _check_dask_options(self, groups, *, estimate_alpha=False, se_for=None):
        """Refuse, by name and with the remedy, what a fit on dask arrays does not offer."""
        check_dask_options(self, groups, estimate_alpha=estimate_alpha)
        if se_for is not None:
            raise ValueError(
                "se_for is not available for fits on dask arrays: their covariance_ holds "
                "every standard error. Do not pass se_for."
            )
        self._resolve_solver(None, None, in_memory=False)

    def _fit_dask(self, X, y, sample_weight, offset, family, link, *, transform_y=None):
        """Fit on dask arrays (see :func:`~skfisher.linear_model._dask_fit.dask_model`)."""
        model = dask_model(self, X, y, sample_weight, offset, family, link, transform_y)
        problem, _, phi = drive(self, model)
        self._set_intercept_coef()
        return problem, phi

    def _set_intercept_coef(self):
        """Set ``intercept_`` (0 without one) and ``coef_`` from ``params_``."""
        beta = self._linear_params()
        self.intercept_ = float(beta[0]) if self.fit_intercept else 0.0
        self.coef_ = beta[int(self.fit_intercept) :].copy()

    @property
    def _separation_remedy(self):
        return separation_remedy(self)

    def _summary_info(self):
        info = super()._summary_info()
        if getattr(self, "penalized_loglik_", None) is not None:
            info += [
                ("Bias reduction", self.bias_reduction),
                ("Penalized LL", self.penalized_loglik_),
            ]
        return info

    def _glm_family_link(self):
        """Return the fitted family and link."""
        return self.family_, self.link_

    def _glm_response(self, y, family):
        """Return ``y`` as the family's response, after checking its support."""
        y = check_array(y, ensure_2d=False, dtype=np.float64).ravel()
        family.check_y(y)
        return y

    def scoring_problem(self, X, y, sample_weight=None, offset=None):
        """Return this fitted model's log-likelihood on ``(X, y)`` as a scoring problem.

        The problem (a :class:`~skfisher._scoring.ScoringProblem`) gives the
        objective, score and information matrices at any θ; the score test
        and the information-matrix test evaluate it at this fit's estimate.
        ``X`` may have more columns than the fit: the problem is then the
        larger model with ``θ = [intercept, coef..., extra...]``. Its matrices
        are at the fitted dispersion (``dispersion_``; 1 for the families
        without one); an estimated negative-binomial α is held fixed.
        """
        check_is_fitted(self, "params_")
        X = check_array(X, accept_sparse=["csr", "csc"], dtype=DESIGN_DTYPES)
        family, link = self._glm_family_link()
        y = self._glm_response(y, family)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows.")
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        check_weights(sample_weight)
        offset = self._validate_vector(offset, X, "offset")
        phi = float(getattr(self, "dispersion_", 1.0))
        design = Design(X, self.fit_intercept)
        return GLMProblem(
            design, y, sample_weight, family, link, offset=offset, alpha=self.alpha, phi=phi
        )

    def _linear_params(self):
        """``[intercept, coef...]``: the parameters of the linear predictor.

        ``params_`` may hold more (an estimated negative-binomial α, last).
        """
        return self.params_[: self.n_features_in_ + self.fit_intercept]

    def _linear_predictor(self, X, offset=None):
        check_is_fitted(self, "params_")
        if is_dask_collection(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has shape {X.shape}; {type(self).__name__} was fitted with "
                    f"{self.n_features_in_} features."
                )
            # The names of a dask DataFrame's columns, checked on its empty description.
            validate_data(
                self,
                X._meta if hasattr(X, "to_dask_array") else X,
                skip_check_array=True,
                reset=False,
            )
            return predict_blocks(X, self._linear_params(), self.fit_intercept, offset)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=DESIGN_DTYPES, reset=False)
        eta = Design(X, self.fit_intercept).matvec(self._linear_params())
        offset = self._validate_vector(offset, X, "offset")
        return eta if offset is None else eta + offset
