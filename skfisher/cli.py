"""The ``skfisher`` command line: fit a model or a distribution and print its estimates.

``skfisher fit`` fits a regression (logistic, Poisson, Gamma or any GLM) to a CSV
file and prints the coefficient table with standard errors; ``skfisher dist``
fits univariate distributions by maximum likelihood. Without a file each runs on
a bundled real dataset, and plain ``skfisher`` prints the logistic fit of the
1996 American National Election Study. Bad input ends with one line on stderr,
``skfisher: error: ...``, and exit status 2.
"""

import argparse
import os
import sys

from . import __version__
from ._cli_fit import MODELS, run_fit
from ._cli_output import print_report
from ._cli_table import CLIError, Table, read_csv
from ._contract import COV_TYPES
from .datasets._loaders import DATASETS, bundled_columns

__all__ = ["main"]

FORMATS = ("text", "csv", "json")
# The kind of response of each family's bundled example (the others: "positive").
FAMILY_RESPONSES = {"binomial": "binary", "poisson": "count", "negative_binomial": "count"}
EXIT_USAGE = 2
EXAMPLES = """examples:
  skfisher                                   logistic fit of the bundled anes96 vote data
  skfisher fit data.csv --target y           model chosen from y; string columns one-hot
  skfisher fit data.csv --target visits --model poisson --offset log_days --cov-type sandwich
  skfisher fit --dataset randhie --format json
  skfisher dist data.csv --column x          every family, ranked by AIC
  skfisher fit --help                        all the options of a command
"""
EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message):
        raise SystemExit(_report_error(f"{message} (see '{self.prog} --help')"))


def _report_error(message):
    """Print ``skfisher: error: message`` as one line on stderr; return the exit status."""
    message = " ".join(str(message).split())
    print(f"skfisher: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _add_data_arguments(parser, role):
    parser.add_argument(
        "data",
        nargs="?",
        metavar="DATA.csv",
        help="comma-separated file with a header row ('-' reads standard input); "
        f"without it, a bundled dataset chosen by --dataset or by the {role}",
    )
    parser.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        help="use this bundled dataset instead of a file (see skfisher.datasets)",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="1 - confidence level of the intervals (default: 0.05)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--cov-type",
        choices=COV_TYPES,
        default="fisher",
        help="covariance behind the standard errors (default: fisher)",
    )


def _build_parser():
    parser = _Parser(
        prog="skfisher",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXAMPLES,
        description="Fit maximum-likelihood models by Fisher scoring and print the estimates\n"
        "with standard errors, z, p-values and confidence intervals. Without a command,\n"
        "fit the logistic regression of the bundled 1996 American National Election\n"
        "Study vote data.",
    )
    parser.add_argument("--version", action="version", version=f"skfisher {__version__}")
    parser.add_argument(
        "--cov-type",
        dest="top_cov_type",
        default="fisher",
        choices=COV_TYPES,
        help="covariance behind the standard errors (default: fisher)",
    )
    parser.add_argument(
        "--alpha",
        dest="top_alpha",
        metavar="ALPHA",
        type=float,
        default=0.05,
        help="1 - confidence level (default: 0.05)",
    )
    commands = parser.add_subparsers(dest="command", metavar="{fit,dist}")
    _add_fit_parser(commands)
    _add_dist_parser(commands)
    return parser


def _add_fit_parser(commands):
    fit = commands.add_parser(
        "fit",
        help="fit a regression model and print its coefficient table",
        description="Fit a regression by Fisher scoring. String columns among the "
        "features are one-hot encoded against their first level in sorted order.",
    )
    _add_data_arguments(fit, "model")
    fit.add_argument("--target", help="the response column")
    fit.add_argument("--features", help="comma-separated feature columns (default: all others)")
    fit.add_argument("--categorical", help="comma-separated numeric columns to one-hot encode")
    fit.add_argument(
        "--model",
        choices=sorted(MODELS),
        help="logistic, poisson, gamma, or glm with --family and --link (default: "
        "chosen from the response: two values -> logistic, counts -> poisson, "
        "positive -> gamma, otherwise glm with the gaussian family)",
    )
    fit.add_argument("--family", help="GLM family, e.g. binomial, poisson, gamma, gaussian")
    fit.add_argument("--link", help="GLM link, e.g. logit, probit, log, identity, inverse")
    fit.add_argument("--weights", help="column of frequency weights (sample_weight)")
    fit.add_argument("--offset", help="column of offsets added to the linear predictor")
    fit.add_argument("--groups", help="column of cluster labels, for --cov-type cluster")
    fit.add_argument("--no-intercept", action="store_true", help="fit without an intercept")


def _add_dist_parser(commands):
    dist = commands.add_parser(
        "dist",
        help="fit a univariate distribution by maximum likelihood",
        description="Fit a distribution to one column by maximum likelihood and print "
        "its parameters with standard errors; --family auto compares families by AIC.",
    )
    _add_data_arguments(dist, "family")
    dist.add_argument("--column", help="the column to fit")
    dist.add_argument(
        "--family",
        default="auto",
        help="distribution family (e.g. normal, gamma, poisson), or auto to fit every "
        "family whose support holds the data and compare them by AIC (default: auto)",
    )


def main(argv=None):
    """Run the command line; return the exit status (2 after a bad-input error)."""
    try:
        args = _build_parser().parse_args(argv)
        if args.command is None:
            args = _build_parser().parse_args(
                ["fit", "--dataset", "anes96", "--cov-type", args.top_cov_type]
                + ["--alpha", repr(args.top_alpha)]
            )
        if not 0 < args.alpha < 1:
            raise CLIError(f"--alpha must be in (0, 1); got {args.alpha}")
        if args.command == "dist":
            from ._cli_dist import run_dist

            report = run_dist(args, _load_table(args))
        else:
            report = run_fit(args, _load_table(args))
        print_report(report, args.format)
    except SystemExit as exc:  # --help, --version and argument errors
        return exc.code
    except BrokenPipeError:
        # The reader went away (``skfisher ... | head``): not an error of ours.
        # Point stdout at devnull so that Python's exit-time flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERNAL
    except (CLIError, ValueError) as exc:
        return _report_error(exc)
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


def _load_table(args):
    """Return the :class:`Table` to fit and the bundled dataset's entry (or None)."""
    if args.data is not None and args.dataset is not None:
        raise CLIError("give either DATA.csv or --dataset, not both")
    if args.data is not None:
        return read_csv(args.data), None
    name = args.dataset or _default_dataset(args)
    spec = DATASETS[name]
    source = f"{spec['title']} (skfisher.datasets.load_{name})"
    return Table(source, bundled_columns(name)), spec


def _default_dataset(args):
    """The bundled dataset whose response suits the command, model or family asked for."""
    if args.command == "dist":
        return "engel"
    if args.family is not None:
        kind = FAMILY_RESPONSES.get(args.family, "positive")
        return next(name for name, spec in DATASETS.items() if spec["response"] == kind)
    model = args.model if args.model in ("poisson", "gamma") else "logistic"
    return next(name for name, spec in DATASETS.items() if spec["model"] == model)
