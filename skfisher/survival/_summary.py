"""The Cox summary: the coefficient table with the hazard ratios and their intervals."""

from dataclasses import fields

import numpy as np

from .._result import FisherResult
from .._summary import SummaryTable


class HazardRatioTable(SummaryTable):
    """A :class:`~skfisher._summary.SummaryTable` with ``exp(coef)`` and its interval.

    The three columns after the coefficient's own are ``exp(coef)`` (the hazard
    ratio of one unit more of the feature) and the ends of its interval, the
    exponentials of the coefficient's (R's ``summary(coxph)``: ``exp(coef)``,
    ``lower .95``, ``upper .95``).
    """

    @classmethod
    def of(cls, table):
        """Return ``table`` with the hazard-ratio columns."""
        out = cls.__new__(cls)
        out.__dict__.update(table.__dict__)
        return out

    @property
    def columns(self):
        lo, hi = f"[{self.alpha / 2:.3g}", f"{1 - self.alpha / 2:.3g}]"
        return [*super().columns, "exp(coef)", f"exp {lo}", hi]

    @property
    def values(self):
        with np.errstate(over="ignore"):
            ratios = np.exp(np.column_stack([self.params, self.conf_int]))
        return np.column_stack([super().values, ratios])

    def __str__(self):
        # The base table's rules span six columns; these are nine.
        lines = super().__str__().splitlines()
        width = max(len(line) for line in lines)
        rules = {"=", "-"}
        lines = [line[0] * width if line and set(line) <= rules else line for line in lines]
        lines[0] = self.title.center(width).rstrip()
        return "\n".join(lines)


class CoxResult(FisherResult):
    """A :class:`~skfisher._result.FisherResult` whose cluster covariance has no correction.

    R's ``coxph(cluster=)``, statsmodels' ``PHReg(...).fit(groups=)`` and
    lifelines' ``cluster_col`` all report ``J⁻¹ C J⁻¹`` without the factor
    ``G/(G − 1) · (N − 1)/(N − k)`` that skfisher's other models apply.
    """

    @classmethod
    def of(cls, fit):
        """Return ``fit`` as a ``CoxResult`` (the same fields)."""
        if isinstance(fit, cls):
            return fit
        return cls(**{f.name: getattr(fit, f.name) for f in fields(fit) if f.init})

    def _cluster_meat(self, keep):
        return self.cluster_fisher[keep]
