"""The distribution family base class: a family declares, the base derives.

A family declares its parameters (in the ``scipy.stats`` parameterisation), the
support of the data, starting values, the per-observation expected information
and two formulas, the log-likelihood and the score, written on a *statistics
view* ``t``. The same formula then serves two purposes:

* on :class:`PointStatistics` (``t.n = 1``, ``t.sum(name)`` the per-observation
  values ``T(x_i)``, ``t.css(...) = 0``) it gives ``log p(x_i; θ)`` and the
  per-observation score ``s_i``, element-wise;
* on :class:`SampleStatistics` (``t.n = Σw``, ``t.sum(name) = Σ w T(x)`` and
  the centred cross-products ``t.css(a, b) = Σ w (T_a − m_a)(T_b − m_b)``) it
  gives the totals ``ℓ(θ)`` and ``U(θ)`` directly. Families whose
  log-likelihood is linear in ``T`` (exponential families) set
  ``sufficient = True``: the statistics are summed once and every Fisher-scoring
  iteration then costs O(1), whatever the sample size.

From these the base derives ``logpdf``, ``score_obs``, the totals, the observed
information (from an optional analytic ``hessian``, otherwise by Richardson
central differences of the analytic score) and the empirical Fisher (from the
centred cross-products when the family declares ``score_matrix``, the
derivative of the affine map ``T(x) ↦ s(x)``; otherwise from ``score_obs``).
"""

import numpy as np

from .._numdiff import richardson_jacobian
from .._validation import Support
from ._sample import PointStatistics, _dot


def boundary_error(family, param, reason):
    """The ``ValueError`` for a maximum-likelihood estimate on the parameter boundary."""
    return ValueError(
        f"The maximum-likelihood estimate of the {family.name} {param} lies on the boundary "
        f"of the parameter space ({reason}), where the information is infinite or singular "
        "and Wald standard errors are undefined. Check the data, hold the parameter fixed "
        "with fixed={...}, or choose another family."
    )


# --- The family base class --------------------------------------------------------------


