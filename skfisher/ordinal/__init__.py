"""Ordinal regression: cumulative-link models for ordered classes, with the Fisher contract.

``_problem`` is the log-likelihood of the model as a
:class:`~skfisher._scoring.ScoringProblem` (its loop takes Newton's steps,
:mod:`skfisher._newton`), ``_links`` the distributions F beyond those of :mod:`skfisher.links`,
``_separation`` the check for estimates that do not exist, ``_targets`` the
order of the classes, ``_threshold_profile`` its profile likelihoods,
``_proportional_odds`` the score test of parallel lines, ``_intervals`` the
intervals of predicted probabilities, ``_margins`` the marginal effects on each
class probability, and ``_estimator`` the scikit-learn classifier.
"""

from ._estimator import FisherOrdinalRegression

__all__ = ["FisherOrdinalRegression"]
