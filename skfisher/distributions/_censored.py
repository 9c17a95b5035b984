"""``MLEDistribution.fit(scipy.stats.CensoredData(...))``: the fit of a censored sample.

The log-likelihood is

    ℓ(θ) = Σ_exact w log f(x) + Σ_left w log F(x) + Σ_right w log S(x)
           + Σ_interval w log(F(b) − F(a)),

with ``sample_weight`` as frequency weights, matched to the observations in
the order of CensoredData's arrays: uncensored, left, right, interval
(CensoredData does not keep the order of the values ``right_censored(x, c)``
was given). It is maximised by Newton's method on the loop the uncensored
fits use (``_run.fit_columns``: the scale-free footing, unconstrained
parameters, step halving), from the family's starting values on the
uncensored values and the censoring values (interval midpoints), refitted
with each censored observation at its conditional median while that raises
the log-likelihood (see ``_censored_problem`` for the steps).

``information_`` is the **observed** information ``J(θ̂) = −∇²ℓ(θ̂)``, equal to
``observed_information_``: the expected information of a censored sample
depends on the censoring mechanism, which the data do not describe, so none
is claimed, and ``cov_type="fisher"`` gives ``J⁻¹`` (as R's
``survival::survreg`` and ``fitdistrplus::fitdistcens`` do).
``empirical_fisher_`` is ``Σ w s sᵀ`` over the per-observation scores,
censored terms included. A sample without censored observations (or with
only uninformative ones) is fitted exactly as its uncensored values are.
Discrete families and the von Mises are refused.
"""

from functools import partial

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._driver import Model, drive
from .._linalg import SymmetricFactor
from .._warnings import warn
from ._censored_problem import CensoredProblem
from ._censored_sample import censored_arrays, check_identified, read_censored
from ._censored_terms import terms_for
from ._footing import ReportedProblem, standardise
from ._registry import resolve_family
from ._run import column_params, fit_columns, report_limits
from ._sample import WeightedSample

_IMPUTATIONS = 3


def _refuse(family):
    if family.discrete:
        raise ValueError(
            f"MLEDistribution fits scipy.stats.CensoredData with continuous families only; "
            f"the {family.name} family is discrete. Pass the counts as an array."
        )
    if family.name == "von_mises":
        raise ValueError(
            "Censoring is not defined for the von Mises family, whose data are angles on "
            "a circle; pass the angles as an array."
        )


def _footing(family, fixed, sample):
    """Return ``(sample', fixed', footing, start sample)`` on the scale-free footing."""
    values, weights = sample.pseudo_values()
    unweighted = sample.exact_weights is None and np.all(weights == 1.0)
    weights = None if unweighted else weights
    moved, fixed, footing = standardise(family, fixed, values, weights)
    c = footing.scale
    shift = 0.0
    if family.location is not None:
        shift = footing.shift[family.param_names.index(family.location)] / c
    footing.offset = -sample.n_exact * np.log(c) if c != 1.0 else 0.0
    return sample.moved(c, shift), fixed, footing, WeightedSample(moved, weights, family)


def _start(family, fixed, footing, pseudo):
    theta0 = np.asarray(family.start(pseudo, fixed), dtype=float)
    for name, value in fixed.items():
        theta0[family.param_names.index(name)] = value
    bad = [
        name
        for name, g, value in zip(family.param_names, family.transforms, theta0, strict=True)
        if not g.contains(value)
    ]
    if bad and pseudo.is_constant():
        value = pseudo.low * footing.scale + footing.shift.sum()
        raise ValueError(
            f"Every observation's value (uncensored value, censoring value or interval "
            f"midpoint) is {value:g}: no starting values for {bad} of the {family.name} family. "
            "The censored observations may not identify the parameters: hold some with "
            "fixed={...}, or add uncensored observations."
        )
    if bad:
        reported = footing.factor * theta0 + footing.shift
        raise ValueError(
            f"No valid starting values for {bad} of the {family.name} family on these censored "
            f"data (got {reported.tolist()}); hold them with fixed={{...}} or check the data."
        )
    return theta0


def _conditional_medians(family, theta, lo, hi):
    """The median of each censored observation's interval ``(lo, hi]`` under θ."""
    frozen = family.to_scipy(theta)
    with np.errstate(all="ignore"):
        f_lo, f_hi = frozen.cdf(lo), frozen.cdf(hi)
        upper = f_lo > 0.5
        values = np.where(
            upper,
            frozen.isf(0.5 * (frozen.sf(lo) + frozen.sf(hi))),
            frozen.ppf(0.5 * (f_lo + f_hi)),
        )
    inside = family.support.contains(values) & family.get_support(theta).contains(values)
    return values if np.all(inside & (values > lo) & (values <= hi)) else None


