"""Choosing the Tweedie power by profile likelihood, as R's ``tweedie::tweedie.profile``."""

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from sklearn.utils.validation import _check_sample_weight, check_array

from ..families import Tweedie
from ._glm import FisherGLMRegressor

__all__ = ["TweedieProfile", "tweedie_profile"]

# The maximum over log φ is bracketed within this many units of log φ̂ (Pearson's),
# and widened while it sits at an end; Brent's method then locates it to _LOG_PHI_TOL.
_LOG_PHI_HALF_WIDTH = 4.0
_LOG_PHI_TOL = 1e-10


@dataclass(frozen=True)
class TweedieProfile:
    """The profile log-likelihood of the Tweedie power (see :func:`tweedie_profile`).

    Attributes
    ----------
    powers : ndarray of shape (n_powers,)
        The powers ``p`` profiled, in the order given.
    loglik : ndarray of shape (n_powers,)
        ``max_φ ℓ(β̂_p, φ; p)``: the log-likelihood at the fit of each power and
        the maximum-likelihood φ; nan for ``p = 1``, which has no density at
        an estimated φ (see :class:`~skfisher.families.Tweedie`).
    dispersion : ndarray of shape (n_powers,)
        The maximum-likelihood φ of each power, given its fitted means.
    power : float
        The power of the largest ``loglik``.
    coef : ndarray of shape (n_powers, n_params)
        ``params_`` of the fit at each power (``[intercept, coef...]``).
    """

    powers: np.ndarray
    loglik: np.ndarray
    dispersion: np.ndarray
    power: float
    coef: np.ndarray

    @property
    def loglik_max(self):
        """The largest profile log-likelihood, at :attr:`power`."""
        return float(np.nanmax(self.loglik))


def tweedie_profile(
    X, y, powers, *, link="log", sample_weight=None, offset=None, fit_intercept=True
):
    """Profile the Tweedie log-likelihood over the variance power ``p``.

    For each power the model is fitted by Fisher scoring
    (``FisherGLMRegressor(family=Tweedie(p), link=link)``; the coefficients do
    not depend on φ), then φ is chosen by maximum likelihood given the fitted
    means, as R's ``tweedie.profile`` (``phi.method="mle"``). The profile
    log-likelihood ``L(p) = max_{β, φ} ℓ(β, φ; p)`` is then the largest value
    of the likelihood at each p; its maximiser estimates p, and
    ``{p : 2 [L(p̂) − L(p)] ≤ χ²₁(0.95)}`` is a 95% interval for it.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features.
    y : array-like of shape (n_samples,)
        The response, in the support of every power profiled (``y ≥ 0`` for
        ``1 ≤ p < 2``, ``y > 0`` for ``p ≥ 2``).
    powers : array-like of shape (n_powers,)
        The powers, each 0 or at least 1; typically a grid in (1, 2) for
        responses with exact zeros.
    link : {"log", "identity"}, default="log"
        The link of every fit.
    sample_weight : array-like of shape (n_samples,), default=None
        Frequency weights.
    offset : array-like of shape (n_samples,), default=None
        Added to the linear predictor.
    fit_intercept : bool, default=True
        Whether the fits have an intercept.

    Returns
    -------
    profile : TweedieProfile
        ``powers``, ``loglik`` (nan at p = 1), ``dispersion`` (the
        maximum-likelihood φ per power), the best ``power`` and the fitted
        ``coef``.

    Notes
    -----
    The log-likelihood of each power is the exact density of
    :class:`~skfisher.families.Tweedie` (Dunn & Smyth's series for
    1 < p < 2, the normal, gamma and inverse Gaussian at 0, 2 and 3, the
    positive stable law for other p > 2), summed with the frequency weights.
    At ``p = 1`` it is nan and that power is never the best. The function
    lives with the estimator it fits and is ``skfisher.tweedie_profile`` (also
    ``skfisher.linear_model.tweedie_profile``).

    Examples
    --------
    >>> import numpy as np
    >>> from skfisher import tweedie_profile
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 2))
    >>> mu = np.exp(0.5 + X @ [0.3, -0.2])
    >>> counts = rng.poisson(mu ** 0.5 / (0.8 * 0.5))  # p = 1.5, φ = 0.8
    >>> y = rng.gamma(np.maximum(counts, 1), 0.8 * 0.5 * mu ** 0.5) * (counts > 0)
    >>> profile = tweedie_profile(X, y, [1.2, 1.4, 1.5, 1.6, 1.8])
    >>> profile.power, profile.dispersion.round(2).tolist()
    (1.5, [0.65, 0.77, 0.8, 0.84, 1.01])
    >>> (profile.loglik - profile.loglik_max).round(1).tolist()
    [-140.2, -8.2, 0.0, -11.5, -117.8]
    """
    powers = np.asarray(powers, dtype=float).ravel()
    if powers.size == 0:
        raise ValueError("powers must hold at least one Tweedie power; got none.")
    families = [Tweedie(power=p) for p in powers]  # each checked: 0 or ≥ 1
    y = check_array(y, ensure_2d=False, dtype=np.float64).ravel()
    weights = _check_sample_weight(sample_weight, y.reshape(-1, 1), dtype=np.float64)
    loglik, dispersion, coef = [], [], []
    for family in families:
        model = FisherGLMRegressor(family, link, fit_intercept=fit_intercept, tol=1e-10)
        model.fit(X, y, sample_weight=sample_weight, offset=offset)
        mu = model.predict(X, offset=offset)
        phi, value = _maximum_likelihood_phi(family, y, mu, weights, model.dispersion_)
        loglik.append(value)
        dispersion.append(phi)
        coef.append(model.params_)
    loglik = np.asarray(loglik)
    if np.all(np.isnan(loglik)):
        raise ValueError(
            "No power has a log-likelihood: p = 1 has no density at an estimated "
            "dispersion. Profile powers other than 1 (for example a grid in (1, 2))."
        )
    return TweedieProfile(
        powers=powers,
        loglik=loglik,
        dispersion=np.asarray(dispersion),
        power=float(powers[np.nanargmax(loglik)]),
        coef=np.asarray(coef),
    )


def _maximum_likelihood_phi(family, y, mu, weights, pearson):
    """Return ``(φ̂, ℓ(φ̂))`` maximising ``Σ w log f(y; μ, φ)`` over φ (nan at p = 1)."""
    keep = weights > 0
    y, mu, weights = y[keep], mu[keep], weights[keep]

    def loglik(phi):
        return float(weights @ family.loglik_obs(y, mu, phi))

    p = family.power
    if p == 1:
        return np.nan, np.nan
    if p in (0.0, 3.0):
        # Closed forms: the normal's and inverse Gaussian's φ̂ = D / Σw.
        phi = float(weights @ family.unit_deviance(y, mu)) / weights.sum()
        return phi, loglik(phi)
    centre = np.log(pearson) if np.isfinite(pearson) and pearson > 0 else 0.0
    low, high = centre - _LOG_PHI_HALF_WIDTH, centre + _LOG_PHI_HALF_WIDTH
    for _ in range(20):
        found = optimize.minimize_scalar(
            lambda t: -loglik(np.exp(t)),
            bounds=(low, high),
            method="bounded",
            options={"xatol": _LOG_PHI_TOL, "maxiter": 500},
        )
        width = high - low
        if found.x - low < 1e-3 * width:
            low, high = low - width, low + 1e-3 * width
        elif high - found.x < 1e-3 * width:
            low, high = high - 1e-3 * width, high + width
        else:
            break
    return float(np.exp(found.x)), -float(found.fun)
