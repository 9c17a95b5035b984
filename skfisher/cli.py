"""The ``skfisher`` command line: fit a model or a distribution and print its estimates.

``skfisher fit`` fits a regression (logistic, Poisson, Gamma, any GLM or ordinal) to a CSV
file and prints the coefficient table with standard errors; ``skfisher dist``
fits univariate distributions by maximum likelihood. Without a file each runs on
a bundled real dataset, and plain ``skfisher`` prints the logistic fit of the
1996 American National Election Study; the bundled data need no pandas, a file
is read with pandas. Bad input ends with one line on stderr,
``skfisher: error: ...``, and exit status 2.
"""

import os
import sys

from ._cli_args import (
    as_options,
    build_parser,
    column_options,
    conf_level,
    report_error,
    split_names,
)
from ._cli_fit import run_fit
from ._cli_output import print_report
from ._cli_table import CLIError, Table, unknown_column_message
from .datasets import DATASETS, bundled_columns

__all__ = ["main"]

# The kind of response of each family's bundled example (the others: "positive").
FAMILY_RESPONSES = {
    "binomial": "binary",
    "quasi_binomial": "binary",
    "poisson": "count",
    "quasi_poisson": "count",
    "negative_binomial": "count",
}
EXIT_INTERNAL = 1


def main(argv=None):
    """Run the command line; return the exit status (2 after a bad-input error)."""
    notes = []
    try:
        args = _parse(argv, notes)
        table, spec = _load_table(args, notes)
        if args.command == "dist":
            from ._cli_dist import run_dist

            report = run_dist(args, (table, spec))
        else:
            report = run_fit(args, (table, spec))
        for note in notes:
            print(f"skfisher: note: {note}", file=sys.stderr)
        print_report(report, args.format)
    except SystemExit as exc:  # --help, --version and argument errors
        return exc.code
    except BrokenPipeError:
        # The reader went away (``skfisher ... | head``): not an error of ours.
        # Point stdout at devnull so that Python's exit-time flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERNAL
    except CLIError as exc:
        return report_error(exc)
    except ValueError as exc:  # the library's refusal: its remedies said as options
        return report_error(as_options(str(exc)))
    except Exception as exc:  # a defect, not bad input: say so in one line
        if os.environ.get("SKFISHER_TRACEBACK"):
            raise
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(
            f"skfisher: internal error: {message} (please report it; set "
            "SKFISHER_TRACEBACK=1 to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return 0


def _parse(argv, notes):
    """Parse the arguments (plain ``skfisher`` is ``fit`` on anes96); set ``conf_level``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    given = [
        option
        for option, value in [
            ("--cov-type", args.top_cov_type != "fisher"),
            ("--conf-level", args.top_conf_level is not None),
            ("--alpha", args.top_alpha is not None),
        ]
        if value
    ]
    if args.command is not None and given:
        # Options before the command apply to plain ``skfisher`` only.
        raise CLIError(
            f"{given[0]} comes after the command: skfisher {args.command} {given[0]} ..."
        )
    if args.command is None:
        level, note = conf_level(args, "top_")
        args = parser.parse_args(
            ["fit", "--dataset", "anes96", "--cov-type", args.top_cov_type]
            + ["--conf-level", repr(level)]
        )
        notes.extend([note] if note else [])
    level, note = conf_level(args)
    notes.extend([note] if note else [])
    args.conf_level = level
    return args


def _check_column_options(args, names, source):
    """Refuse a column option naming no column (a typo), listing the columns."""
    for option, given in column_options(args).items():
        for name in given:
            if name not in names:
                raise CLIError(unknown_column_message(option, name, names, source))


def _needed_columns(args, spec):
    """The columns the command reads (as ``_cli_fit`` chooses them), or None for all."""
    options = column_options(args)
    needed = {name for given in options.values() for name in given}
    if spec is None:
        if args.command == "dist" and not needed:
            raise CLIError("--column is required with a data file: name the column to fit")
        return needed if args.command == "dist" or options["--features"] else None
    if args.command == "dist":
        return needed or {spec["target"]}
    target = args.target or spec["target"]
    if not options["--features"]:
        if target != spec["target"]:
            return None  # every other column is a feature
        needed.update(spec["features"])
    return needed | {target}


def _load_table(args, notes):
    """Return the :class:`Table` to fit, with missing values checked, and the dataset entry."""
    if args.data is not None and args.dataset is not None:
        raise CLIError("give either DATA.csv or --dataset, not both")
    if args.data is not None:
        from ._cli_read import CSVFile

        na_values = [value for given in args.na_values for value in split_names(given)]
        csv_file = CSVFile(
            args.data,
            sep=args.sep,
            encoding=args.encoding,
            na_values=na_values,
            decimal=args.decimal,
        )
        notes.extend(csv_file.notes)
        _check_column_options(args, csv_file.names, csv_file.source)
        labels = set(column_options(args).get("--categorical", []))
        labels.update(column_options(args).get("--groups", []))
        wanted = _needed_columns(args, None)
        table, spec = csv_file.read(wanted, labels, categorical_option=args.command == "fit"), None
    else:
        name = args.dataset or _default_dataset(args)
        spec = DATASETS[name]
        source = f"{spec['title']} (skfisher.datasets.load_{name})"
        table = Table(source, bundled_columns(name))
        _check_column_options(args, table.names, source)
    used = _needed_columns(args, spec) or table.names
    used = [name for name in table.names if name in used]
    if args.dropna:
        n_rows = table.n_rows
        table = table.dropna(used)
        notes.append(
            f"--dropna dropped {table.n_dropped} of {n_rows} rows (a missing value in "
            f"{', '.join(used)})"
        )
    else:
        table.check_present(used)
    return table, spec


def _default_dataset(args):
    """The bundled dataset whose response suits the command, model or family asked for."""
    if args.command == "dist":
        return "engel"
    if args.family is not None:
        kind = FAMILY_RESPONSES.get(args.family, "positive")
        return next(name for name, spec in DATASETS.items() if spec["response"] == kind)
    model = "ordinal" if args.model is None and args.levels else args.model
    model = {"zeroinflated": "poisson", "hurdle": "poisson", "aft": "cox"}.get(model, model)
    model = model if model in ("poisson", "gamma", "ordinal", "cox") else "logistic"
    return next(name for name, spec in DATASETS.items() if spec["model"] == model)
