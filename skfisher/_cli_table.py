"""Tables for the command line: CSV files read with the standard library, and designs.

A :class:`Table` holds named columns, each a list of strings (from a file) or a
float array (from a bundled dataset). :func:`design_matrix` turns chosen
columns into a float matrix, one-hot encoding the categorical ones against a
reference level, with the level in each parameter's name (``color[T.red]``),
as patsy and R's treatment contrasts do.
"""

import csv
import io
import sys

import numpy as np

# Cells read as "no value": refuse them rather than guess (no silent imputation).
MISSING = frozenset({"", "na", "nan", "n/a", "null", "none", "."})


class CLIError(Exception):
    """A bad-input problem to report on one line (exit status 2)."""


class Table:
    """Named columns of equal length, from a CSV file or a bundled dataset.

    Parameters
    ----------
    source : str
        Where the data came from, for messages and headings.
    columns : dict of str to list of str or ndarray
        The columns, in file order: strings from a file; float arrays (numbers)
        or object arrays (labels) from a bundled dataset.
    line_numbers : list of int or None
        The file line of each row (for messages), or None for bundled data.
    """

    def __init__(self, source, columns, line_numbers=None):
        self.source = source
        self.columns = dict(columns)
        self.line_numbers = line_numbers
        self.n_rows = len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def names(self):
        """The column names, in order."""
        return list(self.columns)

    def _where(self, row):
        return f"line {self.line_numbers[row]}" if self.line_numbers else f"row {row + 1}"

    def check_column(self, name, role):
        """Raise a :class:`CLIError` when ``name`` (given as ``role``) is not a column."""
        if name not in self.columns:
            raise CLIError(
                f"{role} {name!r} is not a column of {self.source}; "
                f"the columns are {', '.join(self.names)}"
            )

    def is_numeric(self, name):
        """Whether every cell of column ``name`` reads as a number (or is missing)."""
        values = self.columns[name]
        if isinstance(values, np.ndarray):
            return values.dtype.kind == "f"
        for cell in values:
            if cell.strip().lower() not in MISSING and _to_float(cell) is None:
                return False
        return True

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
        if isinstance(values, np.ndarray) and values.dtype.kind != "f":
            raise CLIError(f"column {name!r} ({role}) is not numeric: it holds labels")
        if not isinstance(values, np.ndarray):
            self._check_present(name)
            parsed = [_to_float(cell) for cell in values]
            for row, value in enumerate(parsed):
                if value is None:
                    raise CLIError(
                        f"column {name!r} ({role}) is not numeric: {self._where(row)} has "
                        f"{values[row]!r}; give a column of numbers"
                    )
            values = np.array(parsed, dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise CLIError(
                f"column {name!r} has the non-finite value {values[bad[0]]} on "
                f"{self._where(bad[0])}; remove or correct that row"
            )
        return values

    def labels(self, name):
        """Return column ``name`` as strings, refusing missing cells."""
        values = self.columns[name]
        if isinstance(values, np.ndarray):
            if values.dtype.kind != "f":
                return values.astype(object)
            return np.array([f"{value:g}" for value in values], dtype=object)
        self._check_present(name)
        return np.array([cell.strip() for cell in values], dtype=object)

    def _check_present(self, name):
        for row, cell in enumerate(self.columns[name]):
            if cell.strip().lower() in MISSING:
                raise CLIError(
                    f"column {name!r} has a missing value ({cell!r}) on {self._where(row)}; "
                    "skfisher does not impute: remove or fill in the rows with missing values"
                )


def _to_float(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def read_csv(path):
    """Read a comma-separated file with a header row into a :class:`Table`.

    Parameters
    ----------
    path : str
        The file, or ``"-"`` for standard input.

    Returns
    -------
    table : Table
        The columns as strings; blank lines are skipped.
    """
    try:
        if path == "-":
            return _parse(io.StringIO(sys.stdin.read()), "standard input")
        with open(path, newline="", encoding="utf-8-sig") as handle:
            return _parse(handle, path)
    except FileNotFoundError:
        raise CLIError(f"cannot read {path!r}: there is no such file") from None
    except UnicodeDecodeError:
        raise CLIError(f"cannot read {path!r}: it is not UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    except csv.Error as exc:
        raise CLIError(f"cannot parse {path!r} as CSV: {exc}") from None


def _parse(handle, source):
    reader = csv.reader(handle)
    header = next(reader, None)
    if not header:
        raise CLIError(f"{source} is empty; expected a header row of column names")
    header = [name.strip() for name in header]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CLIError(f"{source} has duplicated column names: {', '.join(duplicated)}")
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        raise CLIError(
            f"{source} has a single column {header[0]!r}; skfisher reads comma-separated "
            "files: convert the separators to commas"
        )
    rows, line_numbers = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CLIError(
                f"line {reader.line_num} of {source} has {len(row)} fields but the header "
                f"has {len(header)}"
            )
        rows.append(row)
        line_numbers.append(reader.line_num)
    if not rows:
        raise CLIError(f"{source} has a header but no data rows")
    columns = {name: [row[j] for row in rows] for j, name in enumerate(header)}
    return Table(source, columns, line_numbers)


def design_matrix(table, features, categorical=(), fit_intercept=True):
    """Return the model matrix of ``features`` and its column names.

    Numeric columns enter as they are. A column with a non-numeric cell (or
    listed in ``categorical``) is one-hot encoded: its levels are sorted
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
        levels = _sorted_levels(labels, numeric=name in categorical and table.is_numeric(name))
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
