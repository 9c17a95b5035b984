"""The options of the command line, and the estimators' remedies said as options.

The library's warnings and errors name the estimator's arguments
(``bias_reduction='firth'``, ``alpha > 0``, ``max_iter``); a user of the command
line sets them with options (``--bias-reduction firth``, ``--penalty``,
``--max-iter``), so :func:`as_options` rewrites every message the command line
prints.
"""

import argparse
import re
import sys

from ._contract import COV_TYPES
from .datasets import DATASETS

# Each --model: the family it fits (None: the one --family names; the ordinal
# model has no GLM family, its distribution is the link).
MODELS = {
    "logistic": "binomial",
    "poisson": "poisson",
    "gamma": "gamma",
    "glm": None,
    "ordinal": None,
    "zeroinflated": None,
    "hurdle": None,
    "cox": None,
    "aft": None,
}
# The count models with a zero part, and the argument naming the zero part's columns.
COUNT_MODELS = {"zeroinflated": "inflation_features", "hurdle": "zero_features"}
# The survival models: their response is --time and --event, not --target.
SURVIVAL_MODELS = ("cox", "aft")
# The laws of the survival time of --model aft (R's survreg(dist = ...)).
AFT_DISTRIBUTIONS = ("weibull", "exponential", "lognormal", "loglogistic")
# The links of --model ordinal: the distribution F of its latent variable.
ORDINAL_LINKS = ("logit", "probit", "cloglog", "loglog", "cauchit")

FORMATS = ("text", "csv", "json")
EXIT_USAGE = 2
DIST_COV_TYPES = tuple(cov for cov in COV_TYPES if cov != "cluster")  # dist takes no groups
BIAS_REDUCTIONS = ("firth", "flic")
DEFAULT_CONF_LEVEL = 0.95

EXAMPLES = """examples:
  skfisher                                   logistic fit of the bundled anes96 vote data
  skfisher fit data.csv --target y           model chosen from y; string columns one-hot
  skfisher fit data.csv --target visits --model poisson --offset log_days --cov-type sandwich
  skfisher fit data.csv --target y --bias-reduction firth     Firth's logistic regression
  skfisher fit data.csv --target y --na-values unknown --dropna
  skfisher fit --dataset randhie --format json
  skfisher fit data.csv --target rating --model ordinal --levels low,mid,high --link probit
  skfisher fit --dataset randhie --model zeroinflated --family negative_binomial --zero-features 1
  skfisher fit data.csv --model cox --time days --event died --strata centre
  skfisher fit --dataset veteran --model aft --distribution lognormal
  skfisher dist data.csv --column x          every family, ranked by AIC
  skfisher dist data.csv --column x --family gumbel_r         any scipy.stats distribution
  skfisher fit --help                        all the options of a command
"""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message):
        raise SystemExit(report_error(f"{message} (see '{self.prog} --help')"))


def report_error(message):
    """Print ``skfisher: error: message`` as one line on stderr; return the exit status."""
    message = " ".join(str(message).split())
    print(f"skfisher: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _add_confidence(parser, dest_prefix=""):
    parser.add_argument(
        "--conf-level",
        dest=f"{dest_prefix}conf_level",
        type=float,
        default=None,
        metavar="LEVEL",
        help=f"confidence level of the intervals (default: {DEFAULT_CONF_LEVEL})",
    )
    parser.add_argument(
        "--alpha",
        dest=f"{dest_prefix}alpha",
        type=float,
        default=None,
        help="deprecated: 1 - the confidence level; use --conf-level (the L2 penalty of "
        "the fit is --penalty)",
    )


def _add_data_arguments(parser, role, cov_types):
    parser.add_argument(
        "data",
        nargs="?",
        metavar="DATA.csv",
        help="delimited text file with a header row ('-' reads standard input; needs "
        f"pandas); without it, a bundled dataset chosen by --dataset or by the {role}",
    )
    parser.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        help="use this bundled dataset instead of a file (see skfisher.datasets)",
    )
    read = parser.add_argument_group("reading DATA.csv")
    read.add_argument(
        "--sep",
        default="auto",
        help="the field separator: one character, 'tab', or auto to guess among comma, "
        "semicolon, tab and | (default: auto)",
    )
    read.add_argument("--decimal", default=".", help="the decimal mark (default: .)")
    read.add_argument("--encoding", default="utf-8", help="the text encoding (default: utf-8)")
    read.add_argument(
        "--na-values",
        action="append",
        default=[],
        metavar="V1,V2,...",
        help="more cells to read as missing, comma-separated (e.g. unknown,-999), on top of "
        "'', NA, NaN, null, None, n/a",
    )
    read.add_argument(
        "--dropna",
        action="store_true",
        help="drop the rows with a missing value in a column used (their count is printed); "
        "without it a missing value is an error",
    )
    _add_confidence(parser)
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--cov-type",
        choices=cov_types,
        default="fisher",
        help="covariance behind the standard errors (default: fisher)",
    )
    parser.add_argument(
        "--max-iter", type=int, default=100, help="most Fisher-scoring iterations (default: 100)"
    )
    parser.add_argument(
        "--tol", type=float, default=1e-8, help="convergence tolerance (default: 1e-8)"
    )


