"""The GLM family base class: a family declares, the base derives.

A family declares its variance function ``V(μ)`` and ``V'(μ)``, its per-row
log-likelihood, the support of the response and of the mean, its links and
whether it has a dispersion. From these and a link, :class:`GLMFamily` derives
once, for every family, the per-row quantities Fisher scoring needs.

With ``r = y − μ``, ``μ' = dμ/dη``, ``μ'' = d²μ/dη²`` and dispersion ``φ``:

====================  =====================================  ========================
quantity              per row (times the frequency weight)   method
====================  =====================================  ========================
score in η            ``r μ' / (φ V)``                        ``eta_derivatives``
expected information  ``μ'² / (φ V)``                         ``eta_derivatives``
observed information  ``[μ'² − r μ'' + r μ'² V'/V] / (φ V)``  ``observed_weight``
====================  =====================================  ========================

(McCullagh & Nelder 1989, §2.5; glum ``_distribution.py``). For the canonical
link, where the natural parameter is ``θ = η``, ``μ' = V`` and the three reduce
to ``r/φ``, ``V/φ`` and ``V/φ``, with no division.
"""

import numpy as np

from .._validation import Support, check_support
from ..links import get_link


def _safe_divide(num, den):
    """``num / den`` with 0 where ``den`` is 0 (a row whose mean sits on the boundary)."""
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


class GLMFamily:
    """Base class of exponential-dispersion families.

    Subclasses set the class attributes and implement ``variance``,
    ``variance_deriv`` and ``loglik_obs``.

    Attributes
    ----------
    name : str
        The family's name in ``FisherGLMRegressor(family=...)``.
    support : Support
        The values the response may take.
    mean_domain : Support
        The values the mean may take; a step that leaves it is halved.
    links : tuple of str
        The links allowed with this family.
    default_link : str
        The link used by default.
    canonical_link : str or None
        The link for which the natural parameter is ``θ = η`` exactly (so
        ``μ' = V``), which takes the shortcuts. A family whose canonical link
        is only proportional to θ (gamma's ``1/μ = −θ``) sets None and the
        general formulas apply, which are exact for it too.
    has_dispersion : bool
        Whether φ is estimated (Pearson χ² / (Σw − k)); otherwise φ = 1.
    concave_links : tuple of str
        The links under which ``log p(y; μ(η))`` is concave in η for every
        ``y`` in the support, so that the log-likelihood is concave in the
        coefficients and has one maximum. Under the other links a fit is
        started twice (R's and statsmodels' starting means) and the better
        maximum kept.
    """

    name = None
    support = Support(-np.inf, np.inf)
    mean_domain = Support(-np.inf, np.inf)
    links = ()
    default_link = None
    canonical_link = None
    has_dispersion = False
    concave_links = ()

    # Declarations -----------------------------------------------------------
    def variance(self, mu):
        """Return the variance function ``V(μ)``."""
        raise NotImplementedError

    def variance_deriv(self, mu):
        """Return ``V'(μ)``."""
        raise NotImplementedError

    def loglik_obs(self, y, mu, phi=1.0):
        """Return the per-row log-likelihood ``log p(y; μ, φ)`` for a weight of 1."""
        raise NotImplementedError

    def start_mu(self, y, sample_weight):
        """Return starting means inside ``mean_domain`` (R's ``mustart``)."""
        return self.moment_start_mu(y, sample_weight)

    def moment_start_mu(self, y, sample_weight):
        """Return statsmodels' starting means ``(y + ȳ) / 2``, the second start of a fit."""
        return (y + np.average(y, weights=sample_weight)) / 2

    # Derived once, for every family ------------------------------------------
    def get_link(self, link="default"):
        """Return the link instance for ``link`` after checking the pair is defined."""
        name = self.default_link if link in (None, "default") else link
        link_obj = get_link(name)
        if link_obj.name not in self.links:
            raise ValueError(
                f"The link {link_obj.name!r} is not defined for the {self.name} family; "
                f"the allowed links are {list(self.links)}."
            )
        return link_obj

    def check_y(self, y):
        """Raise ``ValueError`` unless every response lies in the support."""
        check_support(y, self.support, what="y", owner=f"The {self.name} family")

    def mean_and_variance(self, eta, link):
        """Return ``μ`` and ``V(μ)`` at the linear predictor ``η``."""
        mu = link.inverse(eta)
        return mu, self.variance(mu)

    def loglik(self, y, eta, mu, link, sample_weight, phi=1.0):
        """Return the total log-likelihood ``Σ w log p(y; μ, φ)``."""
        return float(np.dot(sample_weight, self.loglik_obs(y, mu, phi)))

    def unit_deviance(self, y, mu):
        """Return the unit deviance ``2 [ℓ(y; y) − ℓ(y; μ)]`` at φ = 1."""
        return 2.0 * (self.loglik_obs(y, y) - self.loglik_obs(y, mu))

    def eta_derivatives(self, y, eta, mu, var, link, phi=1.0):
        """Return the per-row score in η and the expected-information weight."""
        if link.name == self.canonical_link:
            return (y - mu) / phi, var / phi
        dmu = link.inverse_deriv(eta)
        ratio = _safe_divide(dmu, phi * var)
        return (y - mu) * ratio, dmu * ratio

    def observed_weight(self, y, eta, mu, var, link, phi=1.0):
        """Return the per-row observed-information weight ``−∂²ℓ/∂η²``."""
        score_eta, expected = self.eta_derivatives(y, eta, mu, var, link, phi)
        if link.name == self.canonical_link:
            return expected
        dmu = link.inverse_deriv(eta)
        d2mu = link.inverse_deriv2(eta)
        # μ'² V'/V as (μ'/V) μ' V': for μ ~ 1e150 the product μ'² V' alone overflows.
        curvature = d2mu - _safe_divide(dmu, var) * dmu * self.variance_deriv(mu)
        return expected - score_eta * _safe_divide(curvature, dmu)

    def loglik_concave(self, link):
        """Return whether the log-likelihood is concave in η under ``link``."""
        return link.name == self.canonical_link or link.name in self.concave_links

    def loglik_dispersion(self, phi, chi2, nobs, link):
        """Return the dispersion at which ``loglik_`` is reported: Pearson's φ̂ here."""
        return phi

    @property
    def mean_is_probability(self):
        """Whether the mean is a probability, in (0, 1).

        Such a family's fit can be separated (the estimate runs to the
        boundary), its ``sample_weight`` counts trials, and FLIC restores its
        average to the event rate.
        """
        return (self.mean_domain.low, self.mean_domain.high) == (0.0, 1.0)

    def in_mean_domain(self, mu):
        """Return whether every mean lies inside ``mean_domain``."""
        return bool(np.all(self.mean_domain.contains(mu)))

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __eq__(self, other):
        # Families compare by kind and constants (α, power), as their repr shows.
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self):
        return hash((type(self), repr(self)))
