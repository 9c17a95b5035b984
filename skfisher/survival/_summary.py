"""The Cox summary: the coefficient table with the hazard ratios, its tests and criteria."""

from dataclasses import fields

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._result import FisherResult
from .._summary import SummaryTable
from ._global_tests import ChiSquareTest, GlobalTests, wald_statistic


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


class CoxReportMixin:
    """The global tests, R's BIC and the summary of a fitted ``FisherCoxRegressor``.

    Reads the published attributes and the score tests at β = 0 that the fit
    keeps (``_score_statistics``); placed before ``FisherMixin`` in the bases.
    """

    def global_tests(self):
        """Return the likelihood-ratio, Wald and score tests of β = 0 (R's ``summary(coxph)``).

        Returns
        -------
        tests : GlobalTests
            ``likelihood_ratio``, ``wald`` and ``score``, each with
            ``statistic``, ``df`` and ``pvalue``; the Wald test uses
            ``covariance_`` (robust under a robust ``cov_type``, as R's), and a
            robust ``cov_type`` adds R's robust score test, ``robust_score``.
            A Firth fit's likelihood-ratio test is of the penalised partial
            likelihood, ``2 [ℓ*(β̂) − ℓ*(0)]`` (R's ``coxphf``); its score test
            is the plain one at β = 0, which no estimate enters.
        """
        check_is_fitted(self, "params_")
        k, robust = self.params_.size, self._score_statistics[1]
        wald, df = wald_statistic(self.params_, self.covariance_)
        if getattr(self, "penalized_loglik_", None) is None:
            ratio = 2.0 * (self.loglik_ - self.null_loglik_)
        else:
            ratio = 2.0 * (self.penalized_loglik_ - self.null_penalized_loglik_)
        return GlobalTests(
            ChiSquareTest.of(ratio, k),
            ChiSquareTest.of(wald, df),
            ChiSquareTest.of(self._score_statistics[0], k),
            None if robust is None else ChiSquareTest.of(robust, k),
        )

    @property
    def bic_(self):
        """``−2 ℓ + k log(n_events_)``: R's ``BIC`` of a ``coxph`` fit counts the events."""
        check_is_fitted(self, "params_")
        return -2.0 * self.loglik_ + np.log(self.n_events_) * self.params_.size

    def summary(self, alpha=0.05, ci="wald"):
        """Return the coefficient table with the hazard ratios and their intervals.

        As :meth:`~skfisher._report.ReportMixin.summary`, with three more
        columns, ``exp(coef)`` and the exponentials of the interval's ends, and
        the concordance and the three tests of :meth:`global_tests` under it.
        """
        table = HazardRatioTable.of(super().summary(alpha=alpha, ci=ci))
        table.notes.append(f"Concordance           = {self.concordance_:.6g}")
        table.notes.extend(str(self.global_tests()).splitlines())
        if getattr(self, "penalized_loglik_", None) is not None:
            table.notes.append(
                "Firth's penalised partial likelihood ℓ* = ℓ + ½ log det J: the likelihood "
                "ratio test is of ℓ*; the standard errors are those of J at the estimate."
            )
        return table

    def _summary_info(self):
        info = [
            *super()._summary_info(),
            ("Ties", self.ties),
            ("No. events", self.n_events_),
            ("Strata", 1 if self.strata_ is None else len(self.strata_)),
        ]
        if getattr(self, "penalized_loglik_", None) is not None:
            info.append(("Bias reduction", self.bias_reduction))
            info.append(("Penalized LL", self.penalized_loglik_))
        return info
