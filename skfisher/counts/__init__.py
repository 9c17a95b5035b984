"""Count models with a zero part: zero-inflated and hurdle regressions, with the Fisher contract.

``_distributions`` holds the count distributions (Poisson, NB2) per row,
``_mixture`` the per-row log-likelihoods of the zero-inflated, hurdle, plain
and zero-truncated models with their derivatives and expected information,
``_problem`` their total as a :class:`~skfisher._scoring.ScoringProblem`,
``_fit`` the starts, the loop and the boundary diagnostics, ``_inputs`` the
checks of the data, ``_base`` what the two estimators share, and
``_zero_inflated`` and ``_hurdle`` the estimators.
"""

from ._hurdle import FisherHurdleRegressor
from ._zero_inflated import FisherZeroInflatedRegressor

__all__ = ["FisherHurdleRegressor", "FisherZeroInflatedRegressor"]
