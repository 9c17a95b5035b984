"""A scale-free footing for the fit, and the fitted problem seen in the reported parameters.

A location-scale family satisfies ``X ~ F(loc, scale) ⇔ (X − m)/c ~ F((loc − m)/c,
scale/c)`` with the shapes unchanged, and ``log p(x) = log p'(x') − log c``. Before
the loop the data are divided by a power of two ``c`` near their robust spread
(the median absolute deviation, or the median of ``|x|`` for a scale family on
(0, ∞), of an evenly strided subsample of a long column) and, for a family with
a location, centred at ``m``: the iterations then see numbers near 1 whatever
the units (data × 10³⁰⁰ or × 10⁻²⁰⁰ alike, where ``scale²`` and ``1/scale³``
overflow), and the map back, ``θ = c θ' + m``, is exact because ``c`` is a
power of two. The matrices map by the chain rule, ``U = U'/c`` and
``I = I'/(c cᵀ)`` entry by entry.

A parameter whose estimate is at a limit of the family (Student-t ``df = ∞``)
is *pinned*: the loop leaves it out, and it is reported at the limit with a
zero score and a zero row and column of information (no standard error).
"""

import numpy as np

from .._linalg import SymmetricFactor
from .._scoring import ScoringProblem, ScoringResult

_TINY = np.finfo(float).tiny

# The robust spread is the median of an evenly strided subsample of at most this
# many values: the footing needs a power of two near the spread, not the exact
# median (whose partition of 10⁶ values cost more than the whole fit).
_SPREAD_SAMPLE = 1 << 14


class Footing:
    """The map between a column's loop parameters and its reported ones.

    Attributes
    ----------
    scale : float
        The power of two ``c`` the data were divided by (1: none).
    factor : ndarray of shape (k,)
        ``c`` at the location and scale, 1 at the shapes.
    shift : ndarray of shape (k,)
        ``c m`` at the location, 0 elsewhere.
    offset : float
        ``ℓ − ℓ' = −Σw log c`` for a density (0 for a pmf).
    pinned : dict
        Parameters held at a limit of the family, by name.
    message : str or None
        Why they are pinned.
    free : ndarray of int
        The reported free parameters (pinned ones included).
    moved : bool
        Whether the data were rescaled or shifted.
    """

    def __init__(self, k):
        self.scale = 1.0
        self.factor = np.ones(k)
        self.shift = np.zeros(k)
        self.offset = 0.0
        self.pinned = {}
        self.message = None
        self.free = None
        self.moved = False


def _power_of_two_near(spread):
    """The power of two in (spread/2, spread]; 1 when ``spread`` is 0 or not finite."""
    if not (np.isfinite(spread) and spread > 0):
        return 1.0
    return float(np.ldexp(1.0, np.frexp(spread)[1] - 1))


