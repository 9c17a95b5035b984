"""The GLMs' part of profile likelihood; the engine is :mod:`skfisher._profile`.

What is particular to the GLMs is the scale of their objective: a family with
a dispersion (gaussian, gamma, inverse Gaussian, Tweedie) runs its loop at a
fixed φ₀ with the objective ``−D/(2φ₀)`` and reports at the Pearson φ̂, so the
profile holds φ at φ̂ with ``LR(b) = [D̃(b) − D̂] / φ̂`` (as R's ``confint.glm``
and ``anova(..., test="Chisq")``): ``φ₀/φ̂`` times twice the objective
difference. The functions here are the engine's with that scale.
"""

from .._profile import FixedProblem, LikelihoodProfile
from .._profile import lr_pvalues as _lr_pvalues
from .._profile import lr_tests as _lr_tests
from .._profile import profile_conf_int as _profile_conf_int

__all__ = [
    "FixedProblem",
    "LikelihoodProfile",
    "glm_objective_scale",
    "lr_pvalues",
    "lr_tests",
    "profile_conf_int",
]


def glm_objective_scale(problem):
    """Return ``φ₀/φ̂`` for a GLM problem (its ``loop_phi`` and ``phi``), else 1.

    A problem that declares ``objective_scale()`` gives it itself.
    """
    declared = getattr(problem, "objective_scale", None)
    if declared is not None:
        return float(declared())
    loop_phi = getattr(problem, "loop_phi", None)
    return 1.0 if loop_phi is None else float(loop_phi) / float(problem.phi)


def profile_conf_int(estimator, alpha):
    """Return profile-likelihood intervals at level ``1 − alpha``, shape (k, 2)."""
    return _profile_conf_int(estimator, alpha, objective_scale=glm_objective_scale)


def lr_pvalues(estimator):
    """Return the likelihood-ratio p-value of ``θ_j = 0`` for every parameter, shape (k,)."""
    return _lr_pvalues(estimator, objective_scale=glm_objective_scale)


def lr_tests(estimator):
    """Return the statistics ``LR_j`` of ``θ_j = 0`` and their χ²₁ p-values, each (k,)."""
    return _lr_tests(estimator, objective_scale=glm_objective_scale)
