"""Univariate distributions fitted by Fisher scoring, and the Cramér–Rao bound.

:class:`MLEDistribution` fits a family by maximum likelihood and exposes the
expected, observed and empirical information. The analytic families live in
:mod:`~skfisher.distributions.continuous` and
:mod:`~skfisher.distributions.discrete`; any other ``scipy.stats`` distribution
is fitted through :class:`ScipyFamily` with numerical derivatives.
"""

from ._base import DistributionFamily
from ._estimator import MLEDistribution
from ._generic import ScipyFamily
from ._registry import FAMILIES, cramer_rao_bound
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

__all__ = [
    "FAMILIES",
    "Bernoulli",
    "Beta",
    "Binomial",
    "DistributionFamily",
    "Exponential",
    "Gamma",
    "Geometric",
    "InverseGaussian",
    "LogNormal",
    "Logistic",
    "MLEDistribution",
    "NegativeBinomial",
    "Normal",
    "Poisson",
    "ScipyFamily",
    "StudentT",
    "VonMises",
    "Weibull",
    "cramer_rao_bound",
]

# The families by every name they answer to, for the command line (not in __all__).
from ._registry import ALIASES  # noqa: E402, F401
