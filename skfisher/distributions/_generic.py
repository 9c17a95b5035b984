"""Any ``scipy.stats`` distribution as a family, with numerical derivatives.

What is exact and what is numerical on this path:

* the log-likelihood is exact: ``dist.logpdf`` (``logpmf``) summed with weights;
* the score is numerical: a five-point (Richardson) central difference of
  ``logpdf`` in each parameter, with a relative step of 1e-4 (relative error
  about 1e-10 for smooth densities);
* the expected information ``E[s sᵀ]`` is numerical: for a continuous
  distribution the trapezoidal rule on ``z = logit(F(x))`` over ``|z| ≤ 36``
  (721 nodes placed by ``ppf``/``isf``; the integrand decays like ``e^{−|z|}``,
  so the rule converges geometrically); for a discrete one an exact sum of
  ``pmf · s sᵀ`` over the support points between the 1e-15 and 1 − 1e-15
  quantiles, at most 2²⁰ of them (see ``_discrete_support_points``);
* the observed information is numerical: Richardson differences of the total
  numerical score;
* the starting values come from the distribution's own ``fit`` (continuous;
  on at most 5,000 points drawn with a fixed seed) or from ``scipy.stats.fit``
  (discrete, with bounds from the parameters' domains).

The cost is scipy's: each iteration evaluates ``logpdf`` at about
``4 k (n + 721)`` points for k free parameters (and ``pmf`` at up to 2²⁰
support points for a discrete family). Distributions whose density scipy
computes by a numerical integral per point are slow on this path:
``scipy.stats.levy_stable`` takes minutes for n = 30.

A support that moves with the parameters (``truncexpon``, ``uniform``,
``pareto``) puts the maximum of the likelihood where the support closes on
the data, a non-regular problem without Fisher information; such a fit is
refused with a ``ValueError`` (see ``ScipyFamily.check_unconverged``).

Parameters are the distribution's shape parameters in ``dist.shapes`` order,
then ``loc`` and ``scale`` (continuous). Shapes that must be integers and the
``loc`` of a discrete distribution are constants, set with ``fixed`` (``loc``
defaults to 0).
"""

import numpy as np
from scipy import optimize, stats
from scipy.special import expit

from .._numdiff import richardson_derivative
from .._validation import Support
from ..links import Identity, Log, Logit
from ._base import DistributionFamily

_Z_NODES = np.linspace(-36.0, 36.0, 721)
_START_POINTS = 5000
# The information of a discrete family sums over at most 2**20 support points.
_MAX_SUPPORT_DOUBLINGS = 20


def _seeded_optimizer(fun, bounds, **kwargs):
    """``scipy.stats.fit``'s default optimiser, seeded so that starting values repeat."""
    try:
        return optimize.differential_evolution(fun, bounds, rng=0, **kwargs)
    except TypeError:  # scipy < 1.15 calls the argument seed
        return optimize.differential_evolution(fun, bounds, seed=0, **kwargs)


def _discrete_support_points(frozen):
    """The support points between the 1e-15 and 1 − 1e-15 quantiles, at most 2²⁰ of them.

    The upper end is found by doubling steps of ``sf`` (twenty-one evaluations)
    rather than by scipy's ``isf``, which on a heavy tail (zipf with a = 2.5)
    builds an array over the whole range, 10⁸ points, before answering. Where
    the tail is heavier than 2²⁰ points hold, the sum stops there and leaves out
    ``sf(low + 2²⁰)`` of the probability (about 1e-9 for that zipf).
    """
    low = frozen.support()[0]
    if not np.isfinite(low):
        low = frozen.ppf(1e-15)
    offsets = 2.0 ** np.arange(_MAX_SUPPORT_DOUBLINGS + 1)
    with np.errstate(all="ignore"):
        tail = frozen.sf(low + offsets)
    beyond = np.flatnonzero(tail < 1e-15)
    last = offsets[beyond[0]] if beyond.size else offsets[-1]
    return np.arange(low, low + last + 1.0)


def _transform(domain):
    low, high = (float(v) for v in domain)
    low = 0.0 if 0.0 < low < 1e-300 else low
    if np.isfinite(low) and np.isfinite(high):
        return Logit(low, high)
    if np.isfinite(low):
        return Log(low)
    return Identity()


