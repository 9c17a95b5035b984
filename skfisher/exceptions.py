"""Warnings that skfisher emits.

Each has its own class, so that a user's warning filters can tell skfisher's
messages apart from numpy's ``RuntimeWarning`` and from each other.
"""

__all__ = [
    "BoundaryWarning",
    "CollinearityWarning",
    "CovarianceWarning",
    "DispersionWarning",
    "DomainWarning",
    "PerfectSeparationWarning",
    "ProfileWarning",
]


class PerfectSeparationWarning(UserWarning):
    """The data are completely or quasi-completely separated.

    The maximum likelihood estimate does not exist: some parameters diverge
    and their standard errors are meaningless. Remedies are a penalty
    (``alpha > 0``), Firth's bias reduction, or removing the separating feature.
    """


class CollinearityWarning(UserWarning):
    """The information matrix is singular: some parameters are not identified.

    The warning names the parameters involved; their standard errors are ``nan``.
    """


class CovarianceWarning(UserWarning):
    """A covariance asked for is not a valid covariance at the fit.

    The matrix it inverts (the observed information of a non-concave
    likelihood, say) is not positive semi-definite, so some standard errors
    may be ``nan``; ``cov_type="fisher"`` is the remedy.
    """


class ProfileWarning(UserWarning):
    """A profile-likelihood quantity may be inaccurate.

    Some refits with a parameter held fixed did not converge, or the
    likelihood-ratio statistic jumps (several local maxima of the restricted fit).
    """


class DomainWarning(UserWarning):
    """A prediction lies outside the family's domain.

    For example a negative mean under a gamma family with the inverse link, or
    a probability above 1 under a binomial family with the log link. The
    warning names the rows.
    """


class BoundaryWarning(UserWarning):
    """An estimate lies on (or tends to) the boundary of the parameter space.

    For example a Student-t fit whose degrees of freedom grow without bound
    (the normal distribution is the limit), or a zero-inflation probability
    that tends to zero. The warning names the parameter and the limiting model.
    """


class DispersionWarning(UserWarning):
    """The dispersion φ cannot be estimated.

    There are no residual degrees of freedom (Σ sample_weight ≤ the number of
    identified parameters) or the fit is exact; ``dispersion_``, ``loglik_``,
    the information matrices and the standard errors are then nan.
    """
