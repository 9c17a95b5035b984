"""Reading a CSV file for the command line, with pandas' C parser.

The separator is guessed from the first 64 KiB by :class:`csv.Sniffer` (among
comma, semicolon, tab and bar) unless ``--sep`` gives it, and the whole file is
then parsed once by ``pandas.read_csv`` with the fast C engine, keeping only
the columns the command uses (``usecols``). Numeric columns arrive as float
arrays, other columns as strings. Reading a file needs pandas (the ``pandas``
extra); the bundled datasets do not.
"""

import csv
import io
import re
import sys

import numpy as np

from ._cli_table import CLIError, Table

SNIFF_CHARS = 65536
CHUNK_ROWS = 100_000
SEPARATORS = ",;\t|"
SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " "}
# What pandas itself writes for an unnamed index column, or reads for a blank name.
UNNAMED = re.compile(r"^(Unnamed: \d+)?$")
# Show at most this many of the strings that spoil a numeric column.
SHOWN_VALUES = 5


def _pandas():
    try:
        import pandas
    except ImportError:
        raise CLIError(
            "reading a CSV file needs pandas, which is not installed; install it with: "
            "pip install 'skfisher[pandas]' (the bundled datasets, --dataset, need no pandas)"
        ) from None
    return pandas


class CSVFile:
    """A CSV file whose header has been read; :meth:`read` parses the columns asked for.

    Parameters
    ----------
    path : str
        The file, or ``"-"`` for standard input (read into memory once).
    sep : str, default="auto"
        The separator, ``"auto"`` to guess it, or ``"tab"``.
    encoding : str, default="utf-8"
        The text encoding (a byte-order mark is skipped).
    na_values : list of str, default=()
        Cells read as missing, on top of pandas' defaults (``""``, ``NA``,
        ``NaN``, ``null``, ``None``, ``n/a``, ...).
    decimal : str, default="."
        The decimal mark.
    """

    def __init__(self, path, *, sep="auto", encoding="utf-8", na_values=(), decimal="."):
        self.pd = _pandas()
        self.path, self.encoding = path, encoding
        self.na_values, self.decimal = list(na_values), decimal
        self.source = "standard input" if path == "-" else path
        self.notes = []
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read() if stream is not None else sys.stdin.read().encode(encoding)
            self._bytes = data
        self.sep = self._guard(lambda: self._separator(sep))
        raw = self._guard(self._raw_header)
        self.names, self.index_column = self._check_header(raw)

    def _open(self):
        if self.path == "-":
            return io.BytesIO(self._bytes)
        return self.path

    def _guard(self, read):
        """Run ``read``, turning the failures of reading a file into one-line errors."""
        pd, where = self.pd, repr(self.path) if self.path != "-" else "standard input"
        try:
            return read()
        except FileNotFoundError:
            raise CLIError(f"cannot read {where}: there is no such file") from None
        except UnicodeDecodeError:
            raise CLIError(
                f"cannot read {where}: it is not {self.encoding} text; give its encoding "
                "with --encoding (e.g. --encoding latin-1)"
            ) from None
        except LookupError:
            raise CLIError(
                f"--encoding {self.encoding!r} is not an encoding Python knows "
                "(e.g. utf-8, latin-1, cp1252)"
            ) from None
        except OSError as exc:
            raise CLIError(f"cannot read {where}: {exc.strerror or exc}") from None
        except pd.errors.EmptyDataError:
            raise CLIError(
                f"{self.source} is empty; expected a header row of column names"
            ) from None
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            message = str(exc).replace("Error tokenizing data. C error: ", "")
            raise CLIError(f"cannot parse {self.source} as CSV: {message}") from None

    def _separator(self, sep):
        if sep != "auto":
            sep = SEP_NAMES.get(sep.lower(), sep)
            if len(sep) != 1:
                raise CLIError(
                    f"--sep must be one character, tab or auto; got {sep!r} (e.g. --sep ';')"
                )
            return sep
        if self.path == "-":
            sample = self._bytes[: 4 * SNIFF_CHARS].decode(self.encoding, errors="ignore")
        else:
            with open(self.path, encoding=self.encoding, newline="") as handle:
                sample = handle.read(SNIFF_CHARS)
        # Sniff whole lines only: a cut last line has fewer separators.
        if "\n" in sample.rstrip("\n"):
            sample = sample[: sample.rstrip("\n").rfind("\n")]
        try:
            return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
        except csv.Error:  # one column, or no separator is consistent: read commas
            return ","

    def _options(self):
        return {"sep": self.sep, "encoding": self.encoding, "skipinitialspace": True}

    def _raw_header(self):
        # The first data row is read too: the parser then refuses it when it has
        # more fields than the header (which pandas would otherwise take for an
        # index column, shifting every name); later rows are checked by the parse.
        header = self.pd.read_csv(
            self._open(), header=None, nrows=2, dtype=str, keep_default_na=False,
            **self._options(),
        )  # fmt: skip
        return [str(name).strip() for name in header.iloc[0].tolist()]

    def _check_header(self, raw):
        """Return the named columns and the position of an index column (or None)."""
        duplicated = sorted({name for name in raw if raw.count(name) > 1 and name})
        if duplicated:
            raise CLIError(f"{self.source} has duplicated column names: {', '.join(duplicated)}")
        blank = [j for j, name in enumerate(raw) if UNNAMED.match(name)]
        index_column = None
        if blank and blank[0] == 0:
            # DataFrame.to_csv() writes the index first, under no name: it is
            # the row labels, not data (pandas reads it back as "Unnamed: 0").
            index_column, blank = 0, blank[1:]
        if blank:
            raise CLIError(
                f"column {blank[0] + 1} of {self.source} has no name in the header row; "
                "name every column (only a first, index column may be unnamed)"
            )
        if len(raw) == 1 and self.sep == ",":
            for sep in SEPARATORS[1:]:
                if sep in raw[0]:
                    raise CLIError(
                        f"{self.source} has a single column {raw[0]!r}; give its separator "
                        f"with --sep (e.g. --sep {sep!r})"
                    )
        names = [name for j, name in enumerate(raw) if j != index_column]
        if index_column is not None:
            self.notes.append(
                f"the first column of {self.source} has no name: it is taken for the row "
                "index that DataFrame.to_csv() writes and is not used (to_csv(index=False) "
                "writes no index)"
            )
        return names, index_column

    def read(self, usecols=None, labels=(), categorical_option=True):
        """Parse the columns ``usecols`` (all named columns if None) into a :class:`Table`.

        pandas' ``usecols`` would skip the check that every row has as many
        fields as the header (a row with one field too many would be read
        silently), so the file is parsed in chunks of rows with every field,
        each chunk keeping only the columns asked for: the memory held is that
        of the columns used.

        Parameters
        ----------
        usecols : collection of str or None
            The columns to keep (in file order).
        labels : collection of str
            Columns meant as labels: not refused when most of their cells are numbers.
        categorical_option : bool, default=True
            Whether the command has ``--categorical`` (to name it as a remedy).
        """
        self._categorical_option = categorical_option
        keep = [name for name in self.names if usecols is None or name in usecols]
        frame = self._guard(lambda: self._parse(keep))
        if frame.shape[0] == 0:
            raise CLIError(f"{self.source} has a header but no data rows")
        numeric = {
            name: frame[name].to_numpy(dtype=float, na_value=np.nan)
            for name in keep
            if self.pd.api.types.is_numeric_dtype(frame[name])
            and not self.pd.api.types.is_bool_dtype(frame[name])
        }
        # The other columns hold a non-number somewhere: read them again as
        # text, so that labels keep their spelling ("007", "1.50").
        text = [name for name in keep if name not in numeric]
        if text:
            frame = self._guard(lambda: self._parse(text, as_text=True))
        columns = {
            name: numeric[name] if name in numeric else self._column(name, frame[name], labels)
            for name in keep
        }
        return Table(self.source, columns, np.arange(1, frame.shape[0] + 1))

    def _parse(self, keep, as_text=False):
        pd = self.pd
        chunks = pd.read_csv(
            self._open(),
            header=0,
            names=self._all_names(),
            dtype=dict.fromkeys(keep, str) if as_text else None,
            na_values=self.na_values,
            decimal=self.decimal,
            chunksize=CHUNK_ROWS,
            **self._options(),
        )
        pieces = [chunk[keep] for chunk in chunks]
        return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=keep)

    def _all_names(self):
        names = list(self.names)
        if self.index_column is not None:
            names.insert(self.index_column, "\0index")
        return names

    def _column(self, name, series, labels):
        """A float array for numbers, or an object array of stripped strings (None missing)."""
        pd = self.pd
        text = series.str.strip()
        # Each distinct string is tried as a number once (labels repeat).
        codes, uniques = pd.factorize(text)
        uniques = pd.Series(uniques, dtype=object)
        if self.decimal != ".":
            uniques = uniques.str.replace(self.decimal, ".")
        parsed = pd.to_numeric(uniques, errors="coerce").to_numpy(dtype=float)
        present = codes >= 0
        numbers = np.where(present, parsed[codes] if parsed.size else np.nan, np.nan)
        is_number = present & ~np.isnan(numbers)
        if np.all(is_number[present]):
            return numbers
        values = text.to_numpy(dtype=object, na_value=None)
        if name not in labels:
            self._refuse_mixed(name, values[present], is_number[present])
        return values

    def _refuse_mixed(self, name, present, is_number):
        """Refuse a column of numbers spoilt by a few strings (``unknown``, ``-``, ``?``)."""
        if 2 * np.count_nonzero(is_number) <= present.size:
            if self.sep != "," and self.decimal == "." and _decimal_commas(present):
                raise CLIError(
                    f"column {name!r} holds numbers with a decimal comma (such as "
                    f"{present[0]!r}); give --decimal ,"
                )
            return
        strings = list(present[~is_number])
        distinct = list(dict.fromkeys(strings))  # in order of appearance
        shown = ", ".join(repr(value) for value in distinct[:SHOWN_VALUES])
        more = f" and {len(distinct) - SHOWN_VALUES} more" if len(distinct) > SHOWN_VALUES else ""
        levels = ""
        if self._categorical_option:
            levels = f", or list {name!r} in --categorical to use every value as a level"
        raise CLIError(
            f"column {name!r} is numeric but for {len(strings)} "
            f"{'cell' if len(strings) == 1 else 'cells'} holding {shown}{more}; "
            f"if they mark missing values give --na-values {','.join(distinct)} (with "
            f"--dropna to drop those rows){levels}"
        )


def _decimal_commas(values):
    pattern = re.compile(r"^[-+]?\d*,\d+$")
    return all(pattern.match(value) for value in values)
