"""``skfisher dist``: fit a univariate distribution by maximum likelihood.

With ``--family auto`` every family whose support holds the data is fitted and
the fits are ranked by AIC. Densities and probability mass functions are not
on one scale, so integer data are compared among the discrete families and
other data among the continuous ones.
"""

import warnings

import numpy as np

from ._cli_output import ComparisonReport, ModelReport, reported_warnings
from ._cli_table import CLIError


def run_dist(args, loaded):
    """Fit ``args.family`` (or every family) to one column; return the report."""
    table, spec = loaded
    column = args.column or (spec["target"] if spec else None)
    if column is None:
        raise CLIError("--column is required with a data file: name the column to fit")
    x = table.numeric(column, "--column")
    if args.cov_type == "cluster":
        raise CLIError(
            "--cov-type cluster needs groups of observations, which dist does not take; "
            "choose fisher, observed, empirical or sandwich"
        )
    estimator_class = _estimator_class()

    def report(estimator, family):
        return ModelReport(
            estimator=estimator,
            names=list(estimator.param_names_),
            heading=f"{_family_title(family)} distribution of {column!r}, by maximum likelihood",
            source=table.source,
            n_rows=table.n_rows,
            alpha=args.alpha,
            extra={"column": column, "family": family},
        )

    if args.family != "auto":
        with reported_warnings():
            estimator = estimator_class(family=args.family, cov_type=args.cov_type).fit(x)
        return report(estimator, args.family)
    fits, skipped, estimators = [], {}, {}
    for family in candidate_families(x):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator = estimator_class(family=family, cov_type=args.cov_type).fit(x)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            skipped[family] = " ".join(str(exc).split())
            continue
        estimators[family] = estimator
        fits.append(_comparison_row(family, estimator))
    if not fits:
        raise CLIError(f"no distribution family could be fitted to column {column!r}")
    fits.sort(key=lambda fit: fit["aic"])
    best = fits[0]["family"]
    kind = "integer" if _is_integer(x) else "continuous"
    heading = (
        f"Distribution families for {column!r} ({kind} data, {x.size} values),\n"
        "fitted by maximum likelihood and ranked by AIC (lower is better)"
    )
    return ComparisonReport(heading, fits, skipped, report(estimators[best], best))


def _estimator_class():
    import skfisher

    estimator_class = getattr(skfisher, "MLEDistribution", None)
    if estimator_class is None:
        raise CLIError(
            "the dist command needs skfisher.MLEDistribution, which this version of "
            f"skfisher ({skfisher.__version__}) does not provide"
        )
    return estimator_class


def _is_integer(x):
    return bool(np.all(x == np.round(x)))


# Left out of --family auto: the von Mises distribution is for angles (a circular
# density is not comparable with a linear one) and the binomial needs its number
# of trials; both can still be asked for by name.
NOT_AUTO = ("von_mises", "binomial")


def candidate_families(x):
    """The families ``--family auto`` tries on ``x``: discrete for integers, else continuous."""
    from .distributions import FAMILIES

    discrete = _is_integer(x)
    return [
        name
        for name, family in FAMILIES.items()
        if bool(family.discrete) == discrete and name not in NOT_AUTO
    ]


def _comparison_row(family, estimator):
    n_params = len(estimator.params_)
    return {
        "family": family,
        "n_params": n_params,
        "loglik": float(estimator.loglik_),
        "aic": float(-2 * estimator.loglik_ + 2 * n_params),
        "bic": float(-2 * estimator.loglik_ + np.log(estimator.nobs_) * n_params),
        "converged": bool(estimator.converged_),
    }


def _family_title(family):
    return family.replace("_", " ").capitalize()
