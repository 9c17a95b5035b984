"""Warnings that skfisher estimators emit (DESIGN §5)."""

__all__ = ["CollinearityWarning", "PerfectSeparationWarning"]


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
