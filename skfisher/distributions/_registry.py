"""Family names, the resolution of ``family`` and ``fixed``, and the Cramér–Rao bound."""

import numpy as np
from scipy import stats

from ._base import DistributionFamily
from ._generic import ScipyFamily
from .continuous import (
    Beta,
    Exponential,
    Gamma,
    InverseGaussian,
    Logistic,
    LogNormal,
    Normal,
    StudentT,
    VonMises,
    Weibull,
)
from .discrete import Bernoulli, Binomial, Geometric, NegativeBinomial, Poisson

FAMILIES = {
    cls.name: cls
    for cls in (
        Normal,
        LogNormal,
        Exponential,
        Gamma,
        Weibull,
        Beta,
        Logistic,
        StudentT,
        InverseGaussian,
        VonMises,
        Poisson,
        NegativeBinomial,
        Geometric,
        Bernoulli,
        Binomial,
    )
}

# scipy.stats names and common spellings of the same families.
ALIASES = {
    "gaussian": "normal",
    "norm": "normal",
    "lognorm": "lognormal",
    "expon": "exponential",
    "weibull_min": "weibull",
    "t": "student_t",
    "invgauss": "inverse_gaussian",
    "vonmises": "von_mises",
    "nbinom": "negative_binomial",
    "geom": "geometric",
    "binom": "binomial",
}


def resolve_family(family, fixed):
    """Return the family instance and the dict of held parameter values.

    Parameters
    ----------
    family : str, DistributionFamily or scipy.stats distribution
        What ``MLEDistribution(family=...)`` received.
    fixed : dict or None
        Held parameters, constants (the binomial's ``n``) included.

    Returns
    -------
    family : DistributionFamily
        A new instance carrying its constants.
    fixed : dict
        The held parameters that are not constants, as floats.
    """
    fixed = {str(k): v for k, v in (fixed or {}).items()}
    if isinstance(family, ScipyFamily):
        return _resolve_scipy(family.dist, fixed)
    if isinstance(family, stats.rv_continuous | stats.rv_discrete):
        return _resolve_scipy(family, fixed)
    if isinstance(family, DistributionFamily):
        cls = type(family)
        constants = {c: getattr(family, c) for c in cls.constants}
    elif isinstance(family, str):
        key = ALIASES.get(family.lower(), family.lower())
        if key not in FAMILIES:
            raise ValueError(
                f"Unknown family {family!r}. Known families: {', '.join(sorted(FAMILIES))} "
                "(or a scipy.stats distribution object such as scipy.stats.gumbel_r)."
            )
        cls, constants = FAMILIES[key], {}
    else:
        raise ValueError(
            "family must be a family name, a skfisher.distributions family or a scipy.stats "
            f"distribution object (not a frozen one); got {family!r}."
        )
    constants.update({c: fixed.pop(c) for c in cls.constants if c in fixed})
    missing = [c for c in cls.constants if c not in constants]
    if missing:
        raise ValueError(
            f"The {cls.name} family needs the known constant(s) {missing}: pass them "
            f"with fixed, e.g. fixed={{{missing[0]!r}: 10}}."
        )
    _check_constants(cls.name, constants)
    family = cls(**constants)
    return family, _check_fixed(family, fixed)


def _resolve_scipy(dist, fixed):
    probe = ScipyFamily(dist)
    constants = {c: fixed.pop(c) for c in probe.constants if c in fixed}
    missing = [c for c in probe.constants if c not in constants and c != "loc"]
    if missing:
        raise ValueError(
            f"The parameters {missing} of scipy.stats.{dist.name} take integer values and "
            f"cannot be estimated by Fisher scoring: hold them with fixed={{{missing[0]!r}: ...}}."
        )
    family = ScipyFamily(dist, constants=constants, fixed_names=set(fixed))
    return family, _check_fixed(family, fixed)


def _check_constants(name, constants):
    n = constants.get("n")
    if n is not None and not (float(n) == int(n) and int(n) >= 1):
        raise ValueError(f"The {name} number of trials n must be a positive integer; got {n!r}.")


def _check_fixed(family, fixed):
    names = family.param_names
    unknown = sorted(set(fixed) - set(names))
    if unknown:
        raise ValueError(
            f"fixed names {unknown}, which are not parameters of the {family.name} family; "
            f"its parameters are {list(names)}."
        )
    out = {}
    for name, value in fixed.items():
        transform = family.transforms[names.index(name)]
        value = float(value)
        if not transform.contains(value):
            raise ValueError(
                f"fixed[{name!r}] must be {transform} for the {family.name} family; got {value!r}."
            )
        out[name] = value
    if len(out) == len(names):
        raise ValueError(
            f"fixed holds every parameter of the {family.name} family ({list(names)}); "
            "leave at least one to estimate."
        )
    return out


def cramer_rao_bound(family, params, n=1, *, fixed=None):
    """Return the Cramér–Rao lower bound ``I(θ)⁻¹ / n`` for a sample of size ``n``.

    The inverse of the expected information of ``n`` independent observations:
    the smallest covariance an unbiased estimator of the free parameters can
    have, and the large-sample covariance of the maximum-likelihood estimate
    (what ``MLEDistribution(cov_type="fisher")`` reports at θ̂). Standard errors
    shrink like ``1/sqrt(n)``, so the sample size for a target standard error
    ``se`` of parameter ``j`` is ``n · (sqrt(bound[j, j]) / se)²``.

    Parameters
    ----------
    family : str, DistributionFamily or scipy.stats distribution
        As in :class:`~skfisher.distributions.MLEDistribution`.
    params : dict or array-like
        The parameter values: a dict by name, or all parameters in the
        family's order (``param_names``); held parameters may be included.
    n : float, default=1
        The sample size.
    fixed : dict, default=None
        Parameters held fixed (they are not estimated, so they leave the
        bound) and constants such as the binomial's ``n``.

    Returns
    -------
    bound : ndarray of shape (k, k)
        The covariance bound of the free parameters, in ``param_names`` order.

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher.distributions import cramer_rao_bound
    >>> bound = cramer_rao_bound("normal", {"loc": 0.0, "scale": 2.0}, n=100)
    >>> np.sqrt(np.diag(bound)).round(4)
    array([0.2   , 0.1414])
    """
    if not n > 0:
        raise ValueError(f"n must be positive; got {n!r}.")
    family, held = resolve_family(family, fixed)
    names = family.param_names
    if isinstance(params, dict):
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(f"params names {unknown}, not parameters of {list(names)}.")
        values = {**params, **held}
        missing = [name for name in names if name not in values]
        if missing:
            raise ValueError(f"params lacks a value for {missing}.")
        theta = np.array([values[name] for name in names], dtype=float)
    else:
        theta = np.asarray(params, dtype=float).ravel()
        if theta.shape != (len(names),):
            raise ValueError(
                f"params must have {len(names)} values {list(names)}; got {theta.size}."
            )
    for name, g, value in zip(names, family.transforms, theta, strict=True):
        if not g.contains(value):
            raise ValueError(f"params[{name!r}] must be {g}; got {value!r}.")
    free = [j for j, name in enumerate(names) if name not in held]
    information = n * np.asarray(family.information(theta), dtype=float)[np.ix_(free, free)]
    return np.linalg.inv(information)
