"""The result objects that the tests return."""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ChiSquareResult:
    """The outcome of a test whose statistic is referred to a χ² distribution.

    Attributes
    ----------
    test : str
        The name of the test (``"Wald"``, ``"likelihood-ratio"``, ...).
    statistic : float
        The test statistic.
    df : int
        Degrees of freedom of the reference χ² distribution.
    pvalue : float
        ``P(χ²_df ≥ statistic)``.
    hypotheses : tuple of str
        The restrictions tested, in words.
    details : dict
        Further quantities of the test (e.g. the restriction matrix).
    """

    test: str
    statistic: float
    df: int
    pvalue: float
    hypotheses: tuple = ()
    details: dict = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self):
        return (
            f"<{self.test} test: chi2({self.df}) = {self.statistic:.6g}, "
            f"p-value = {self.pvalue:.4g}>"
        )

    def __str__(self):
        lines = [f"{self.test} test"]
        if self.hypotheses:
            lines.append("Null hypothesis: " + self.hypotheses[0])
            lines.extend("                 " + h for h in self.hypotheses[1:])
        lines.append(f"chi2({self.df}) = {self.statistic:.6g}    p-value = {self.pvalue:.4g}")
        return "\n".join(lines)

    def __iter__(self):
        # Unpacks as statsmodels' tests do: statistic, p-value, df.
        return iter((self.statistic, self.pvalue, self.df))


def format_restriction(row, rhs, names):
    """Write ``row · θ = rhs`` in words, e.g. ``"x1 - x2 = 0"``."""
    terms = []
    for coefficient, name in zip(row, names, strict=True):
        if coefficient == 0:
            continue
        sign = "-" if coefficient < 0 else "+"
        size = abs(coefficient)
        term = str(name) if size == 1 else f"{_number(size)}*{name}"
        terms.append((sign, term))
    if not terms:
        return f"0 = {_number(rhs)}"
    first_sign, first = terms[0]
    text = ("-" if first_sign == "-" else "") + first
    text += "".join(f" {sign} {term}" for sign, term in terms[1:])
    return f"{text} = {_number(rhs)}"


def _number(value):
    value = float(value)
    return str(int(value)) if value == np.round(value) and abs(value) < 1e15 else f"{value:g}"


class ScreeningResult:
    """One-degree-of-freedom score tests of many candidate columns.

    Attributes
    ----------
    names : ndarray of shape (m,)
        The candidates.
    statistic : ndarray of shape (m,)
        Each candidate's score statistic (nan when it is constant or
        collinear with the model's columns).
    pvalue : ndarray of shape (m,)
        ``P(χ²_1 ≥ statistic)``.
    robust : bool
        Whether the robust form was used.
    """

    def __init__(self, names, statistic, pvalue, robust=False):
        self.names = names
        self.statistic = statistic
        self.pvalue = pvalue
        self.robust = robust
        self.df = 1

    def order(self):
        """Return the candidate indices from the largest statistic down (nan last)."""
        key = np.where(np.isnan(self.statistic), -np.inf, self.statistic)
        return np.argsort(-key, kind="stable")

    def to_frame(self):
        """Return a DataFrame of statistic and p-value, sorted by statistic."""
        from .._optional import check_pandas_support

        pd = check_pandas_support("ScreeningResult.to_frame")
        order = self.order()
        return pd.DataFrame(
            {"statistic": self.statistic[order], "pvalue": self.pvalue[order]},
            index=pd.Index(self.names[order], name="candidate"),
        )

    def __repr__(self):
        kind = "robust score" if self.robust else "score"
        lines = [f"Screening of {len(self.names)} candidates by 1-df {kind} tests (top 10):"]
        for j in self.order()[:10]:
            lines.append(
                f"  {str(self.names[j]):<24} chi2(1) = {self.statistic[j]:<12.6g} "
                f"p-value = {self.pvalue[j]:.4g}"
            )
        return "\n".join(lines)
