"""The coefficient table that ``summary()`` returns."""

import textwrap

import numpy as np
from scipy import stats

from ._optional import check_pandas_support


class SummaryTable:
    """A table of estimates with standard errors, tests and intervals.

    Printing it gives a fixed-width table in the layout of statsmodels'
    ``summary()``; :meth:`to_frame` gives a pandas DataFrame. By default the
    tests are Wald's (``z`` and ``P>|z|``) and the intervals Wald intervals;
    :meth:`use_likelihood_ratio` puts likelihood-ratio tests beside profile
    intervals instead, as R's ``logistf`` and ``confint.glm`` do.

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
    notes : sequence of str, optional
        Paragraphs printed under the table (what the numbers mean when they
        are not the usual ones).

    Attributes
    ----------
    z : ndarray of shape (k,)
        The Wald statistics ``params / standard_errors``.
    statistic, pvalues : ndarray of shape (k,)
        The test statistics shown (``z``, or the likelihood-ratio χ²₁) and
        their p-values.
    test : {"wald", "likelihood ratio"}
        Which test the table shows.
    """

    def __init__(self, title, info, names, params, standard_errors, alpha=0.05, notes=()):
        self.title = title
        self.info = list(info)
        self.names = [str(name) for name in names]
        self.params = np.asarray(params, dtype=float)
        self.standard_errors = np.asarray(standard_errors, dtype=float)
        self.alpha = alpha
        self.notes = list(notes)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.z = self.params / self.standard_errors
        self.test = "wald"
        self.statistic = self.z
        self.pvalues = 2 * stats.norm.sf(np.abs(self.z))
        q = stats.norm.ppf(1 - alpha / 2)
        self.conf_int = np.column_stack(
            [self.params - q * self.standard_errors, self.params + q * self.standard_errors]
        )

    def use_likelihood_ratio(self, statistic, pvalues, conf_int):
        """Show likelihood-ratio tests and profile intervals instead of Wald's.

        Parameters
        ----------
        statistic : ndarray of shape (k,)
            ``LR = 2 [ℓ̂ − ℓ̃(0)]`` of each ``θ_j = 0``, referred to χ²₁.
        pvalues : ndarray of shape (k,)
            ``P(χ²₁ > LR)``.
        conf_int : ndarray of shape (k, 2)
            The profile-likelihood intervals, which invert the same test.
        """
        self.test = "likelihood ratio"
        self.statistic = np.asarray(statistic, dtype=float)
        self.pvalues = np.asarray(pvalues, dtype=float)
        self.conf_int = np.asarray(conf_int, dtype=float)

    @property
    def columns(self):
        """The column headings of the table."""
        lo, hi = f"[{self.alpha / 2:.3g}", f"{1 - self.alpha / 2:.3g}]"
        if self.test == "wald":
            return ["coef", "std err", "z", "P>|z|", lo, hi]
        return ["coef", "std err", "LR chi2", "P>chi2 (LR)", lo, hi]

    @property
    def values(self):
        """The table's numbers, shape (k, 6), in the order of :attr:`columns`."""
        return np.column_stack(
            [self.params, self.standard_errors, self.statistic, self.pvalues, self.conf_int]
        )

    def to_frame(self):
        """Return the table as a :class:`pandas.DataFrame` indexed by parameter name."""
        pd = check_pandas_support("SummaryTable.to_frame")
        return pd.DataFrame(self.values, index=self.names, columns=self.columns)

    def __str__(self):
        cell = max(11, max(len(c) for c in self.columns) + 1)
        name_width = max([len(n) for n in self.names] + [12])
        width = max(78, name_width + 6 * cell)
        lines = [self.title.center(width), "=" * width]
        half = width // 2
        pairs = [self.info[i : i + 2] for i in range(0, len(self.info), 2)]
        for pair in pairs:
            cells = [f"{k + ':':<20}{_fmt_info(v):>{half - 22}}" for k, v in pair]
            lines.append("  ".join(c.ljust(half - 1) for c in cells).rstrip())
        lines.append("=" * width)
        lines.append(" " * name_width + "".join(f"{c:>{cell}}" for c in self.columns))
        lines.append("-" * width)
        for name, row in zip(self.names, self.values, strict=True):
            cells = [_fmt_number(v, digits=3 if j == 3 else 4) for j, v in enumerate(row)]
            lines.append(f"{name:<{name_width}}" + "".join(f"{c:>{cell}}" for c in cells))
        lines.append("=" * width)
        for note in self.notes:
            lines.extend(textwrap.wrap(note, width))
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
