"""The ``skfisher`` command line: fit a model and print its table of estimates."""

import argparse
import sys

from . import FisherLogisticRegression
from .datasets import load_anes96


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skfisher",
        description="Fit a maximum-likelihood model by Fisher scoring and print the "
        "estimates with standard errors, z, p-values and confidence intervals.",
    )
    parser.add_argument(
        "--cov-type",
        default="fisher",
        choices=["fisher", "observed", "empirical", "sandwich"],
        help="covariance behind the standard errors (default: fisher)",
    )
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="1 - confidence level (default: 0.05)"
    )
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    args = _build_parser().parse_args(argv)
    if not 0 < args.alpha < 1:
        print(f"skfisher: error: --alpha must be in (0, 1); got {args.alpha}", file=sys.stderr)
        return 2
    data = load_anes96()
    model = FisherLogisticRegression(cov_type=args.cov_type).fit(data.data, data.target)
    table = model.summary(alpha=args.alpha)
    table.names = ["intercept", *data.feature_names]
    print("Logistic regression of the 1996 US presidential vote (1 = Dole) on the")
    print("bundled American National Election Study data (skfisher.datasets.load_anes96)")
    print()
    print(table)
    return 0
