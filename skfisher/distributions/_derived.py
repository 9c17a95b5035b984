"""Delta-method intervals for quantities derived from a fitted distribution: quantiles, the mean.

A derived quantity ``g(θ)`` (the q-quantile ``F⁻¹(q; θ)``, the mean ``E[X; θ]``,
a tail probability) of the fitted parameters has the asymptotic variance
``∇gᵀ Σ ∇g`` with ``Σ = covariance_`` (the estimator's ``cov_type``), and the
Wald interval ``g(θ̂) ± z sqrt(∇gᵀ Σ ∇g)`` (as R's ``car::deltaMethod``).

The gradient is numerical: ``g`` is evaluated on the frozen ``scipy.stats``
distribution at perturbed parameters, differentiated by the five-point
stencil (:func:`~skfisher._numdiff.richardson_jacobian`) on the
unconstrained scale Fisher scoring iterates on (``log`` of a scale, ``logit``
of a probability), so that no perturbed parameter leaves its domain, and
carried back by the chain rule. Each step is 10⁻³ standard errors, small
against the curvature of ``g`` and far above rounding.
"""

import numpy as np
from scipy import stats
from sklearn.utils.validation import check_is_fitted

from .._numdiff import richardson_jacobian

# Step of the numerical gradient, in standard errors of each parameter.
_STEP_IN_SE = 1e-3


def _normal_quantile(alpha):
    if not (isinstance(alpha, (int, float, np.floating)) and 0 < alpha < 1):
        raise ValueError(
            f"alpha must be a number in (0, 1) (one minus the confidence level); got {alpha!r}."
        )
    return float(stats.norm.ppf(1 - alpha / 2))


def _free_names(estimator):
    return [name for name in estimator.family_.param_names if name not in estimator.fixed_]


def _column_parameters(estimator, column):
    """Return the free parameters of one column and their covariance."""
    k = len(_free_names(estimator))
    block = slice(column * k, (column + 1) * k)
    return estimator.params_[block], estimator.covariance_[block, block]


def _full_theta(estimator, free_theta):
    """Return every parameter of the family, the held ones at their ``fixed_`` values."""
    free = iter(free_theta)
    return np.array(
        [
            float(estimator.fixed_[name]) if name in estimator.fixed_ else next(free)
            for name in estimator.family_.param_names
        ]
    )


def delta_method(estimator, function):
    """Return a derived quantity of a fitted :class:`MLEDistribution` and its standard errors.

    Parameters
    ----------
    estimator : MLEDistribution
        A fitted estimator.
    function : callable
        ``function(distribution) -> array of shape (m,)`` (or a scalar), given
        a frozen ``scipy.stats`` distribution of the family.

    Returns
    -------
    values : ndarray of shape (n_columns, m)
        ``g(θ̂)`` of each column's fitted distribution.
    standard_errors : ndarray of shape (n_columns, m)
        ``sqrt(∇gᵀ Σ ∇g)``, ``nan`` where a parameter has no standard error or
        ``g`` is not finite near θ̂.
    """
    check_is_fitted(estimator, "params_")
    family = estimator.family_
    indices = [family.param_names.index(name) for name in _free_names(estimator)]
    transforms = [family.transforms[j] for j in indices]

    def g_of_phi(phi):
        theta = [t.to_natural(p) for t, p in zip(transforms, phi, strict=True)]
        distribution = family.to_scipy(_full_theta(estimator, theta))
        return np.atleast_1d(np.asarray(function(distribution), dtype=float))

    values, errors = [], []
    for column in range(estimator.n_features_in_):
        theta, covariance = _column_parameters(estimator, column)
        phi = np.array([t.to_unconstrained(v) for t, v in zip(transforms, theta, strict=True)])
        dtheta_dphi = np.array([t.derivative(p) for t, p in zip(transforms, phi, strict=True)])
        se_phi = np.sqrt(np.abs(np.diag(covariance))) / np.abs(dtheta_dphi)
        steps = _STEP_IN_SE * np.where(np.isfinite(se_phi) & (se_phi > 0), se_phi, 1.0)
        value = g_of_phi(phi)
        with np.errstate(invalid="ignore"):
            gradient = richardson_jacobian(g_of_phi, phi, steps) / dtheta_dphi
            variance = np.einsum("ia,ab,ib->i", gradient, covariance, gradient)
        variance[~(variance >= 0)] = np.nan
        values.append(value)
        errors.append(np.sqrt(variance))
    return np.array(values), np.array(errors)


