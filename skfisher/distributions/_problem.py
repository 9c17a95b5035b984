"""The log-likelihood of a sample under a family, as a ScoringProblem.

:class:`DistributionProblem` works in the reported (natural) parameters θ of
the free set; :class:`UnconstrainedProblem` presents the same log-likelihood in
``φ = g(θ)`` (log σ, logit p, ...), where Fisher scoring runs without leaving
the domain, and converts the loop's result back to θ. By the chain rule, with
``D = diag(dθ/dφ)``,

    U_φ = D U_θ,    I_φ = D I_θ D,

and the Newton decrement ``Uᵀ I⁻¹ U`` is the same in both. The reported
matrices and standard errors are those of θ (the delta method), as R's
``MASS::fitdistr`` reports them.
"""

import numpy as np
import scipy.linalg

from .._linalg import SymmetricFactor
from .._scoring import ScoringProblem, ScoringResult


class DistributionProblem(ScoringProblem):
    """``ℓ(θ) = Σ w log p(x; θ)`` over the free parameters of one column.

    Parameters
    ----------
    family : DistributionFamily
        The family.
    sample : WeightedSample
        The data.
    template : ndarray of shape (k,)
        All parameters; the entries at ``free`` are replaced by θ.
    free : ndarray of int
        Indices of the estimated parameters.
    """

    def __init__(self, family, sample, template, free):
        self.family = family
        self.sample = sample
        self.template = np.asarray(template, dtype=float)
        self.free = np.asarray(free, dtype=int)
        self.transforms = [family.transforms[j] for j in self.free]

    def full(self, theta):
        """All k parameters at the free values θ."""
        out = self.template.copy()
        out[self.free] = theta
        return out

    def objective(self, theta):
        if not all(g.contains(v) for g, v in zip(self.transforms, theta, strict=True)):
            return -np.inf
        value = self.family.total_loglik(self.sample, self.full(theta))
        return value if np.isfinite(value) else -np.inf

    def score_information(self, theta):
        full = self.full(theta)
        score = self.family.total_score(self.sample, full)[self.free]
        information = self.sample.n * np.asarray(self.family.information(full), dtype=float)
        return score, information[np.ix_(self.free, self.free)]

    def loglik(self, theta):
        return self.family.total_loglik(self.sample, self.full(theta))

    def observed_information(self, theta):
        return self.family.total_observed_information(self.sample, self.full(theta), self.free)

    def empirical_fisher(self, theta):
        return self.family.total_empirical_fisher(self.sample, self.full(theta), self.free)


class StackedProblem(ScoringProblem):
    """Independent problems side by side: θ concatenated, ℓ summed, matrices block-diagonal."""

    def __init__(self, problems):
        self.problems = problems
        sizes = [len(p.free) for p in problems]
        self._cuts = np.cumsum(sizes)[:-1]
        self.transforms = [g for p in problems for g in p.transforms]

    def _split(self, theta):
        return np.split(np.asarray(theta, dtype=float), self._cuts)

    def objective(self, theta):
        return sum(p.objective(t) for p, t in zip(self.problems, self._split(theta), strict=True))

    def loglik(self, theta):
        return sum(p.loglik(t) for p, t in zip(self.problems, self._split(theta), strict=True))

    def score_information(self, theta):
        parts = [
            p.score_information(t) for p, t in zip(self.problems, self._split(theta), strict=True)
        ]
        return np.concatenate([u for u, _ in parts]), scipy.linalg.block_diag(
            *[i for _, i in parts]
        )

    def observed_information(self, theta):
        pairs = zip(self.problems, self._split(theta), strict=True)
        return scipy.linalg.block_diag(*[p.observed_information(t) for p, t in pairs])

    def empirical_fisher(self, theta):
        pairs = zip(self.problems, self._split(theta), strict=True)
        return scipy.linalg.block_diag(*[p.empirical_fisher(t) for p, t in pairs])


class UnconstrainedProblem(ScoringProblem):
    """The natural problem seen in ``φ = g(θ)``; only the loop uses it.

    Parameters
    ----------
    natural : DistributionProblem or StackedProblem
        The log-likelihood in θ.
    """

    def __init__(self, natural):
        self.natural = natural
        self.transforms = natural.transforms

    def to_natural(self, phi):
        return np.array([g.to_natural(v) for g, v in zip(self.transforms, phi, strict=True)])

    def to_unconstrained(self, theta):
        return np.array(
            [g.to_unconstrained(v) for g, v in zip(self.transforms, theta, strict=True)]
        )

    def _jacobian(self, phi):
        return np.array([g.derivative(v) for g, v in zip(self.transforms, phi, strict=True)])

    def objective(self, phi):
        with np.errstate(over="ignore"):
            theta = self.to_natural(phi)
        return self.natural.objective(theta) if np.all(np.isfinite(theta)) else -np.inf

    def score_information(self, phi):
        d = self._jacobian(phi)
        score, information = self.natural.score_information(self.to_natural(phi))
        return d * score, information * np.outer(d, d)

    def loglik(self, phi):
        return self.natural.loglik(self.to_natural(phi))

    def natural_result(self, result):
        """Return the loop's result expressed in θ, with ``I_θ`` factorised for the covariance."""
        theta = self.to_natural(result.theta)
        score, information = self.natural.score_information(theta)
        return ScoringResult(
            theta=theta,
            objective=result.objective,
            score=score,
            information=information,
            factor=SymmetricFactor(information),
            decrement=result.decrement,
            n_iter=result.n_iter,
            converged=result.converged,
        )
