"""Survival analysis: Cox proportional-hazards regression, with the Fisher contract.

``_targets`` reads the survival target (scikit-survival's structured array or
the columns ``[time, event]``) and the strata, ``_risksets`` sorts the rows into
risk sets, ``_problem`` is the log partial likelihood as a
:class:`~skfisher._scoring.ScoringProblem` (Breslow's and Efron's ties), ``_monotone``
the check for coefficients that diverge, ``_baseline`` the baseline hazard and
the curves, ``_concordance`` Harrell's C, ``_global_tests`` the tests of all
coefficients, ``_summary`` the table with the hazard ratios, ``_predict`` the
predictions and ``_estimator`` the scikit-learn estimator.
"""

from ._baseline import StepFunction
from ._estimator import FisherCoxRegressor

__all__ = ["FisherCoxRegressor", "StepFunction"]
