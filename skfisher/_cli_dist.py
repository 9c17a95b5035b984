"""``skfisher dist``: fit a univariate distribution by maximum likelihood.

With ``--family auto`` every family whose support holds the data is fitted and
the fits are ranked by AIC. Non-integer data are compared among the continuous
families. Integer data (counts, or measurements recorded to a unit) are tried
with the discrete and the continuous families unless ``--discrete``; a density
and a probability mass are not on one scale, so a continuous fit enters the
ranking by the log-likelihood of the integers themselves, each the probability
``F(x + 1/2) - F(x - 1/2)`` that the fitted law gives to the unit interval
around it: the likelihood of the continuous law with the values rounded to
integers, which is on the scale of the discrete families' probabilities.
"""

import warnings

import numpy as np
from scipy import stats

from ._cli_args import as_options, split_names
from ._cli_output import ComparisonReport, ModelReport, reported_warnings
from ._cli_table import CLIError


def run_dist(args, loaded):
    """Fit ``args.family`` (or every family) to one column; return the report."""
    from .distributions import MLEDistribution

    table, spec = loaded
    column = args.column or (spec["target"] if spec else None)
    if column is None:
        raise CLIError("--column is required with a data file: name the column to fit")
    x = table.numeric(column, "--column")
    fixed = _fixed(args.fixed)
    options = {"cov_type": args.cov_type, "max_iter": args.max_iter, "tol": args.tol}

    def report(estimator, family):
        return ModelReport(
            estimator=estimator,
            names=list(estimator.param_names_),
            heading=f"{_family_title(family)} distribution of {column!r}, by maximum likelihood",
            source=table.source,
            n_rows=table.n_rows,
            conf_level=args.conf_level,
            n_dropped=table.n_dropped,
            extra={"column": column, "family": family},
        )

    if args.family != "auto":
        family = resolve_family(args.family)
        with reported_warnings(as_options):
            estimator = MLEDistribution(family=family, fixed=fixed, **options).fit(x)
        return report(estimator, args.family)
    integer = _is_integer(x)
    if args.discrete and not integer:
        raise CLIError(
            f"--discrete needs integer data, but column {column!r} holds non-integer values "
            f"(such as {x[x != np.round(x)][0]:g}); leave --discrete out"
        )
    families = candidate_families(x, discrete_only=args.discrete)
    fits, skipped, estimators = _fit_families(x, families, integer, fixed, options)
    if not fits:
        raise CLIError(f"no distribution family could be fitted to column {column!r}")
    fits.sort(key=lambda fit: fit["aic"])
    best = fits[0]["family"]
    heading = (
        f"Distribution families for {column!r} ({'integer' if integer else 'continuous'} "
        f"data, {x.size} values),\nfitted by maximum likelihood and ranked by AIC "
        "(lower is better)"
    )
    if integer and not args.discrete:
        heading += (
            ";\na continuous family's log-likelihood is that of the values rounded to "
            "integers,\nsum log(F(x + 1/2) - F(x - 1/2)); --discrete tries the discrete "
            "families only"
        )
    return ComparisonReport(heading, fits, skipped, report(estimators[best], best))


def _fit_families(x, families, integer, fixed, options):
    """Fit each family, quietly; return the comparison rows, the failures and the fits."""
    from .distributions import MLEDistribution

    fits, skipped, estimators = [], {}, {}
    for family in families:
        try:
            # A family that does not suit the data may warn on its way to
            # failing; the comparison reports the fits, not their warnings.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator = MLEDistribution(family=family, fixed=fixed, **options).fit(x)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            skipped[family] = as_options(" ".join(str(exc).split()))
            continue
        estimators[family] = estimator
        fits.append(_comparison_row(family, estimator, x, integer))
    return fits, skipped, estimators


def resolve_family(name):
    """Return a skfisher family name, or the ``scipy.stats`` distribution called ``name``.

    A name that skfisher does not know is looked up in :mod:`scipy.stats`; it must
    be a distribution (an ``rv_continuous`` or ``rv_discrete`` instance, such as
    ``gumbel_r``), not a function or a class of the module.
    """
    from .distributions import ALIASES, FAMILIES

    key = name.lower()
    if ALIASES.get(key, key) in FAMILIES:
        return name
    dist = getattr(stats, name, None)
    if isinstance(dist, stats.rv_continuous | stats.rv_discrete):
        return dist
    raise CLIError(
        f"Unknown family {name!r}: give one of {', '.join(sorted(FAMILIES))}, auto, or the "
        "name of a scipy.stats distribution (e.g. --family gumbel_r)"
    )


def _fixed(value):
    """Parse ``--fixed n=10,loc=0`` into a dict of floats."""
    fixed = {}
    for item in split_names(value):
        name, sep, number = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            fixed[name.strip()] = float(number)
        except ValueError:
            raise CLIError(
                f"--fixed takes NAME=VALUE pairs separated by commas (e.g. --fixed n=10); "
                f"got {item!r}"
            ) from None
    return fixed or None


def _is_integer(x):
    return bool(np.all(x == np.round(x)))


# Left out of --family auto: the von Mises distribution is for angles (a circular
# density is not comparable with a linear one) and the binomial needs its number
# of trials; both can still be asked for by name.
NOT_AUTO = ("von_mises", "binomial")


def candidate_families(x, discrete_only=False):
    """The families ``--family auto`` tries on ``x``.

    Continuous families for non-integer data; for integer data the discrete
    families, and the continuous ones too unless ``discrete_only``.
    """
    from .distributions import FAMILIES

    integer = _is_integer(x)
    kinds = {True} if discrete_only else ({True, False} if integer else {False})
    return [
        name
        for name, family in FAMILIES.items()
        if bool(family.discrete) in kinds and name not in NOT_AUTO
    ]


def integer_loglik(estimator, x):
    """The log-likelihood of integers ``x`` under a fitted continuous law, rounded to integers.

    Each value's probability is ``F(x + 1/2) - F(x - 1/2)``, taken from the
    survival function above the median for accuracy in the right tail. A value
    the law gives no probability makes it ``-inf`` (ranked last).
    """
    dist = estimator.distribution_
    upper = dist.median() < x
    p = np.where(
        upper,
        dist.sf(x - 0.5) - dist.sf(x + 0.5),
        dist.cdf(x + 0.5) - dist.cdf(x - 0.5),
    )
    with np.errstate(divide="ignore"):  # p = 0 is an impossible value: -inf, ranked last
        return float(np.sum(np.log(np.maximum(p, 0.0))))


def _comparison_row(family, estimator, x, integer):
    from .distributions import FAMILIES

    n_params = len(estimator.params_)
    loglik = float(estimator.loglik_)
    if integer and not FAMILIES[family].discrete:
        loglik = integer_loglik(estimator, x)
    return {
        "family": family,
        "n_params": n_params,
        "loglik": loglik,
        "aic": float(-2 * loglik + 2 * n_params),
        "bic": float(-2 * loglik + np.log(estimator.nobs_) * n_params),
        "converged": bool(estimator.converged_),
    }


def _family_title(family):
    return family.replace("_", " ").capitalize()