class DistributionFamily:
    """Base class of the univariate families fitted by :class:`MLEDistribution`.

    Subclasses set the class attributes and implement ``start``, ``loglik``,
    ``score``, ``information`` and ``to_scipy``; ``statistics``, ``hessian``,
    ``score_matrix`` and ``check_sample`` are optional.

    Attributes
    ----------
    name : str
        The family's name in ``MLEDistribution(family=...)``.
    param_names : tuple of str
        The parameters, as ``scipy.stats`` names them where it has a name.
    transforms : tuple
        One :class:`~skfisher.links.Identity`, :class:`~skfisher.links.Log` or
        :class:`~skfisher.links.Logit` per parameter: the link to the scale on
        which Fisher scoring iterates, and the parameter's domain.
    support : Support
        The values the data may take.
    discrete : bool
        Whether the data are counts (the log-likelihood is a log-pmf).
    sufficient : bool
        Whether ``loglik``, ``score`` and ``hessian`` are linear in the
        statistics, so that they can be evaluated on weighted totals.
    score_statistics : tuple of str or None
        The statistics in which the score is affine, in the column order of
        ``score_matrix``.
    constants : tuple of str
        Known constants that are not estimated (the binomial's ``n``); they
        are set through ``fixed`` and passed to the constructor.
    screens_support : bool
        Whether the sums of the statistics are finite exactly when every
        observation lies inside the (open) support and is finite, as for
        ``log x`` on (0, ∞); the support is then checked from those sums at
        no extra cost, and value by value only when they are not finite.
    location : str or None
        The parameter that enters only through ``x − loc``. The data are
        centred before the fit and the iterations run on ``loc − c``: when
        ``|loc|`` is many standard errors of ulps away from 0 (1000 ± 0.001),
        a step of ``tol`` standard errors would not otherwise change ``loc``.
    scale : str or None
        The parameter that makes the family closed under ``x ↦ c x`` (with the
        location, if any, also multiplied by ``c``); the data are divided by a
        power of two near their spread before the fit (see ``_footing``).
    """

    name = None
    param_names = ()
    transforms = ()
    support = Support(-np.inf, np.inf)
    discrete = False
    sufficient = False
    score_statistics = None
    constants = ()
    screens_support = False
    location = None
    scale = None

    # What a family declares ------------------------------------------------------
    def statistics(self, x):
        """Return the per-observation statistics ``T(x)``, a dict of arrays."""
        return {"x": x}

    def start(self, sample, fixed):
        """Return starting values for all parameters, shape (k,)."""
        raise NotImplementedError

    def loglik(self, t, theta):
        """Return ``Σ w log p(x; θ)`` on a statistics view (per observation on points)."""
        raise NotImplementedError

    def score(self, t, theta):
        """Return the k entries of the score on a statistics view."""
        raise NotImplementedError

    def information(self, theta):
        """Return the expected information of one observation, shape (k, k)."""
        raise NotImplementedError

    def to_scipy(self, theta):
        """Return the equivalent frozen ``scipy.stats`` distribution."""
        raise NotImplementedError

    hessian = None  # optional: (t, θ) -> k×k entries of ∇² log p
    score_matrix = None  # optional: θ -> (k, p) derivative of s(x) in score_statistics

    def check_sample(self, sample, free, fixed):
        """Raise ``ValueError`` when the MLE lies on the boundary (e.g. constant data).

        ``free`` is the set of names of the estimated parameters, ``fixed`` the
        dict of the held ones.
        """

    def limit(self, sample, free, fixed):
        """Return ``({name: value}, message)`` when an MLE is at a limit of the family, or None.

        At such a limit the family tends to another (Student's t with
        ``df → ∞`` to the normal); the parameter is then reported at the limit
        value with a ``BoundaryWarning`` carrying ``message``, and the others
        are fitted with it held there.
        """
        return None

    def check_unconverged(self, sample, theta):
        """Raise ``ValueError`` when a fit that did not converge has no regular MLE.

        ``theta`` holds all parameters, on the sample's (standardised) footing.
        """

    def canonical(self, theta):
        """Return the reported representative of θ (e.g. an angle wrapped to (−π, π])."""
        return theta

    def get_support(self, theta):
        """Return the support at θ (a family whose support depends on θ overrides this)."""
        return self.support

    # What the base derives -----------------------------------------------------------
    def logpdf(self, x, theta):
        """Return ``log p(x_i; θ)``, ``-inf`` outside the support, shape (n,)."""
        x = np.asarray(x, dtype=float)
        inside = self.get_support(theta).contains(x)
        with np.errstate(all="ignore"):
            values = self.loglik(PointStatistics(self.statistics(x)), theta)
        values = np.broadcast_to(values, x.shape).astype(float)
        return np.where(inside, values, -np.inf)

    def score_obs(self, x, theta):
        """Return the per-observation scores ``s_i = ∇ log p(x_i; θ)``, shape (n, k)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            entries = self.score(PointStatistics(self.statistics(x)), theta)
        return np.column_stack([np.broadcast_to(e, x.shape) for e in entries])

    def total_loglik(self, sample, theta):
        """``ℓ(θ) = Σ w log p(x; θ)``."""
        with np.errstate(all="ignore"):
            if self.sufficient:
                return float(self.loglik(sample.statistics(), theta))
            points, weights = sample.points()
            return _dot(weights, np.broadcast_to(self.loglik(points, theta), weights.shape))

    def total_score(self, sample, theta):
        """``U(θ) = Σ w s(x; θ)``, shape (k,)."""
        with np.errstate(all="ignore"):
            if self.sufficient:
                return np.array(self.score(sample.statistics(), theta), dtype=float)
            points, weights = sample.points()
            return np.array(
                [
                    _dot(weights, np.broadcast_to(e, weights.shape))
                    for e in self.score(points, theta)
                ]
            )

    def total_observed_information(self, sample, theta, free):
        """``J(θ) = −∇²ℓ(θ)`` over the ``free`` parameters, shape (m, m).

        Analytic when the family declares ``hessian``; otherwise Richardson
        central differences of the analytic total score (relative error about
        1e-10), with steps of 1e-3 per-observation standard deviations.
        """
        if self.hessian is None:
            return self._numerical_observed_information(sample, theta, free)
        with np.errstate(all="ignore"):
            if self.sufficient:
                entries = self.hessian(sample.statistics(), theta)
                total = np.array(entries, dtype=float)
            else:
                points, weights = sample.points()
                entries = self.hessian(points, theta)
                total = np.array(
                    [
                        [_dot(weights, np.broadcast_to(e, weights.shape)) for e in row]
                        for row in entries
                    ]
                )
        return -total[np.ix_(free, free)]

    def _numerical_observed_information(self, sample, theta, free):
        info = np.diag(self.information(theta))[free]
        steps = 1e-3 / np.sqrt(np.where(info > 0, info, 1.0))
        for j, idx in enumerate(free):
            low = getattr(self.transforms[idx], "low", -np.inf)
            high = getattr(self.transforms[idx], "high", np.inf)
            room = min(theta[idx] - low, high - theta[idx])
            steps[j] = min(steps[j], 0.2 * room)

        def score(free_theta):
            full = np.array(theta, dtype=float)
            full[free] = free_theta
            return self.total_score(sample, full)[free]

        jac = richardson_jacobian(score, np.asarray(theta, dtype=float)[free], steps)
        return -0.5 * (jac + jac.T)

    def total_empirical_fisher(self, sample, theta, free):
        """``F(θ) = Σ w s sᵀ`` over the ``free`` parameters, shape (m, m).

        With ``s(x) = B T(x) + c`` (``score_matrix``) and ``b = U/Σw``,
        ``F = B C Bᵀ + Σw b bᵀ`` where ``C`` holds the centred cross-products
        of ``T``: no pass over the data beyond those already made.
        """
        if self.sufficient and self.score_matrix is not None:
            stats = sample.statistics()
            names = self.score_statistics
            C = np.array([[stats.css(a, b) for b in names] for a in names])
            B = np.asarray(self.score_matrix(theta), dtype=float)
            b = self.total_score(sample, theta) / stats.n
            F = B @ C @ B.T + stats.n * np.outer(b, b)
            return F[np.ix_(free, free)]
        points, weights = sample.points()
        with np.errstate(all="ignore"):
            entries = self.score(points, theta)
        S = np.column_stack([np.broadcast_to(entries[j], weights.shape) for j in free])
        return np.einsum("ij,ik->jk", weights[:, None] * S, S)
