"""Generalised linear models fitted by Fisher scoring."""

from ._conveniences import FisherGammaRegressor, FisherPoissonRegressor
from ._glm import FisherGLMRegressor
from ._logistic import FisherLogisticRegression

__all__ = [
    "FisherLogisticRegression",
    "FisherGLMRegressor",
    "FisherPoissonRegressor",
    "FisherGammaRegressor",
]
