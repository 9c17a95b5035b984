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

:func:`column_problem` checks one column of data against a family (finite,
inside the support, enough observations, an MLE off the boundary) and builds
its problem from the family's starting values.
"""

import numpy as np
import scipy.linalg

from .._scoring import ScoringProblem
from .._validation import check_support
from ._footing import standardise
from ._sample import WeightedSample


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


def column_problem(family, fixed, free, x, weights):
    """Check one column of data against the family and set up its problem.

    Parameters
    ----------
    family : DistributionFamily
        The family, with its constants.
    fixed : dict
        The held parameters.
    free : ndarray of int
        Indices of the estimated parameters.
    x : ndarray of shape (n,)
        The column.
    weights : ndarray of shape (n,) or None
        Frequency weights; rows of weight 0 are dropped.

    Returns
    -------
    problem : DistributionProblem
        On the standardised data ``(x − shift)/scale`` (see :func:`standardise`),
        with the starting values as its template. Its attribute ``footing``
        (a :class:`Footing`) maps its parameters to the reported ones; ``free``
        leaves out the parameters whose estimate is at a limit of the family
        (``footing.pinned``).
    """
    owner = f"The {family.name} family"
    dropped = weights is not None and np.any(weights == 0)
    screened = family.sufficient and family.screens_support and not dropped
    extremes = None if screened else _check_support_fast(x, family.support, owner)
    if dropped:
        keep = weights > 0
        x, weights, extremes = x[keep], weights[keep], None
    if screened and not np.isfinite(float(np.sum(x))):
        _check_support_fast(x, family.support, owner)  # raises, naming the values
    original = x
    x, fixed, footing = standardise(family, fixed, x, weights)
    sample = WeightedSample(x, weights, family, extremes=None if footing.moved else extremes)
    if screened:
        stats = sample.statistics()
        if not all(np.isfinite(stats.sum(name)) for name in stats.values):
            _check_support_fast(original, family.support, owner)  # raises, naming the values
    names = [family.param_names[j] for j in free]
    if sample.size < len(free):
        raise ValueError(
            f"MLEDistribution needs at least {len(free)} samples to estimate the "
            f"{len(free)} free parameters {names} of the {family.name} family; got "
            f"{sample.size} sample{'s' if sample.size != 1 else ''} with positive weight."
        )
    family.check_sample(sample, set(names), fixed)
    limit = family.limit(sample, set(names), fixed)
    if limit is not None:
        footing.pinned, footing.message = limit
        fixed = {**fixed, **footing.pinned}
    theta0 = np.asarray(family.start(sample, fixed), dtype=float)
    for name, value in fixed.items():
        theta0[family.param_names.index(name)] = value
    bad = [
        name
        for name, g, value in zip(family.param_names, family.transforms, theta0, strict=True)
        if name not in footing.pinned and not g.contains(value)
    ]
    if bad:
        raise ValueError(
            f"No valid starting values for {bad} of the {family.name} family on these data "
            f"(got {theta0.tolist()}); hold them with fixed={{...}} or check the data."
        )
    support = family.get_support(theta0)  # depends on θ for a generic scipy family
    if not np.all(support.contains(np.array([sample.low, sample.high]))):
        # Named in the data's own units: the support at the reported θ₀.
        reported = footing.factor * theta0 + footing.shift
        check_support(original, family.get_support(reported), what="X", owner=owner)
    loop_free = [j for j in free if family.param_names[j] not in footing.pinned]
    problem = DistributionProblem(family, sample, theta0, loop_free)
    footing.free = np.asarray(free, dtype=int)
    problem.footing = footing
    return problem


def _check_support_fast(x, support, owner):
    """Check finiteness and ``support`` from the extremes (one pass each); return them."""
    low, high = float(x.min()), float(x.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        kind = "NaN" if np.isnan(low) or np.isnan(high) else "infinity"
        raise ValueError(
            f"Input X contains {kind}; MLEDistribution needs finite observations. "
            "Remove or impute the non-finite values."
        )
    inside = bool(np.all(support.contains(np.array([low, high]))))
    if not inside or (support.integer and not np.array_equal(x, np.floor(x))):
        check_support(x, support, what="X", owner=owner)
    return low, high
