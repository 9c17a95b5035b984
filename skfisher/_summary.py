"""The coefficient table that ``summary()`` returns."""

import numpy as np
from scipy import stats

from ._optional import check_pandas_support


class SummaryTable:
    """A table of estimates with standard errors, z, p-values and intervals.

    Printing it gives a fixed-width table in the layout of statsmodels'
    ``summary()``; :meth:`to_frame` gives a pandas DataFrame.

    Parameters
    ----------
    title : str
        The heading.
    info : list of (str, object)
        Model facts shown above the table (observations, log-likelihood, ...).
    names : sequence of str
        Parameter names.
    params, standard_errors : ndarray of shape (k,)
        Estimates and their standard errors.
    alpha : float
        One minus the confidence level of the intervals.
    """

    def __init__(self, title, info, names, params, standard_errors, alpha=0.05):
        self.title = title
        self.info = list(info)
        self.names = [str(name) for name in names]
        self.params = np.asarray(params, dtype=float)
        self.standard_errors = np.asarray(standard_errors, dtype=float)
        self.alpha = alpha
        with np.errstate(divide="ignore", invalid="ignore"):
            self.z = self.params / self.standard_errors
        self.pvalues = 2 * stats.norm.sf(np.abs(self.z))
        q = stats.norm.ppf(1 - alpha / 2)
        self.conf_int = np.column_stack(
            [self.params - q * self.standard_errors, self.params + q * self.standard_errors]
        )

    @property
    def columns(self):
        """The column headings of the table."""
        lo, hi = f"[{self.alpha / 2:.3g}", f"{1 - self.alpha / 2:.3g}]"
        return ["coef", "std err", "z", "P>|z|", lo, hi]

    def to_frame(self):
        """Return the table as a :class:`pandas.DataFrame` indexed by parameter name."""
        pd = check_pandas_support("SummaryTable.to_frame")
        data = np.column_stack(
            [self.params, self.standard_errors, self.z, self.pvalues, self.conf_int]
        )
        return pd.DataFrame(data, index=self.names, columns=self.columns)

    def __str__(self):
        width = 78
        name_width = max([len(n) for n in self.names] + [12])
        width = max(width, name_width + 66)
        lines = [self.title.center(width), "=" * width]
        half = width // 2
        pairs = [self.info[i : i + 2] for i in range(0, len(self.info), 2)]
        for pair in pairs:
            cells = [f"{k + ':':<20}{_fmt_info(v):>{half - 22}}" for k, v in pair]
            lines.append("  ".join(cell.ljust(half - 1) for cell in cells).rstrip())
        lines.append("=" * width)
        header = "".join(f"{c:>11}" for c in self.columns)
        lines.append(" " * name_width + header)
        lines.append("-" * width)
        for i, name in enumerate(self.names):
            row = (
                self.params[i],
                self.standard_errors[i],
                self.z[i],
                self.pvalues[i],
                *self.conf_int[i],
            )
            cells = [_fmt_number(v, digits=3 if j == 3 else 4) for j, v in enumerate(row)]
            lines.append(f"{name:<{name_width}}" + "".join(f"{c:>11}" for c in cells))
        lines.append("=" * width)
        return "\n".join(lines)

    def __repr__(self):
        return self.__str__()


def _fmt_number(value, digits=4):
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 10 ** (-digits)):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}f}"


def _fmt_info(value):
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.4e}"
    return str(value)
