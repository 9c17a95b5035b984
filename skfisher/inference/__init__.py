"""Inference beyond standard errors: Wald, likelihood-ratio, score and information-matrix tests.

Every function takes fitted skfisher estimators (anything with the Fisher
contract: ``params_``, ``param_names_``, ``covariance_``, ``information_``,
``observed_information_``, ``empirical_fisher_``, ``loglik_``, ``nobs_``).
"""

from ._classical import lr_test, wald_test
from ._compare import Comparison, compare_with_statsmodels
from ._information_matrix import information_matrix_test
from ._result import ChiSquareResult, ScreeningResult
from ._score import score_screen, score_test

__all__ = [
    "ChiSquareResult",
    "Comparison",
    "ScreeningResult",
    "compare_with_statsmodels",
    "information_matrix_test",
    "lr_test",
    "score_screen",
    "score_test",
    "wald_test",
]