def _refine_start(family, fixed, problem):
    """Starting values refitted to the censored observations imputed at their conditional medians.

    The family's start on the censoring values is poor where they are many
    (1980 left-censored values at one limit): a few passes replace each by its
    median under the current start, as long as the log-likelihood rises.
    """
    s, free = problem.sample, problem.free
    theta, best = problem.template, problem.objective(problem.template[free])
    exact_weights = np.ones(len(s.exact)) if s.exact_weights is None else s.exact_weights
    for _ in range(_IMPUTATIONS):
        values = _conditional_medians(family, theta, s.lo, s.hi)
        if values is None:
            break
        x = np.concatenate([s.exact, values])
        candidate = np.asarray(
            family.start(WeightedSample(x, np.r_[exact_weights, s.weights], family), fixed),
            dtype=float,
        )
        for name, value in fixed.items():
            candidate[family.param_names.index(name)] = value
        valid = all(g.contains(v) for g, v in zip(family.transforms, candidate, strict=True))
        value = problem.objective(candidate[free]) if valid else -np.inf
        if not value > best:
            break
        theta, best = candidate, value
    problem.template = theta


def censored_problem(family, fixed, free, sample):
    """The problem of a censored sample on the scale-free footing, with its starting values.

    Returns a :class:`CensoredProblem` with the attribute ``footing``, as
    ``column_problem`` does for an uncensored column.
    """
    check_identified(family, sample, {family.param_names[j] for j in free})
    inner, fixed, footing, pseudo = _footing(family, fixed, sample)
    theta0 = _start(family, fixed, footing, pseudo)
    problem = CensoredProblem(family, inner, terms_for(family), theta0, free)
    if not np.isfinite(problem.objective(theta0[free])):
        reported = footing.factor * theta0 + footing.shift
        raise ValueError(
            f"The censored {family.name} log-likelihood is not finite at the starting values "
            f"{reported.tolist()}: some observations lie outside the support there. Check "
            "the data, or hold the parameters that set the support with fixed={...}."
        )
    _refine_start(family, fixed, problem)
    footing.free = np.asarray(free, dtype=int)
    problem.footing = footing
    return problem


def _check_maximum(names, problem, result):
    """Report ``J`` as the information; warn and return () where θ̂ is not a regular maximum."""
    observed = problem.observed_information(result.theta)
    factor = SymmetricFactor(observed)
    result.information, result.factor = observed, factor
    if not (factor.negative or factor.deficient.size):
        return None
    kind = "not positive definite" if factor.negative else "singular"
    involved = [names[j] for j in factor.deficient] if factor.deficient.size else names
    warn(
        f"The observed information of the censored fit is {kind} at params_="
        f"{np.round(result.theta, 6).tolist()} (parameters {involved}): the point is not a "
        "regular maximum of the log-likelihood, so its standard errors are undefined. The fit "
        "is reported with converged_=False. The censored observations may not identify the "
        "parameters: hold some with fixed={...}, or add uncensored observations.",
        ConvergenceWarning,
    )
    return ()


def fit_censored(estimator, data, sample_weight):
    """Fit ``estimator`` (an MLEDistribution) to a CensoredData sample.

    Returns None after the fit, or ``(x, sample_weight)`` when nothing is
    informatively censored: the caller then fits the uncensored values as
    an array, so that the fit is the uncensored one exactly.
    """
    family, fixed = resolve_family(estimator.family, estimator.fixed)
    _refuse(family)
    sample = read_censored(data, sample_weight, family)
    if not len(sample.lo):
        return sample.exact, sample.exact_weights
    free = np.array([j for j, name in enumerate(family.param_names) if name not in fixed])
    reported = [ReportedProblem(censored_problem(family, fixed, free, sample))]
    names = [family.param_names[j] for j in free]
    model = Model(
        [reported[0].problem],
        names,
        sample.n,
        [(None, 0)],
        loop=partial(fit_columns, family, free, reported),
        diagnose=partial(_check_maximum, names),
        report=partial(report_limits, reported),
        collinear=None,
    )
    drive(estimator, model)
    estimator.n_features_in_ = 1
    estimator.family_ = family
    estimator.fixed_ = dict(fixed)
    estimator._column_params = [column_params(family, reported[0])]
    return None


def censored_log_likelihoods(family, columns, data):
    """Per-observation log-likelihood terms of a CensoredData sample at a fit's θ.

    ``columns`` holds the family's parameters of each fitted column (one
    allowed). In the order uncensored, left, right, interval: ``log f(x)``,
    ``log F(x)``, ``log S(x)``, ``log(F(b) − F(a))``.
    """
    if len(columns) != 1:
        raise ValueError(
            f"A CensoredData sample is one column; this fit has {len(columns)}. Pass an array "
            "with a column per fitted one."
        )
    theta = columns[0]
    x, left, right, interval = censored_arrays(data)
    lo = np.concatenate([np.full(len(left), -np.inf), right, interval[:, 0]])
    hi = np.concatenate([left, np.full(len(right), np.inf), interval[:, 1]])
    terms = terms_for(family)
    exact = interval[:, 0] == interval[:, 1]
    censored = terms.log_prob(lo, hi, theta)
    tail = censored[len(left) + len(right) :]
    tail[exact] = family.logpdf(interval[exact, 0], theta)
    censored[len(left) + len(right) :] = tail
    return np.concatenate([family.logpdf(x, theta), censored])
