"""Generalised linear models fitted by Fisher scoring."""

from ._logistic import FisherLogisticRegression

__all__ = ["FisherLogisticRegression"]