def _shaped(intervals, estimator, shape):
    """(n_columns, m, 2) → shape + (2,) for one column, (n_columns,) + shape + (2,) otherwise."""
    out = intervals.reshape((intervals.shape[0], *shape, 2))
    return out[0] if estimator.n_features_in_ == 1 else out


class DerivedIntervalsMixin:
    """Delta-method intervals for quantiles, the mean and other functions of the distribution."""

    def derived_interval(self, function, alpha=0.05):
        """Return the delta-method interval of a function of the fitted distribution.

        Parameters
        ----------
        function : callable
            ``function(distribution) -> float or array of shape (m,)``, given
            a frozen ``scipy.stats`` distribution of the family, e.g.
            ``lambda d: d.sf(10.0)`` for a tail probability.
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        intervals : ndarray of shape (m, 2) or (n_columns, m, 2)
            ``g(θ̂) ± z se``; one row per value of ``function``, and a leading
            axis over the columns of ``X`` when the fit had several.

        Notes
        -----
        The gradient of ``g`` in the free parameters is numerical (the
        five-point stencil on the unconstrained scale, steps of 10⁻³ standard
        errors); ``se = sqrt(∇gᵀ Σ ∇g)`` with ``Σ = covariance_``. The interval
        is symmetric on the scale of ``g``; for a small sample or a strongly
        skewed sampling distribution a parametric bootstrap is more faithful.
        """
        z = _normal_quantile(alpha)
        values, errors = delta_method(self, function)
        intervals = np.stack([values - z * errors, values + z * errors], axis=-1)
        return _shaped(intervals, self, (values.shape[1],))

    def quantile_interval(self, q, alpha=0.05):
        """Return delta-method intervals for the quantiles ``F⁻¹(q; θ̂)``.

        Parameters
        ----------
        q : float or array-like of shape (m,)
            Probabilities in (0, 1).
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        intervals : ndarray of shape q.shape + (2,), or (n_columns,) + q.shape + (2,)
            Lower and upper ends of each quantile (``distribution_.ppf(q)``);
            a leading axis over the columns when the fit had several.

        Notes
        -----
        See :meth:`derived_interval` for the method. A discrete family's
        quantiles are integers, step functions of θ, so the delta method does
        not apply to them and a ``ValueError`` is raised.

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import MLEDistribution
        >>> x = np.random.default_rng(0).gamma(2.0, 3.0, size=1000)
        >>> model = MLEDistribution("gamma").fit(x)
        >>> model.quantile_interval([0.5, 0.99]).round(2)
        array([[ 4.82,  5.28],
               [18.84, 21.1 ]])
        """
        check_is_fitted(self, "params_")
        q_array = np.asarray(q, dtype=float)
        if q_array.ndim > 1 or not np.all((q_array > 0) & (q_array < 1)):
            raise ValueError(
                f"q must be a probability or a 1-D array of probabilities in (0, 1); got {q!r}."
            )
        if self.family_.discrete:
            raise ValueError(
                f"The quantiles of the discrete {self.family_.name} family are integers, step "
                "functions of the parameters, so they have no delta-method interval. Use "
                "derived_interval with a smooth function (e.g. the mean), or a parametric "
                "bootstrap."
            )
        intervals = self.derived_interval(lambda d: d.ppf(q_array.ravel()), alpha)
        return intervals.reshape((*intervals.shape[:-2], *q_array.shape, 2))

    def mean_interval(self, alpha=0.05):
        """Return the delta-method interval for the mean ``E[X; θ̂]``.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the confidence level.

        Returns
        -------
        interval : ndarray of shape (2,) or (n_columns, 2)
            Lower and upper ends of ``distribution_.mean()``; ``nan`` when the
            mean is infinite (Student's t with df ≤ 1). See
            :meth:`derived_interval`.

        Examples
        --------
        >>> import numpy as np
        >>> from skfisher import MLEDistribution
        >>> x = np.random.default_rng(0).gamma(2.0, 3.0, size=1000)
        >>> MLEDistribution("gamma").fit(x).mean_interval().round(2)
        array([5.75, 6.28])
        """
        intervals = self.derived_interval(lambda d: d.mean(), alpha)
        return intervals[..., 0, :]
