"""Inference beyond standard errors: Wald, likelihood-ratio, score and information-matrix tests.

Every function takes fitted skfisher estimators (anything with the Fisher
contract: ``params_``, ``param_names_``, ``covariance_``, ``information_``,
``observed_information_``, ``empirical_fisher_``, ``loglik_``, ``nobs_``).
``predict_interval``, ``predict_proba_interval`` and ``marginal_effects`` also
take a fitted ``Pipeline`` (or search) whose last step is a skfisher estimator.
"""

# The check of the Fisher contract, for skfisher.plotting (not in __all__).
from ._checks import check_fisher_fitted  # noqa: F401
from ._classical import lr_test, wald_test
from ._compare import Comparison, compare_with_statsmodels
from ._information_matrix import information_matrix_test
from ._overdispersion import MixtureChiSquareResult, overdispersion_test
from ._pipeline import marginal_effects, predict_interval, predict_proba_interval
from ._result import ChiSquareResult, ScreeningResult
from ._score import score_screen, score_test
from ._vuong import VuongResult, vuong_test

__all__ = [
    "ChiSquareResult",
    "Comparison",
    "MixtureChiSquareResult",
    "ScreeningResult",
    "VuongResult",
    "compare_with_statsmodels",
    "information_matrix_test",
    "lr_test",
    "marginal_effects",
    "overdispersion_test",
    "predict_interval",
    "predict_proba_interval",
    "score_screen",
    "score_test",
    "vuong_test",
    "wald_test",
]
