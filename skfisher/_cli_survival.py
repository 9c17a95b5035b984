"""``skfisher fit --model cox|aft``: survival regression of a time and an event column.

The response is two columns, ``--time`` (the survival time, censored or not)
and ``--event`` (1 for an event, 0 for a censored time); the other columns, or
``--features``, are the features, one-hot encoded as in the other models. Cox's
model (:class:`~skfisher.survival.FisherCoxRegressor`) takes ``--ties`` and
``--strata`` and ``--bias-reduction firth``; the accelerated-failure-time model
(:class:`~skfisher.survival.FisherSurvivalRegressor`) takes ``--distribution``.
"""

import re

import numpy as np
from scipy import stats

from ._cli_args import SURVIVAL_MODELS, as_options, split_names
from ._cli_output import ModelReport, reported_warnings
from ._cli_table import CLIError, column_names, design_matrix, quoted_column_names

_TITLES = {
    "weibull": "Weibull",
    "exponential": "Exponential",
    "lognormal": "Log-normal",
    "loglogistic": "Log-logistic",
}
# The monotone-likelihood warning names each diverging feature unquoted: "x0 → +inf".
_DIVERGING = re.compile(r"\bx(\d+)(?= → [+-]inf)")


def survival_model(args, spec):
    """Return ``"cox"`` or ``"aft"`` for a survival fit, else None; refuse misplaced options.

    Without ``--model``, the bundled survival data are fitted by Cox's model
    (unless ``--target`` names another response).
    """
    model = args.model
    if model is None and spec is not None and spec["response"] == "survival":
        model = None if args.target else "cox"
    if args.distribution is not None and model != "aft":
        raise CLIError(
            "--distribution is the law of the survival time of --model aft; add --model aft "
            "(--model cox leaves the baseline hazard free; a GLM takes --family)"
        )
    if args.ties is not None and model != "cox":
        raise CLIError("--ties handles tied event times in --model cox only")
    if args.strata is not None and model != "cox":
        raise CLIError(
            "--strata gives each stratum its own baseline hazard in --model cox only; for "
            "another model make the column a --categorical feature"
        )
    if model not in SURVIVAL_MODELS:
        if args.time is not None or args.event is not None:
            raise CLIError(
                "--time and --event are the response of the survival models: add --model cox "
                "or --model aft (the response of another model is --target)"
            )
        return None
    refused = [
        (args.target is not None, "--target: its response is --time and --event"),
        (args.family is not None, "--family"),
        (args.link is not None, "--link"),
        (args.levels is not None, "--levels"),
        (args.zero_features is not None, "--zero-features"),
        (args.offset is not None, "--offset"),
        (model == "aft" and args.bias_reduction is not None, "--bias-reduction"),
        (args.bias_reduction == "flic", "--bias-reduction flic: it has no intercept"),
        (model == "cox" and args.no_intercept, "--no-intercept: it has no intercept"),
    ]
    for given, what in refused:
        if given:
            raise CLIError(f"--model {model} takes no {what}")
    return model


def _response_columns(args, spec, model):
    """The names of the time and event columns: the options', or the bundled data's."""
    survival_data = spec is not None and spec["response"] == "survival"
    time = args.time or (spec["target"] if survival_data else None)
    event = args.event or (spec["event"] if survival_data else None)
    if time is None or event is None:
        bundled = "; the bundled survival data are --dataset veteran" if spec else ""
        raise CLIError(
            f"--model {model} needs --time COL and --event COL: the survival time, and 1 "
            f"for an event or 0 for a censored time{bundled}"
        )
    if time == event:
        raise CLIError(f"--time and --event name the same column {time!r}")
    return time, event


def _times(table, name, model):
    time = table.numeric(name, "--time")
    bad = np.flatnonzero(time < 0 if model == "cox" else time <= 0)
    if bad.size:
        kind = "non-negative" if model == "cox" else "positive: --model aft models log time"
        raise CLIError(
            f"column {name!r} (--time) has the time {time[bad[0]]:g} on {table.where(bad[0])}; "
            f"survival times must be {kind}"
        )
    return time


def _events(table, name, time_name):
    event = table.numeric(name, "--event")
    bad = np.flatnonzero((event != 0) & (event != 1))
    if bad.size:
        raise CLIError(
            f"column {name!r} (--event) has the value {event[bad[0]]:g} on "
            f"{table.where(bad[0])}; code it 1 for an event and 0 for a censored time"
        )
    if not event.any():
        raise CLIError(
            f"column {name!r} (--event) has no events (every {time_name!r} is censored): "
            "a survival model needs some"
        )
    return event


def _features(args, table, spec, special):
    """The feature columns: as given, the bundled data's, or every other column."""
    if args.features:
        features = split_names(args.features)
    elif spec is not None and spec["response"] == "survival":
        features = list(spec["features"])
    else:
        features = [name for name in table.names if name not in special]
    clash = sorted(set(features) & {name for name in special if name})
    if clash:
        raise CLIError(
            f"{', '.join(clash)} cannot be both a feature and the time, event, strata, "
            "weights or groups"
        )
    outside = [name for name in split_names(args.categorical) if name not in features]
    if outside:
        raise CLIError(
            f"--categorical {outside[0]!r} is not a feature; the features are "
            f"{', '.join(features)}"
        )
    return features


