"""What every prediction checks: the level of its intervals and the domain of its means.

:func:`normal_quantile` checks ``alpha`` and gives the two-sided normal
quantile of every Wald interval (predictions, marginal effects).

A family declares the values its mean may take (``mean_domain``, a
:class:`~skfisher._validation.Support`). A link whose inverse does not map
every η into that set (gamma with ``inverse``, binomial with ``log``, Poisson
with ``identity``) predicts a negative mean or a probability above 1 for rows
far from the data; statsmodels and R return those numbers silently. So do we,
with a :class:`~skfisher.exceptions.DomainWarning` that names the rows. The
inverse link is also where floating point overflows (``exp(η)`` past
η ≈ 709.78) or meets a pole (``1/η`` at 0): the value is kept (``inf`` is the
limit) and the rows are reported here, instead of a numpy ``RuntimeWarning``.
"""

import numpy as np
from scipy import stats

from ._warnings import warn
from .exceptions import DomainWarning

# How many row positions a message lists before "…".
_SHOWN = 5


def normal_quantile(alpha):
    """Return ``z = Φ⁻¹(1 − α/2)`` after checking that ``alpha`` is in (0, 1)."""
    if not (isinstance(alpha, (int, float, np.floating)) and 0 < alpha < 1):
        raise ValueError(
            f"alpha must be a number in (0, 1) (one minus the confidence level); got {alpha!r}."
        )
    return float(stats.norm.ppf(1 - alpha / 2))


def describe_rows(rows, n_rows):
    """``"3 of 20 rows (positions [2, 5, 7])"``: the count and the first few positions."""
    shown = ", ".join(str(int(i)) for i in rows[:_SHOWN])
    more = ", …" if len(rows) > _SHOWN else ""
    return f"{len(rows)} of {n_rows} rows (positions [{shown}{more}])"


def outside_mean_domain(domain, mu, *, closed=False):
    """Return a mask of the means outside ``domain``.

    Parameters
    ----------
    domain : Support
        The family's ``mean_domain``.
    mu : ndarray
        Means, or interval ends.
    closed : bool, default=False
        Whether the whole closure of the domain is allowed, infinite ends
        included (interval ends: past a pole of the link an interval is open
        to ±∞). Otherwise a mean is allowed on a *finite* end point only:
        ``exp(−800)`` rounds to 0 and ``expit(40)`` to 1, the correct limits,
        while an infinite mean is an overflow. ``nan`` is always outside.
    """
    # The closure [low, high], whichever ends the domain includes (nan fails both).
    inside = (mu >= domain.low) & (mu <= domain.high)
    if not closed:
        inside &= np.isfinite(mu)
    return ~inside


def check_mean_domain(family, mu, *, method, interval=None):
    """Warn with :class:`~skfisher.exceptions.DomainWarning` about means outside the domain.

    Parameters
    ----------
    family : GLMFamily
        The fitted family; its ``mean_domain`` is the allowed set.
    mu : ndarray of shape (n_samples,)
        The predicted means ``g⁻¹(η)``.
    method : str
        The public method that predicts, for the message.
    interval : ndarray of shape (n_samples, 2), default=None
        Interval ends for the means, checked against the closure of the
        domain (``nan`` ends, from a parameter without a standard error, are
        not reported here).

    Returns
    -------
    mu : ndarray
        ``mu`` itself, unchanged (statsmodels and R return the same values).
    """
    domain = family.mean_domain
    bad = outside_mean_domain(domain, mu)
    if interval is not None:
        ends = outside_mean_domain(domain, interval, closed=True) & ~np.isnan(interval)
        bad |= ends.any(axis=1)
    rows = np.flatnonzero(bad)
    if rows.size:
        where = describe_rows(rows, len(mu))
        warn_outside_domain(family, mu[rows], where, method=method, interval=interval is not None)
    return mu


def warn_outside_domain(family, mu, where, *, method, interval=False):
    """Warn that the mean lies outside ``family``'s domain of the mean at ``where``.

    ``mu`` are the flagged means (the first few are shown); ``interval`` says
    that an interval end may be what left the domain. The message gives the
    causes (overflow, a pole, a link that leaves the domain) with remedies.
    """
    what = "the predicted mean or its interval" if interval else "the predicted mean"
    values = ", ".join(f"{value:.4g}" for value in mu[:_SHOWN])
    warn(
        f"{method}: {what} lies outside the {family.name} family's domain of the mean "
        f"{family.mean_domain} at {where}: μ = {values}. "
        + " ".join(_domain_reasons(mu, interval)),
        DomainWarning,
    )


def _domain_reasons(mu, with_interval):
    """The causes of the flagged means ``mu``, each with its remedy, as sentences."""
    reasons = []
    if np.isinf(mu).any():
        reasons.append(
            "An infinite μ is an overflow of g⁻¹(η) in float64 (exp(η) past η ≈ 709.78) or "
            "η at a pole of the link: check X at those rows, far from the data the model "
            "was fitted on."
        )
    if np.isnan(mu).any():
        reasons.append("A nan μ means that η is outside the range of the link (η < 0 under 1/μ²).")
    if np.isfinite(mu).any() or with_interval:
        reasons.append(
            "The link does not keep the mean inside the domain at those η: use a link whose "
            "inverse maps every η into the domain (log for a positive mean, logit for a "
            "probability), or predict only within the range of the training data."
        )
    return reasons