def build_parser():
    """The parser of ``skfisher`` and its commands ``fit`` and ``dist``."""
    parser = Parser(
        prog="skfisher",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXAMPLES,
        description="Fit maximum-likelihood models by Fisher scoring and print the estimates\n"
        "with standard errors, z, p-values and confidence intervals. Without a command,\n"
        "fit the logistic regression of the bundled 1996 American National Election\n"
        "Study vote data.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"skfisher {__version__}")
    parser.add_argument(
        "--cov-type",
        dest="top_cov_type",
        default="fisher",
        choices=COV_TYPES,
        help="covariance behind the standard errors (default: fisher)",
    )
    _add_confidence(parser, "top_")
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
    _add_data_arguments(fit, "model", COV_TYPES)
    fit.add_argument("--target", help="the response column")
    fit.add_argument("--features", help="comma-separated feature columns (default: all others)")
    fit.add_argument("--categorical", help="comma-separated feature columns to one-hot encode")
    fit.add_argument(
        "--model",
        choices=sorted(MODELS),
        help="logistic, poisson, gamma, glm with --family and --link, ordinal "
        "(ordered classes, cumulative link), zeroinflated or hurdle (counts with a zero "
        "part; --family poisson or negative_binomial), cox (proportional hazards) or aft "
        "(accelerated failure time, --distribution), the survival models of --time and "
        "--event (default: chosen from the response: two "
        "values -> logistic, counts -> poisson, positive -> gamma, otherwise glm with "
        "the gaussian family)",
    )
    fit.add_argument(
        "--family",
        help="GLM family, e.g. binomial, poisson, gamma, gaussian, quasi_poisson, quasi_binomial",
    )
    fit.add_argument(
        "--link",
        help="GLM link, e.g. logit, probit, log, identity, inverse; for --model ordinal "
        f"one of {', '.join(ORDINAL_LINKS)} (default: logit)",
    )
    fit.add_argument(
        "--levels",
        metavar="A,B,...",
        help="the classes of the target in their order, lowest first, for --model "
        "ordinal (implies it); default: the sorted values, numerically for numbers",
    )
    fit.add_argument(
        "--zero-features",
        metavar="A,B,...",
        help="the feature columns of the zero part of --model zeroinflated or hurdle, "
        "or 1 for a constant only (default: every feature)",
    )
    _add_survival_arguments(fit)
    fit.add_argument("--weights", help="column of frequency weights (sample_weight)")
    fit.add_argument("--offset", help="column of offsets added to the linear predictor")
    fit.add_argument("--groups", help="column of cluster labels, for --cov-type cluster")
    fit.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    fit.add_argument(
        "--bias-reduction",
        choices=BIAS_REDUCTIONS,
        help="Firth's bias-reduced fit (finite estimates under separation), or flic: "
        "Firth's slopes with the intercept re-estimated (logistic only)",
    )
    fit.add_argument(
        "--penalty",
        type=float,
        default=0.0,
        help="L2 penalty alpha of the coefficients, as the estimators' alpha (default: 0)",
    )


def _add_survival_arguments(fit):
    survival = fit.add_argument_group("survival models (--model cox or aft)")
    survival.add_argument("--time", help="the column of survival times (censored or not)")
    survival.add_argument(
        "--event", help="the column of event indicators: 1 for an event, 0 for a censored time"
    )
    survival.add_argument(
        "--ties",
        choices=("efron", "breslow"),
        help="tied event times in --model cox: Efron's approximation or Breslow's "
        "(default: efron, as R's coxph)",
    )
    survival.add_argument(
        "--strata", help="column of strata of --model cox: a baseline hazard for each label"
    )
    survival.add_argument(
        "--distribution",
        choices=AFT_DISTRIBUTIONS,
        help="the law of the survival time of --model aft (default: weibull, as R's survreg)",
    )


def _add_dist_parser(commands):
    dist = commands.add_parser(
        "dist",
        help="fit a univariate distribution by maximum likelihood",
        description="Fit a distribution to one column by maximum likelihood and print "
        "its parameters with standard errors; --family auto compares families by AIC.",
    )
    _add_data_arguments(dist, "family", DIST_COV_TYPES)
    dist.add_argument("--column", help="the column to fit")
    dist.add_argument(
        "--family",
        default="auto",
        help="distribution family (e.g. normal, gamma, poisson, or any scipy.stats "
        "distribution name such as gumbel_r), or auto to fit every family whose support "
        "holds the data and compare them by AIC (default: auto)",
    )
    dist.add_argument(
        "--discrete",
        action="store_true",
        help="with --family auto and integer data, try the discrete families only "
        "(by default integer data are tried with the continuous families too)",
    )
    dist.add_argument(
        "--fixed",
        metavar="NAME=VALUE,...",
        help="parameters held at a value, e.g. n=10 for the binomial's trials",
    )


def conf_level(args, parser_prefix=""):
    """Return (confidence level, note or None) from --conf-level or the deprecated --alpha."""
    level = getattr(args, f"{parser_prefix}conf_level")
    alpha = getattr(args, f"{parser_prefix}alpha")
    note = None
    if alpha is not None:
        if level is not None:
            raise ValueError("give --conf-level only (--alpha is its deprecated form)")
        level = float(f"{1 - alpha:.12g}")
        note = (
            f"--alpha is deprecated: it sets 1 - the confidence level; use --conf-level {level:g} "
            "(the L2 penalty of the fit is --penalty)"
        )
        if not 0 < alpha < 1:
            raise ValueError(f"--alpha must be in (0, 1); got {alpha}")
    level = DEFAULT_CONF_LEVEL if level is None else level
    if not 0 < level < 1:
        raise ValueError(f"--conf-level must be in (0, 1), e.g. 0.95; got {level}")
    return level, note


def split_names(value):
    """The names of a comma-separated option (``--features a,b``), blanks dropped."""
    return [name.strip() for name in value.split(",") if name.strip()] if value else []


def column_options(args):
    """Each option that names columns, with the names it gives."""
    if args.command == "dist":
        return {"--column": [args.column] if args.column else []}
    return {
        "--target": [args.target] if args.target else [],
        "--features": split_names(args.features),
        "--categorical": split_names(args.categorical),
        "--zero-features": [name for name in split_names(args.zero_features) if name != "1"],
        "--weights": [args.weights] if args.weights else [],
        "--offset": [args.offset] if args.offset else [],
        "--groups": [args.groups] if args.groups else [],
        "--time": [args.time] if args.time else [],
        "--event": [args.event] if args.event else [],
        "--strata": [args.strata] if args.strata else [],
    }


# Estimator arguments and the options that set them.
OPTIONS = {
    "bias_reduction": "--bias-reduction",
    "cov_type": "--cov-type",
    "family": "--family",
    "link": "--link",
    "max_iter": "--max-iter",
    "tol": "--tol",
}
_REWRITES = [
    # The plain count models a zero-inflated or hurdle fit without zeros points to.
    (
        re.compile(r"FisherPoissonRegressor, or FisherGLMRegressor\(family='negative_binomial'\)"),
        "--model poisson, or --model glm --family negative_binomial",
    ),
    (re.compile(r"\bbias_reduction=None\b"), "no --bias-reduction"),
    (re.compile(r"\balpha > 0\b"), "--penalty > 0"),
    (re.compile(r"\bfit_intercept=True\b"), "no --no-intercept"),
    (re.compile(r"\bfit_intercept=False\b"), "--no-intercept"),
    (
        re.compile(r"\bfixed=\{'(\w+)': ([^}]*)\}"),
        lambda m: f"--fixed {m.group(1)}={m.group(2).replace('...', 'VALUE')}",
    ),
    (
        re.compile(r"(?<![-\w])(" + "|".join(OPTIONS) + r")=(['\"]?)([\w.+-]+)\2"),
        lambda m: f"{OPTIONS[m.group(1)]} {m.group(3)}",
    ),
    (re.compile(r"(?<![-\w'])(max_iter|tol)\b(?!')"), lambda m: OPTIONS[m.group(1)]),
]


def as_options(message):
    """Rewrite the estimator arguments a message names as the options that set them.

    Quoted words (column names such as ``'tol'``) are left as they are.
    """
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message
