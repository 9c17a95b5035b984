"""Means outside the family's domain: the checks live in :mod:`skfisher._predicted`.

Kept as this import path for the modules that predict means.
"""

from .._predicted import (
    check_mean_domain,
    describe_rows,
    outside_mean_domain,
    warn_outside_domain,
)

__all__ = ["check_mean_domain", "describe_rows", "outside_mean_domain", "warn_outside_domain"]