def _estimator(args, model):
    from .survival import FisherCoxRegressor, FisherSurvivalRegressor

    common = {
        "alpha": args.penalty,
        "max_iter": args.max_iter,
        "tol": args.tol,
        "cov_type": args.cov_type,
    }
    if model == "cox":
        return FisherCoxRegressor(
            args.ties or "efron", bias_reduction=args.bias_reduction, **common
        )
    return FisherSurvivalRegressor(
        args.distribution or "weibull", fit_intercept=not args.no_intercept, **common
    )


def run_survival(args, loaded, model, fit_params):
    """Fit ``--model cox`` or ``aft`` to the table; return the report.

    ``fit_params`` are the weights and groups :func:`~skfisher._cli_fit.run_fit`
    read.
    """
    table, spec = loaded
    time_name, event_name = _response_columns(args, spec, model)
    special = [time_name, event_name, args.strata, args.weights, args.groups]
    features = _features(args, table, spec, special)
    if not features and (model == "cox" or args.no_intercept):
        raise CLIError(f"--model {model} needs features: give --features")
    time = _times(table, time_name, model)
    event = _events(table, event_name, time_name)
    categorical = set(split_names(args.categorical))
    # Cox's model has no intercept, but its baseline hazard plays that part: a
    # text column drops its reference level all the same.
    with_reference = model == "cox" or not args.no_intercept
    X, names, references = design_matrix(table, features, categorical, with_reference)
    if args.strata:
        fit_params["strata"] = table.labels(args.strata)
    y = np.empty(table.n_rows, dtype=[("event", bool), ("time", float)])
    y["event"], y["time"] = event == 1, time
    estimator = _estimator(args, model)
    with reported_warnings(lambda message: as_options(_renamed(message, names))):
        estimator.fit(X, y, **fit_params)
    lines, extra = _describe(estimator, model, args, time_name, event_name)
    return ModelReport(
        estimator=estimator,
        names=column_names(estimator.param_names_, names),
        heading=f"{_title(estimator, model)} of {time_name!r} (event {event_name!r}), by "
        "Fisher scoring",
        source=table.source,
        n_rows=table.n_rows,
        conf_level=args.conf_level,
        references=references,
        n_dropped=table.n_dropped,
        extra=extra,
        lines=lines,
    )


def _renamed(message, names):
    """A warning with the estimator's ``x0, x1, ...`` replaced by the column names."""
    message = quoted_column_names(message, names)
    return _DIVERGING.sub(lambda m: names[int(m.group(1))], message)


def _title(estimator, model):
    if model == "cox":
        return "Cox proportional-hazards regression"
    return f"{_TITLES[estimator.distribution]} accelerated-failure-time regression"


def _describe(estimator, model, args, time_name, event_name):
    """The text lines under the heading, and the facts for the JSON output."""
    n_events, nobs = estimator.n_events_, estimator.nobs_
    lines = [f"Events: {n_events:g} of {nobs:g} ({nobs - n_events:g} censored)"]
    extra = {
        "time": time_name,
        "event": event_name,
        "n_events": n_events,
        "null_loglik": estimator.null_loglik_,
    }
    facts = _cox_facts if model == "cox" else _aft_facts
    more_lines, more = facts(estimator, args)
    extra.update(more)
    return lines + more_lines, extra


def _cox_facts(estimator, args):
    """The log partial likelihoods, strata, concordance, global tests and hazard ratios."""
    lines = [
        f"Log partial likelihood = {estimator.loglik_:.6g}, at beta = 0: "
        f"{estimator.null_loglik_:.6g}"
    ]
    if args.strata:
        lines.append(f"Strata ({args.strata}): {len(estimator.strata_)} baseline hazards")
    tests = estimator.global_tests()
    table = estimator.summary(alpha=float(f"{1 - args.conf_level:.12g}"))
    facts = {
        "ties": estimator.ties,
        "strata": args.strata,
        "concordance": estimator.concordance_,
        "global_tests": {
            name: None if test is None else vars(test) for name, test in vars(tests).items()
        },
        # The table's exp(coef) and the ends of its interval.
        "hazard_ratios": table.values[:, -3],
        "hazard_ratio_conf_int": table.values[:, -2:],
    }
    return lines, facts


def _aft_facts(estimator, args):
    """The distribution, the scale and the likelihood-ratio test of every coefficient.

    The test compares the fit with the intercept-only model (R's
    ``summary(survreg)``), so it is left out of a fit without an intercept
    or without features.
    """
    facts = {"distribution": estimator.distribution, "scale": estimator.scale_}
    line = (
        f"Log-likelihood = {estimator.loglik_:.6g}, intercept only: {estimator.null_loglik_:.6g}"
    )
    k = estimator.coef_.size
    if estimator.fit_intercept and k:
        statistic = 2.0 * (estimator.loglik_ - estimator.null_loglik_)
        pvalue = float(stats.chi2.sf(statistic, k))
        facts["likelihood_ratio"] = {"statistic": statistic, "df": k, "pvalue": pvalue}
        line += f"; likelihood ratio test = {statistic:.6g} on {k} df, p={pvalue:.4g}"
    return [line], facts
