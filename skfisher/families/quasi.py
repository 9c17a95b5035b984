"""Quasi-Poisson and quasi-binomial: the Poisson and binomial variances times a dispersion φ."""

import numpy as np
from scipy.special import xlogy

from ._base import GLMFamily
from .binomial import Binomial
from .poisson import Poisson

__all__ = ["QuasiBinomial", "QuasiPoisson"]


class _QuasiLikelihood(GLMFamily):
    """A family given by its mean and variance alone: ``Var(y) = φ V(μ)``, φ estimated.

    The estimating equations are those of the likelihood family whose
    variance function it borrows, so the estimate is that family's; φ is
    Pearson's ``χ² / (Σw − k)`` and scales every information matrix. There is
    no log-likelihood: the quasi-likelihood ``Q(μ; y) = ∫_y^μ (y − t)/(φ V(t)) dt``
    is not the logarithm of a normalised density for φ ≠ 1, so ``loglik_obs``
    is nan.
    """

    has_dispersion = True

    def loglik_obs(self, y, mu, phi=1.0):
        """Return nan per row: a quasi-likelihood has no normalised density."""
        return np.full(np.broadcast(y, mu).shape, np.nan)

    def loglik(self, y, eta, mu, link, sample_weight, phi=1.0):
        """Return nan: a quasi-likelihood has no normalised density."""
        return np.nan


class QuasiPoisson(_QuasiLikelihood):
    """Quasi-Poisson responses: ``Var(y) = φ μ``, φ estimated (R's ``quasipoisson``).

    Overdispersed counts (or rates with the exposure as weights) whose variance
    is proportional to the mean. The coefficients are exactly those of the
    Poisson fit; φ̂ = Pearson ``χ² / (Σw − k)`` multiplies its covariance
    (every ``cov_type`` but the sandwich, in which φ cancels), as R's
    ``glm(family=quasipoisson)`` and statsmodels' ``GLM(family=Poisson()).fit(scale="X2")``.

    Links: ``"log"`` (default), ``"identity"``, ``"sqrt"``.

    Notes
    -----
    Quasi-likelihood (Wedderburn 1974; McCullagh & Nelder 1989, ch. 9) specifies
    only the mean and the variance. There is no density whose variance is
    ``φ μ`` on the counts for φ ≠ 1, so a fit's ``loglik_``, ``aic_`` and
    ``bic_`` are nan (R's ``logLik`` and ``AIC`` of a quasi fit are ``NA``).
    Profile intervals and ``lr_pvalues_`` are those of the scaled deviance,
    ``[D(b) − D̂] / φ̂`` referred to χ²₁, as R's ``confint`` and
    ``anova(..., test="Chisq")`` of a quasi fit.
    """

    name = "quasi_poisson"
    support = Poisson.support
    mean_domain = Poisson.mean_domain
    links = Poisson.links
    default_link = canonical_link = Poisson.canonical_link
    concave_links = Poisson.concave_links

    variance = Poisson.variance
    variance_deriv = Poisson.variance_deriv
    unit_deviance = Poisson.unit_deviance
    start_mu = Poisson.start_mu


class QuasiBinomial(_QuasiLikelihood):
    """Quasi-binomial responses: ``Var(y) = φ μ (1 − μ) / m``, φ estimated (R's ``quasibinomial``).

    Proportions ``y`` of ``m`` trials (``sample_weight = m``), or 0/1 outcomes,
    whose variance is a multiple φ of the binomial one (overdispersed, or
    clustered, trials). The coefficients are exactly those of the binomial
    fit; φ̂ = Pearson ``χ² / (Σw − k)`` multiplies its covariance, as
    statsmodels' ``GLM(family=Binomial(), freq_weights=m).fit(scale="X2")``.

    Links: ``"logit"`` (default), ``"probit"``, ``"cloglog"``, ``"log"``.

    Notes
    -----
    ``sample_weight`` are frequency weights here as everywhere in skfisher,
    so the residual degrees of freedom of φ̂ are ``Σ m − k``, the number of
    trials less the parameters. R's ``glm(cbind(s, m − s) ~ ..., family=quasibinomial)``
    counts the rows instead, ``n − k``; its dispersion is ours times
    ``(Σ m − k) / (n − k)`` (the two agree for 0/1 outcomes).

    As for :class:`QuasiPoisson`, ``loglik_``, ``aic_`` and ``bic_`` are nan:
    a quasi-likelihood is not the logarithm of a normalised density.
    """

    name = "quasi_binomial"
    support = Binomial.support
    mean_domain = Binomial.mean_domain
    links = Binomial.links
    default_link = canonical_link = Binomial.canonical_link
    concave_links = Binomial.concave_links

    variance = Binomial.variance
    variance_deriv = Binomial.variance_deriv
    start_mu = Binomial.start_mu
    mean_and_variance = Binomial.mean_and_variance

    def unit_deviance(self, y, mu):
        # The binomial deviance 2 [ℓ(y; y) − ℓ(y; μ)], as the binomial family computes it.
        saturated = xlogy(y, y) + xlogy(1.0 - y, 1.0 - y)
        return 2.0 * (saturated - xlogy(y, mu) - xlogy(1.0 - y, 1.0 - mu))
