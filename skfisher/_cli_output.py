"""What the command line prints: the table as text, CSV or JSON.

The CSV has the columns of ``summary().to_frame()`` and is what pandas'
``to_frame().to_csv()`` writes (full-precision floats, empty cells for nan),
without needing pandas. The JSON has the estimates, their standard errors, z,
p-values, intervals and covariance, with ``null`` for a nan.
"""

import csv
import json
import math
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np


@dataclass
class ModelReport:
    """One fitted estimator and how to describe it.

    Parameters
    ----------
    estimator : estimator
        A fitted skfisher estimator (with ``summary``).
    names : list of str
        The parameter names to print, in the order of ``params_``.
    heading : str
        The first line of the text output.
    source : str
        Where the data came from.
    n_rows : int
        Rows of data.
    conf_level : float
        The confidence level of the intervals.
    references : dict of str to str
        The reference level of each one-hot encoded feature.
    n_dropped : int
        Rows dropped for missing values (``--dropna``).
    extra : dict
        More facts for the JSON output.
    lines : list of str
        More lines of the text output, after the data and reference levels
        (the order of an ordinal model's classes).
    """

    estimator: object
    names: list
    heading: str
    source: str
    n_rows: int
    conf_level: float = 0.95
    references: dict = field(default_factory=dict)
    n_dropped: int = 0
    extra: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)

    @property
    def alpha(self):
        """One minus the confidence level, rounded so that 0.95 gives 0.05 exactly."""
        return float(f"{1 - self.conf_level:.12g}")

    def table(self):
        """The estimator's summary table, with this report's parameter names."""
        table = self.estimator.summary(alpha=self.alpha)
        table.names = [str(name) for name in self.names]
        return table

    def text(self):
        rows = "row" if self.n_rows == 1 else "rows"
        dropped = f" ({self.n_dropped} with missing values dropped)" if self.n_dropped else ""
        lines = [self.heading, f"Data: {self.source}, {self.n_rows} {rows}{dropped}"]
        if self.references:
            levels = ", ".join(f"{name} = {level}" for name, level in self.references.items())
            lines.append(f"Reference levels: {levels}")
        return "\n".join([*lines, *self.lines, "", str(self.table())])

    def rows(self):
        table = self.table()
        return [["", *table.columns]] + [
            [name, *(_csv_number(v) for v in row)]
            for name, row in zip(table.names, table.values, strict=True)
        ]

    def payload(self):
        estimator, table = self.estimator, self.table()
        covariance = getattr(estimator, "covariance_", None)
        return {
            "model": type(estimator).__name__,
            "heading": self.heading,
            **{key: _json_value(value) for key, value in self.extra.items()},
            "data": self.source,
            "n_rows": self.n_rows,
            "n_dropped": self.n_dropped,
            "nobs": _number(getattr(estimator, "nobs_", self.n_rows)),
            "cov_type": getattr(estimator, "cov_type", None),
            "conf_level": self.conf_level,
            "alpha": self.alpha,
            "loglik": _number(estimator.loglik_),
            "aic": _number(getattr(estimator, "aic_", None)),
            "bic": _number(getattr(estimator, "bic_", None)),
            "converged": bool(getattr(estimator, "converged_", True)),
            "n_iter": int(getattr(estimator, "n_iter_", 0)),
            "dispersion": _number(getattr(estimator, "dispersion_", None)),
            "reference_levels": dict(self.references),
            "param_names": list(table.names),
            "params": _numbers(table.params),
            "standard_errors": _numbers(table.standard_errors),
            "z": _numbers(table.z),
            "p_values": _numbers(table.pvalues),
            "conf_int": _numbers(table.conf_int),
            "covariance": None if covariance is None else _numbers(covariance),
        }


@dataclass
class ComparisonReport:
    """Several distribution families fitted to one column, ranked by AIC.

    Parameters
    ----------
    heading : str
        The first line of the text output.
    fits : list of dict
        One per family, best first: ``family``, ``n_params``, ``loglik``,
        ``aic``, ``bic`` and ``converged``.
    skipped : dict of str to str
        Families that could not be fitted, with the reason.
    best : ModelReport
        The best family's fit.
    """

    heading: str
    fits: list
    skipped: dict
    best: ModelReport

    def text(self):
        lines = [self.heading, ""]
        lines.append(f"{'family':<20}{'k':>3}{'log-likelihood':>17}{'AIC':>13}{'delta AIC':>12}")
        lines.append("-" * 65)
        best_aic = self.fits[0]["aic"]
        for fit in self.fits:
            note = "" if fit["converged"] else "  (not converged)"
            lines.append(
                f"{fit['family']:<20}{fit['n_params']:>3}{fit['loglik']:>17.4f}"
                f"{fit['aic']:>13.4f}{fit['aic'] - best_aic:>12.4f}{note}"
            )
        for family, reason in self.skipped.items():
            first_sentence = reason.split(". ")[0].rstrip(".")
            lines.append(f"{family:<20} not fitted: {first_sentence}")
        lines += ["", self.best.text()]
        return "\n".join(lines)

    def rows(self):
        columns = ["family", "n_params", "loglik", "aic", "bic", "converged"]
        return [columns] + [[_csv_number(fit[c]) for c in columns] for fit in self.fits]

    def payload(self):
        fits = [{key: _number(value) for key, value in fit.items()} for fit in self.fits]
        return {
            "heading": self.heading,
            "comparison": fits,
            "skipped": dict(self.skipped),
            "best": self.best.payload(),
        }


def print_report(report, output_format, stream=None):
    """Write ``report`` to ``stream`` (standard output) as text, CSV or JSON."""
    stream = sys.stdout if stream is None else stream
    if output_format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerows(report.rows())
    elif output_format == "json":
        json.dump(report.payload(), stream, indent=2, allow_nan=False)
        stream.write("\n")
    else:
        stream.write(report.text() + "\n")


def _number(value):
    """A JSON-safe scalar: nan and infinity become None; numpy scalars become Python."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def _json_value(value):
    """A JSON-safe value of the nested dicts and lists of a report's extra facts."""
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(item) for item in value]
    return _number(value)


def _numbers(array):
    array = np.asarray(array, dtype=float)
    return [_numbers(row) for row in array] if array.ndim > 1 else [_number(v) for v in array]


def _csv_number(value):
    """Format as pandas' ``to_csv`` does: ``repr`` of the float, empty for nan."""
    if isinstance(value, (str, bool, np.bool_, int, np.integer)):
        return str(bool(value)) if isinstance(value, (bool, np.bool_)) else str(value)
    value = float(value)
    return "" if math.isnan(value) else repr(value)


class reported_warnings(warnings.catch_warnings):
    """Print each warning raised inside as one line ``skfisher: warning: ...`` on stderr.

    Parameters
    ----------
    rewrite : callable, default=None
        Applied to each message before printing (to put column names in it).
    """

    def __init__(self, rewrite=None):
        super().__init__(record=True)
        self._rewrite = rewrite or (lambda message: message)

    def __enter__(self):
        self._caught = super().__enter__()
        warnings.simplefilter("always")
        return self._caught

    def __exit__(self, *exc_info):
        super().__exit__(*exc_info)
        seen = set()
        for caught in self._caught:
            message = self._rewrite(" ".join(str(caught.message).split()))
            if message not in seen:
                seen.add(message)
                print(f"skfisher: warning: {message}", file=sys.stderr)
        return False
