"""The censored log-likelihood of one sample as a ScoringProblem, stepped by Newton's method.

    ℓ(θ) = Σ_exact w log f(x) + Σ_left w log F(x) + Σ_right w log S(x)
           + Σ_interval w log(F(b) − F(a)).

The uncensored part is the family's own (the same formulas as an uncensored
fit); the censored terms come from ``_censored_terms``. The observed
information ``J = −∇²ℓ`` is analytic where both parts are (normal, logistic,
log-normal, Weibull, exponential); otherwise the censored part is a
fourth-order difference of its total (see ``NumericalTerms.hessian``), and
for Student's t and a generic ``scipy.stats`` distribution the uncensored
part is the family's own numerical observed information.

The loop steps with ``J`` (Newton's method) where it is positive definite;
elsewhere with ``|J|``, ``J`` with its eigenvalues made positive (a step
uphill that follows the curvature), or the empirical Fisher ``F = Σ w s sᵀ``
where ``J`` is not finite; a step longer than ``_MAX_STEP`` natural units is
shortened, and the line search keeps every step an ascent. No expected
information is computed: under censoring it depends on the censoring
mechanism (the censoring times of the uncensored observations, the
inspection schedule of the interval-censored ones), which the data do not
hold.
"""

import numpy as np

from .._linalg import SymmetricFactor
from .._scoring import ScoringProblem
from ..links import Identity
from ._sample import WeightedSample

# The longest step of the loop, in natural units (a factor e in a scale or shape).
_MAX_STEP = 2.0


class CensoredProblem(ScoringProblem):
    """``ℓ(θ)`` of a censored sample over the free parameters.

    Parameters
    ----------
    family : DistributionFamily
        The family (continuous).
    sample : CensoredSample
        The observations, on the problem's footing.
    terms : LocationScaleTerms or NumericalTerms
        The evaluator of the censored terms.
    template : ndarray of shape (k,)
        All parameters; the entries at ``free`` are replaced by θ.
    free : ndarray of int
        Indices of the estimated parameters.
    """

    def __init__(self, family, sample, terms, template, free):
        self.family = family
        self.sample = sample
        self.terms = terms
        self.template = np.asarray(template, dtype=float)
        self.free = np.asarray(free, dtype=int)
        self.transforms = [family.transforms[j] for j in self.free]
        self.exact = None
        if len(sample.exact):
            self.exact = WeightedSample(sample.exact, sample.exact_weights, family)
        self._memo = {}

    def full(self, theta):
        """All k parameters at the free values θ."""
        out = self.template.copy()
        out[self.free] = theta
        return out

    def _remember(self, name, theta, compute):
        key = (name, np.asarray(theta, dtype=float).tobytes())
        if key not in self._memo:
            if len(self._memo) > 16:
                self._memo.clear()
            self._memo[key] = compute(np.asarray(theta, dtype=float))
        return self._memo[key]

    def _censored_scores(self, theta):
        s = self.sample
        return self.terms.scores(s.lo, s.hi, self.full(theta), self.free)

    def loglik(self, theta):
        full = self.full(theta)
        s = self.sample
        value = 0.0 if self.exact is None else self.family.total_loglik(self.exact, full)
        with np.errstate(all="ignore"):
            value += float(s.weights @ self.terms.log_prob(s.lo, s.hi, full))
        return value

    def objective(self, theta):
        if not all(g.contains(v) for g, v in zip(self.transforms, theta, strict=True)):
            return -np.inf
        value = self.loglik(theta)
        return value if np.isfinite(value) else -np.inf

    def score(self, theta):
        return self._remember("score", theta, self._score)

    def _score(self, theta):
        total = self.sample.weights @ self._censored_scores(theta)
        if self.exact is not None:
            total = total + self.family.total_score(self.exact, self.full(theta))[self.free]
        return total

    def observed_information(self, theta):
        return self._remember("observed", theta, self._observed)

    def _observed(self, theta):
        full = self.full(theta)
        s = self.sample
        censored = -self.terms.hessian(s.lo, s.hi, s.weights, full, self.free)
        if self.exact is not None:
            censored = censored + self.family.total_observed_information(
                self.exact, full, self.free
            )
        return 0.5 * (censored + censored.T)  # symmetric to the last bit

    def empirical_fisher(self, theta):
        scores = self._censored_scores(theta)
        total = np.einsum("i,ij,ik->jk", self.sample.weights, scores, scores)
        if self.exact is not None:
            total = total + self.family.total_empirical_fisher(
                self.exact, self.full(theta), self.free
            )
        return total

    def information(self, theta):
        """The loop's information: ``J`` where positive definite, else ``|J|`` (or ``F``).

        Far from the maximum (a start on many censoring values) Newton's step
        can leap across the parameter space, to where the likelihood is flat;
        a step longer than ``_MAX_STEP`` natural units (see ``_units``) is
        shortened to that length by scaling the information up. Near the
        maximum the steps are short and the information is ``J`` itself.
        """
        information = self.observed_information(theta)
        factor = SymmetricFactor(information) if np.all(np.isfinite(information)) else None
        if factor is None or factor.negative or factor.deficient.size:
            if factor is None:
                information = self.empirical_fisher(theta)
                if not np.all(np.isfinite(information)):
                    return information
            else:
                information = _absolute(information)
            factor = SymmetricFactor(information)
        longest = float(np.max(np.abs(factor.solve(self.score(theta))) / self._units(theta)))
        return information * (longest / _MAX_STEP) if longest > _MAX_STEP else information

    def _units(self, theta):
        """Each free parameter's natural unit at θ: ``dθ/dφ`` on its unconstrained scale.

        For an unbounded parameter, the scale for a location and ``max(|θ|, 1)``
        otherwise.
        """
        full = self.full(theta)
        family = self.family
        units = []
        for j, g, value in zip(self.free, self.transforms, theta, strict=True):
            if not isinstance(g, Identity):
                units.append(g.derivative(g.to_unconstrained(value)))
            elif family.param_names[j] == family.location and family.scale is not None:
                units.append(full[family.param_names.index(family.scale)])
            else:
                units.append(max(abs(value), 1.0))
        return np.array(units)

    def score_information(self, theta):
        score, information = self.score(theta), self.information(theta)
        if not (np.all(np.isfinite(score)) and np.all(np.isfinite(information))):
            raise ValueError(
                f"The derivatives of the censored {self.family.name} log-likelihood are not "
                f"finite at {self.full(theta).tolist()} (in the fit's units, the data divided "
                "by a power of two): the fit ran to the edge of the parameter space, where "
                "the censored observations leave the likelihood flat. Hold some parameters "
                "with fixed={...}, or add uncensored observations."
            )
        return score, information


def _absolute(matrix):
    """``V |Λ| Vᵀ`` at unit diagonal, eigenvalues floored at 1e-6 of the largest."""
    d = np.sqrt(np.maximum(np.abs(np.diag(matrix)), np.finfo(float).tiny))
    values, vectors = np.linalg.eigh(matrix / np.outer(d, d))
    values = np.maximum(np.abs(values), 1e-6 * np.abs(values).max())
    return (vectors * values) @ vectors.T * np.outer(d, d)
