"""Tables for the command line: named columns, their checks, and the model matrix.

A :class:`Table` holds named columns as arrays: float arrays for numbers (nan
where a cell is missing) and object arrays of strings for labels (None where
a cell is missing). :func:`design_matrix` turns chosen columns into a float
matrix, one-hot encoding the categorical ones against a reference level, with
the level in each parameter's name (``color[T.red]``), as patsy and R's
treatment contrasts do.
"""

import difflib
import re

import numpy as np


class CLIError(Exception):
    """A bad-input problem to report on one line (exit status 2)."""


def unknown_column_message(role, name, names, source):
    """The message for a column name that is not in ``names``, with the closest names."""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{role} {name!r} is not a column of {source}{hint}; the columns are {', '.join(names)}"


class Table:
    """Named columns of equal length, from a CSV file or a bundled dataset.

    Parameters
    ----------
    source : str
        Where the data came from, for messages and headings.
    columns : dict of str to ndarray
        The columns, in file order: float arrays (numbers, nan where missing)
        or object arrays (strings, None where missing).
    row_numbers : ndarray of int or None
        The data row of the file (1 is the first row after the header) of each
        row, for messages; None for bundled data (rows counted from 1).
    """

    def __init__(self, source, columns, row_numbers=None):
        self.source = source
        self.columns = dict(columns)
        self.n_rows = len(next(iter(self.columns.values()))) if self.columns else 0
        if row_numbers is None:
            row_numbers = np.arange(1, self.n_rows + 1)
        self.row_numbers = np.asarray(row_numbers)
        self.n_dropped = 0

    @property
    def names(self):
        """The column names, in order."""
        return list(self.columns)

    def where(self, row):
        """Where row ``row`` is, for messages: ``"data row 12"``."""
        return f"data row {self.row_numbers[row]}"

    def check_column(self, name, role):
        """Raise a :class:`CLIError` when ``name`` (given as ``role``) is not a column."""
        if name not in self.columns:
            raise CLIError(unknown_column_message(role, name, self.names, self.source))

    def is_numeric(self, name):
        """Whether column ``name`` holds numbers (rather than labels)."""
        return self.columns[name].dtype.kind == "f"

    def missing(self, name):
        """A boolean mask of the missing cells of column ``name``."""
        values = self.columns[name]
        if values.dtype.kind == "f":
            return np.isnan(values)
        return np.array([value is None for value in values], dtype=bool)

    def check_present(self, names):
        """Refuse missing cells in ``names``, naming the columns, counts and the remedy."""
        counts = {name: int(self.missing(name).sum()) for name in names}
        counts = {name: count for name, count in counts.items() if count}
        if not counts:
            return
        first = min(np.flatnonzero(self.missing(name))[0] for name in counts)
        described = ", ".join(f"{name!r} ({count})" for name, count in counts.items())
        raise CLIError(
            f"{self.source} has missing values in the columns {described}, first on "
            f"{self.where(first)}; skfisher does not impute: drop those rows with --dropna, "
            "declare more missing-value markers with --na-values, or fill them in"
        )

    def dropna(self, names):
        """Return the table without the rows that miss a value in ``names``."""
        missing = np.zeros(self.n_rows, dtype=bool)
        for name in names:
            missing |= self.missing(name)
        kept = ~missing
        table = Table(
            self.source,
            {name: values[kept] for name, values in self.columns.items()},
            self.row_numbers[kept],
        )
        table.n_dropped = self.n_dropped + int(missing.sum())
        if table.n_rows == 0:
            raise CLIError(
                f"--dropna dropped every row of {self.source}: each row misses a value in "
                f"{', '.join(names)}; choose the columns with --features"
            )
        return table

    def numeric(self, name, role):
        """Return column ``name`` as finite floats, or raise a :class:`CLIError`.

        Parameters
        ----------
        name : str
            The column.
        role : str
            What the column is for (``"the target"``, ``"--weights"``), for messages.
        """
        self.check_column(name, role)
        values = self.columns[name]
        if values.dtype.kind != "f":
            present = [value for value in values if value is not None]
            raise CLIError(
                f"column {name!r} ({role}) is not numeric: it holds labels such as "
                f"{present[0]!r}; give a column of numbers"
            )
        self.check_present([name])
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise CLIError(
                f"column {name!r} has the non-finite value {values[bad[0]]} on "
                f"{self.where(bad[0])}; remove or correct that row"
            )
        return values

    def labels(self, name):
        """Return column ``name`` as strings, refusing missing cells."""
        self.check_present([name])
        values = self.columns[name]
        if values.dtype.kind == "f":
            return np.array([f"{value:g}" for value in values], dtype=object)
        return values.astype(object)


def design_matrix(table, features, categorical=(), fit_intercept=True):
    """Return the model matrix of ``features`` and its column names.

    Numeric columns enter as they are. A column of labels (or listed in
    ``categorical``) is one-hot encoded: its levels are sorted
    (alphabetically, or numerically for a numeric column), the first is the
    reference and is dropped, and each other level gets a column named
    ``name[T.level]``. Without an intercept the first categorical feature
    keeps all its levels (``name[level]``), so the design keeps full rank, as
    in patsy.

    Parameters
    ----------
    table : Table
        The data.
    features : list of str
        The columns to use, in order.
    categorical : collection of str, default=()
        Numeric columns to encode as categories anyway.
    fit_intercept : bool, default=True
        Whether the model has an intercept.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns)
        The model matrix (without the intercept column).
    names : list of str
        The name of each column of ``X``.
    references : dict of str to str
        The reference (dropped) level of each categorical feature.
    """
    blocks, names, references = [], [], {}
    full_rank_pending = not fit_intercept
    for name in features:
        table.check_column(name, "feature")
        if name not in categorical and table.is_numeric(name):
            blocks.append(table.numeric(name, "feature")[:, None])
            names.append(name)
            continue
        labels = table.labels(name)
        levels = _sorted_levels(labels, numeric=table.is_numeric(name))
        if len(levels) < 2:
            raise CLIError(
                f"categorical feature {name!r} has the single level {levels[0]!r}; "
                "drop it from --features"
            )
        if full_rank_pending:
            kept, full_rank_pending = levels, False
            names.extend(f"{name}[{level}]" for level in kept)
        else:
            kept = levels[1:]
            references[name] = levels[0]
            names.extend(f"{name}[T.{level}]" for level in kept)
        blocks.append(np.column_stack([labels == level for level in kept]).astype(float))
    X = np.hstack(blocks) if blocks else np.empty((table.n_rows, 0))
    return X, names, references


def _sorted_levels(labels, numeric):
    levels = sorted(set(labels))
    if numeric:
        levels.sort(key=float)
    return levels


def _column_name(match, feature_names):
    """The column behind scikit-learn's default name ``x<j>`` in ``match`` (prefix kept)."""
    j = int(match.group(2))
    if j >= len(feature_names):
        return match.group(0)
    return (match.group(1) or "") + feature_names[j]


def column_names(param_names, feature_names):
    """Replace scikit-learn's ``x0, x1, ...`` in parameter names by the column names."""
    pattern = re.compile(r"(^|:)x(\d+)$")
    return [pattern.sub(lambda m: _column_name(m, feature_names), str(n)) for n in param_names]


def quoted_column_names(message, feature_names):
    """Replace quoted ``'x0'`` (or ``'class:x0'``) in a message by the column's name."""
    pattern = re.compile(r"(?<=')([^':]*:)?x(\d+)(?=')")
    return pattern.sub(lambda m: _column_name(m, feature_names), message)
