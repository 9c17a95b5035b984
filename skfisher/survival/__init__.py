"""Survival analysis: Cox and accelerated-failure-time regression, with the Fisher contract.

``_targets`` reads the survival target (scikit-survival's structured array or
the columns ``[time, event]``) and the strata, ``_risksets`` sorts the rows into
risk sets, ``_problem`` is the log partial likelihood as a
:class:`~skfisher._scoring.ScoringProblem` (Breslow's and Efron's ties), ``_firth``
Firth's penalised partial likelihood, ``_monotone`` the check for coefficients
that diverge, ``_baseline`` the baseline hazard and
the curves, ``_concordance`` Harrell's C, ``_global_tests`` the tests of all
coefficients, ``_summary`` the table with the hazard ratios, ``_predict`` the
predictions and ``_estimator`` the scikit-learn estimator.

The accelerated-failure-time model (``FisherSurvivalRegressor``, R's
``survreg``): ``_aft_distributions`` the laws of the error term (Weibull,
exponential, log-normal, log-logistic), ``_aft_problem`` the censored
log-likelihood as a scoring problem, ``_aft_predict`` the quantiles, their
intervals and the curves, and ``_aft_estimator`` the estimator.
"""

from ._aft_estimator import FisherSurvivalRegressor
from ._baseline import StepFunction
from ._estimator import FisherCoxRegressor

__all__ = ["FisherCoxRegressor", "FisherSurvivalRegressor", "StepFunction"]
