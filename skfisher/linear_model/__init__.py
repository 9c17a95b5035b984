"""Generalised linear models fitted by Fisher scoring."""

from ._conveniences import FisherGammaRegressor, FisherPoissonRegressor
from ._glm import FisherGLMRegressor
from ._logistic import FisherLogisticRegression
from ._tweedie_profile import TweedieProfile, tweedie_profile

__all__ = [
    "FisherLogisticRegression",
    "FisherGLMRegressor",
    "FisherPoissonRegressor",
    "FisherGammaRegressor",
    "TweedieProfile",
    "tweedie_profile",
]