def standardise(family, fixed, x, weights):
    """Return ``(x', fixed', footing)``: the data and held values on the scale-free footing.

    Parameters
    ----------
    family : DistributionFamily
        A family with ``scale`` (a parameter name) is rescaled; one with
        ``location`` is also centred, at the held location or the mean.
    fixed : dict
        The held parameters, in the reported units.
    x : ndarray of shape (n,)
        The column, finite and inside the support.
    weights : ndarray of shape (n,) or None
        Positive frequency weights.
    """
    names = family.param_names
    footing = Footing(len(names))
    fixed = dict(fixed)
    if family.scale is not None and not family.discrete:
        sample = x[:: max(1, len(x) // _SPREAD_SAMPLE)]
        centre = float(np.median(sample)) if family.location is not None else 0.0
        spread = float(np.median(np.abs(sample - centre)))
        if not spread > 0:
            spread = float(np.abs(x - centre).max())
        c = _power_of_two_near(spread)
        if c != 1.0:
            x = x / c
            footing.scale = c
            footing.moved = True
            footing.factor[names.index(family.scale)] = c
            if family.location is not None:
                footing.factor[names.index(family.location)] = c
            n = float(len(x)) if weights is None else float(weights.sum())
            footing.offset = -n * np.log(c)
            if family.scale in fixed:
                fixed[family.scale] = fixed[family.scale] / c
    if family.location is not None:
        # Centre the data: the problem's loc is then loc − m (see DistributionFamily).
        loc = family.location
        m = fixed[loc] / footing.scale if loc in fixed else float(np.average(x, weights=weights))
        x = x - m
        footing.moved = True
        footing.shift[names.index(loc)] = footing.scale * m
        if loc in fixed:
            fixed[loc] = 0.0
    return x, fixed, footing


class ReportedProblem(ScoringProblem):
    """One column's fitted problem seen in the reported parameters of its free set.

    Parameters
    ----------
    problem : DistributionProblem
        The problem on the standardised data, from ``column_problem``.
    """

    def __init__(self, problem):
        self.problem = problem
        footing = problem.footing
        self.footing = footing
        self.free = footing.free
        family = problem.family
        self.transforms = [family.transforms[j] for j in self.free]
        self.factor = footing.factor[self.free]
        self.shift = footing.shift[self.free]
        self._inner = np.flatnonzero(np.isin(self.free, problem.free))
        self._pinned = np.flatnonzero(~np.isin(self.free, problem.free))
        self._pinned_values = np.array(
            [footing.pinned[family.param_names[j]] for j in self.free[self._pinned]], dtype=float
        )
        self.inner = problem.template[problem.free]
        self._inner_information = None

    def reported(self, inner_theta):
        """Return the reported free parameters at the loop's θ' (and remember θ' as ``inner``)."""
        inner_theta = np.asarray(inner_theta, dtype=float)
        theta = np.empty(len(self.free))
        theta[self._pinned] = self._pinned_values
        i = self._inner
        theta[i] = self.factor[i] * inner_theta + self.shift[i]
        self.inner = inner_theta.copy()
        return theta

    def _to_inner(self, theta):
        # Everything reported is evaluated at the float64 θ that is reported
        # (after the centring's ``+ m`` rounded it), not at the loop's θ'.
        theta = np.asarray(theta, dtype=float)
        i = self._inner
        return (theta[i] - self.shift[i]) / self.factor[i]

    def _vector(self, inner):
        out = np.zeros(len(self.free))
        out[self._inner] = inner
        return out / self.factor

    def _matrix(self, inner):
        out = np.zeros((len(self.free), len(self.free)))
        out[np.ix_(self._inner, self._inner)] = inner
        # Divided one factor at a time: c·c itself may leave float64's range.
        with np.errstate(over="ignore", under="ignore"):
            return out / self.factor[:, None] / self.factor[None, :]

    def objective(self, theta):
        return self.problem.objective(self._to_inner(theta)) + self.footing.offset

    def loglik(self, theta):
        return self.problem.loglik(self._to_inner(theta)) + self.footing.offset

    def score_information(self, theta):
        score, information = self.problem.score_information(self._to_inner(theta))
        self._inner_information = information
        return self._vector(score), self._matrix(information)

    def observed_information(self, theta):
        return self._matrix(self.problem.observed_information(self._to_inner(theta)))

    def empirical_fisher(self, theta):
        return self._matrix(self.problem.empirical_fisher(self._to_inner(theta)))

    def check_representable(self):
        """Raise ``ValueError`` when the reported matrices leave float64's range.

        ``I = I'/c²`` overflows or underflows once ``c`` is beyond about 10¹⁵⁰
        or below 10⁻¹⁵⁰ (the covariance, ``c² I'⁻¹``, the other way round).
        Checked on the information of the last ``score_information``.
        """
        if self.footing.scale == 1.0:
            return
        inner = self._inner_information
        information = self._matrix(inner)
        factor = self.factor[self._inner]
        with np.errstate(over="ignore", under="ignore"):
            covariance = np.linalg.pinv(inner) * factor[:, None] * factor[None, :]
        lost = (inner != 0) & (np.abs(information[np.ix_(self._inner, self._inner)]) < _TINY)
        if np.all(np.isfinite(information)) and np.all(np.isfinite(covariance)) and not lost.any():
            return
        c = self.footing.scale
        raise ValueError(
            f"The data of the {self.problem.family.name} fit have a spread of about {c:.3g}: "
            f"the information (about 1/{c:.3g}² per observation) and the covariance (about "
            f"{c:.3g}²) of its location and scale are beyond float64's range (1e-308 to "
            f"1.8e308). The estimates themselves are fine on a rescaled footing: fit "
            f"X / {c:.3g} and multiply the location, the scale and their standard errors "
            f"by {c:.3g}."
        )


def reported_result(reported, columns, theta, n_iter, converged):
    """Return the :class:`ScoringResult` at the reported θ: score, information, decrement.

    ``reported`` is the problem of all columns, ``columns`` the
    :class:`ReportedProblem` of each, whose matrices are checked to be
    representable. ``converged`` is the loop's claim; it holds only if the
    Newton decrement at the reported parameters is below ``tol²`` (checked by
    the caller).
    """
    score, information = reported.score_information(theta)
    for column in columns:
        column.check_representable()
    factor = SymmetricFactor(information)
    decrement = max(float(score @ factor.solve(score)), 0.0)
    return ScoringResult(
        theta=theta,
        objective=float(reported.objective(theta)),
        score=score,
        information=information,
        factor=factor,
        decrement=decrement,
        n_iter=n_iter,
        converged=converged,
    )
