"""FisherMLE: a log-likelihood written by the user, fitted by skfisher's Fisher-scoring loop.

``_problem`` turns the user's per-row functions into a
:class:`~skfisher._scoring.ScoringProblem`, ``_numdiff`` differentiates what
is not given, ``_fit`` runs the loop and checks that its end is a maximum,
and ``_estimator`` is the scikit-learn estimator.
"""

from ._estimator import FisherMLE

__all__ = ["FisherMLE"]
