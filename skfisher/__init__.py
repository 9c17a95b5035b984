"""skfisher: maximum-likelihood estimators fitted by Fisher scoring, for scikit-learn.

Every estimator exposes, after ``fit``, the expected (Fisher) information, the
observed information, the empirical Fisher, the covariance they imply and the
standard errors.
"""

from importlib.metadata import PackageNotFoundError, version

from ._likelihood import FisherMLE
from .counts import FisherHurdleRegressor, FisherZeroInflatedRegressor
from .distributions import MLEDistribution
from .linear_model import (
    FisherGammaRegressor,
    FisherGLMRegressor,
    FisherLogisticRegression,
    FisherPoissonRegressor,
    TweedieProfile,
    tweedie_profile,
)
from .ordinal import FisherOrdinalRegression
from .survival import FisherCoxRegressor, FisherSurvivalRegressor

try:
    __version__ = version("skfisher")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "FisherLogisticRegression",
    "FisherGLMRegressor",
    "FisherPoissonRegressor",
    "FisherGammaRegressor",
    "FisherOrdinalRegression",
    "FisherZeroInflatedRegressor",
    "FisherHurdleRegressor",
    "FisherCoxRegressor",
    "FisherSurvivalRegressor",
    "MLEDistribution",
    "FisherMLE",
    "tweedie_profile",
    "TweedieProfile",
    "__version__",
]