class ScipyFamily(DistributionFamily):
    """A ``scipy.stats`` distribution fitted with numerical derivatives.

    Parameters
    ----------
    dist : scipy.stats.rv_continuous or rv_discrete
        The distribution object, e.g. ``scipy.stats.gumbel_r``.
    constants : dict
        Values of the integer shapes (and the discrete ``loc``).
    fixed_names : set of str
        The parameters held fixed, whose derivatives are not needed.
    """

    def __init__(self, dist, constants=None, fixed_names=()):
        self.dist = dist
        self.name = dist.name
        self.discrete = isinstance(dist, stats.rv_discrete)
        info = dist._shape_info()
        self.constants = tuple(s.name for s in info if s.integrality) + (
            ("loc",) if self.discrete else ()
        )
        self.constant_values = {"loc": 0.0} if self.discrete else {}
        self.constant_values.update(constants or {})
        shapes = [s for s in info if not s.integrality]
        self.param_names = tuple(s.name for s in shapes) + (
            () if self.discrete else ("loc", "scale")
        )
        self.transforms = tuple(_transform(s.domain) for s in shapes) + (
            () if self.discrete else (Identity(), Log())
        )
        self.location = None if self.discrete else "loc"
        self.scale = None if self.discrete else "scale"
        self.fixed_names = set(fixed_names)
        self._shape_names = [s.name for s in info]
        self.support = Support(-np.inf, np.inf, integer=self.discrete)
        self._nodes = None

    def __repr__(self):
        return f"ScipyFamily({self.name})"

    def _args(self, theta):
        values = dict(self.constant_values)
        values.update(zip(self.param_names, theta, strict=True))
        shapes = [values[name] for name in self._shape_names]
        if self.discrete:
            return shapes, {"loc": values["loc"]}
        return shapes, {"loc": values["loc"], "scale": values["scale"]}

    def _logpdf(self, x, theta):
        shapes, kwargs = self._args(theta)
        method = self.dist.logpmf if self.discrete else self.dist.logpdf
        return method(x, *shapes, **kwargs)

    def to_scipy(self, theta):
        shapes, kwargs = self._args(theta)
        return self.dist(*shapes, **kwargs)

    def get_support(self, theta):
        low, high = self.to_scipy(theta).support()
        return Support(low, high, low_inclusive=True, high_inclusive=True, integer=self.discrete)

    def loglik(self, t, theta):
        return self._logpdf(t["x"], theta)

    def _steps(self, theta):
        steps = []
        for name, g, value in zip(self.param_names, self.transforms, theta, strict=True):
            if isinstance(g, Identity):
                size = abs(value) if name != "loc" else theta[self.param_names.index("scale")]
                steps.append(1e-4 * max(size, 1e-8))
            else:
                room = min(value - g.low, getattr(g, "high", np.inf) - value)
                steps.append(1e-4 * room)
        return steps

    def score(self, t, theta):
        theta = np.asarray(theta, dtype=float)
        x = t["x"]
        entries = []
        for j, h in enumerate(self._steps(theta)):
            if self.param_names[j] in self.fixed_names:
                entries.append(np.zeros_like(x))
                continue
            unit = np.zeros_like(theta)
            unit[j] = 1.0
            entries.append(
                richardson_derivative(lambda s, u=unit: self._logpdf(x, theta + s * u), 0.0, h)
            )
        return entries

    def information(self, theta):
        frozen = self.to_scipy(theta)
        if self.discrete:
            x = _discrete_support_points(frozen)
            weight = frozen.pmf(x)
        else:
            x, weight = self._quadrature(frozen)
        with np.errstate(all="ignore"):
            scores = np.column_stack(self.score({"x": x}, theta))
        ok = np.isfinite(x) & np.all(np.isfinite(scores), axis=1) & (weight > 0)
        S = scores[ok]
        return S.T @ (weight[ok][:, None] * S)

    def _quadrature(self, frozen):
        """Nodes and weights for ``E[g(X)]``, reusing the nodes of an earlier θ.

        With ``x_m = F_ref⁻¹(expit(z_m))`` the trapezoidal rule in ``z`` gives
        ``E_θ[g] ≈ Σ g(x_m) f_θ(x_m) dx_m``, ``dx_m = Δz expit'(z_m) / f_ref(x_m)``.
        The inverse CDF is slow for many distributions (a root-finder per node),
        so the nodes of the last θ are kept while the rule still integrates
        ``f_θ`` to 1 within 1e-12, which holds while θ stays near it.
        """
        if self._nodes is not None:
            x, dx = self._nodes
            with np.errstate(all="ignore"):
                weight = np.nan_to_num(frozen.pdf(x) * dx)
            if abs(weight.sum() - 1.0) < 1e-12:
                return x, weight
        z = _Z_NODES
        lower = z < 0
        x = np.empty_like(z)
        x[lower] = frozen.ppf(expit(z[lower]))
        x[~lower] = frozen.isf(expit(-z[~lower]))
        weight = expit(z) * expit(-z) * (z[1] - z[0])
        with np.errstate(all="ignore"):
            self._nodes = (x, weight / frozen.pdf(x))
        return x, weight

    def start(self, sample, fixed):
        x, weights = sample.x, sample.weights
        if sample.size > _START_POINTS or weights is not None:
            rng = np.random.default_rng(0)
            p = None if weights is None else weights / weights.sum()
            x = rng.choice(x, size=min(sample.size, _START_POINTS), p=p)
        if self.discrete:
            return self._start_discrete(x, fixed)
        kwargs = {}
        for name, value in fixed.items():
            key = {"loc": "floc", "scale": "fscale"}.get(name)
            kwargs[key or f"f{self._shape_names.index(name)}"] = value
        for name, value in self.constant_values.items():
            if name in self._shape_names:
                kwargs[f"f{self._shape_names.index(name)}"] = value
        fitted = self.dist.fit(x, **kwargs)
        values = dict(zip(self._shape_names + ["loc", "scale"], fitted, strict=True))
        return np.array([values[name] for name in self.param_names], dtype=float)

    def _start_discrete(self, x, fixed):
        bounds = {}
        for name, g in zip(self.param_names, self.transforms, strict=True):
            if name in fixed:
                bounds[name] = (fixed[name], fixed[name])
                continue
            low = getattr(g, "low", -1e3)
            high = getattr(g, "high", max(1e2, 10 * float(np.max(x))))
            bounds[name] = (low + 1e-6 * (1 + abs(low)), high - 1e-6 * (1 + abs(high)))
        for name, value in self.constant_values.items():
            bounds[name] = (value, value)
        result = stats.fit(self.dist, x, bounds=bounds, optimizer=_seeded_optimizer)
        values = dict(zip(self._shape_names + ["loc"], result.params, strict=True))
        return np.array([values[name] for name in self.param_names], dtype=float)

    def check_unconverged(self, sample, theta):
        """Raise ``ValueError`` when an end of the support at θ touches the data.

        Called when Fisher scoring did not converge: the likelihood then grows
        as the support closes on the data (the MLE of a truncexpon's loc is the
        smallest observation), and no information or standard error exists.
        """
        low, high = self.get_support(theta).low, self.get_support(theta).high
        room = 1e-6 * max(sample.high - sample.low, np.finfo(float).tiny)
        touching = [
            (end, value)
            for end, value, observed in (("lower", low, sample.low), ("upper", high, sample.high))
            if np.isfinite(value) and abs(observed - value) <= room
        ]
        if touching:
            end, _ = touching[0]
            raise ValueError(
                f"The {end} end of the support of scipy.stats.{self.name} closes on the data "
                "(within 1e-6 of their range of an observation): its likelihood grows as "
                "the support shrinks onto the sample, so the maximum lies where the support "
                "depends on the parameters, a non-regular problem without Fisher "
                "information or Wald standard errors. Hold the parameters that set the "
                "support fixed with fixed={...} at values whose support contains the data, "
                "or choose a family whose support does not depend on its parameters."
            )

    def check_sample(self, sample, free, fixed):
        if len(free) >= 2 and sample.is_constant():
            raise ValueError(
                f"All observations are equal ({sample.low!r}): the maximum-likelihood estimate "
                f"of the {self.name} parameters lies on the boundary of the parameter space, "
                "where standard errors are undefined. Hold parameters fixed with fixed={...}."
            )
