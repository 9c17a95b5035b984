"""``skfisher fit``: a regression fitted to a table, with its coefficient table.

The model is the one asked for (``--model``, ``--family``, ``--link``) or, by
default, the one a statistician would try first on the response: logistic
regression for two values, Poisson for counts, Gamma for positive numbers and
the Gaussian GLM otherwise. The survival models (``--model cox`` or ``aft``)
are fitted by ``_cli_survival``.
"""

import inspect
import re

import numpy as np

from ._cli_args import COUNT_MODELS, MODELS, as_options, split_names
from ._cli_counts import count_family, count_lines, count_title, make_count_estimator, zero_columns
from ._cli_ordinal import check_level_weights, ordered_classes, ordinal_link, threshold_names
from ._cli_output import ModelReport, reported_warnings
from ._cli_survival import run_survival, survival_model
from ._cli_table import CLIError, column_names, design_matrix, quoted_column_names


def _estimator_class(model):
    """The estimator of ``--model`` (imported here: ``--help`` need not load them)."""
    from .linear_model import (
        FisherGammaRegressor,
        FisherGLMRegressor,
        FisherLogisticRegression,
        FisherPoissonRegressor,
    )

    return {
        "logistic": FisherLogisticRegression,
        "poisson": FisherPoissonRegressor,
        "gamma": FisherGammaRegressor,
        "glm": FisherGLMRegressor,
    }[model]


def run_fit(args, loaded):
    """Fit the regression the arguments describe; return the report."""
    table, spec = loaded
    survival = survival_model(args, spec)
    if survival is not None:
        return run_survival(args, loaded, survival, _fit_params(args, table))
    target = args.target or (spec["target"] if spec else None)
    if target is None:
        raise CLIError("--target is required with a data file: name the response column")
    table.check_column(target, "the target")
    features = _features(args, table, target, spec)
    model, family, link = _resolve_model(args, table, target, spec)
    categorical = split_names(args.categorical)
    outside = [name for name in categorical if name not in features]
    if outside:
        raise CLIError(
            f"--categorical {outside[0]!r} is not a feature; the features are "
            f"{', '.join(features)}"
        )
    X, names, references = design_matrix(table, features, set(categorical), not args.no_intercept)
    levels = None
    if model == "ordinal":
        y, levels = ordered_classes(table, target, split_names(args.levels))
    else:
        y = _response(table, target, model)
    fit_params = _fit_params(args, table)
    if levels is not None:
        check_level_weights(levels, y, fit_params.get("sample_weight"), target)
    if model in COUNT_MODELS:
        columns = zero_columns(args, model, features, names)
        estimator = make_count_estimator(args, model, family, columns)
    else:
        estimator = _make_estimator(args, model, family, link)
    with reported_warnings(lambda message: as_options(_rename_quoted(message, names, levels))):
        estimator.fit(X, y, **fit_params)
    link = _link_name(estimator, family, link)
    param_names = column_names(estimator.param_names_, names)
    extra, lines = {"target": target, "family": family, "link": link}, []
    if family is not None and family.startswith("quasi_"):
        lines.append("A quasi-likelihood: φ is estimated; no log-likelihood, AIC or BIC")
    if levels is not None:
        param_names = param_names[: len(names)] + threshold_names(levels)
        extra["levels"] = levels
        lines.append(f"Classes, lowest first: {' < '.join(levels)}")
    if model in COUNT_MODELS:
        title = count_title(model, family)
        lines.extend(count_lines(model, family))
    else:
        title = _model_title(estimator, family, link)
    return ModelReport(
        estimator=estimator,
        names=param_names,
        heading=f"{title} of {target!r}, by Fisher scoring",
        source=table.source,
        n_rows=table.n_rows,
        conf_level=args.conf_level,
        references=references,
        n_dropped=table.n_dropped,
        extra=extra,
        lines=lines,
    )


def _fit_params(args, table):
    """The arguments of ``fit`` beside X and y: weights, offset and groups."""
    fit_params = {}
    if args.weights:
        fit_params["sample_weight"] = table.numeric(args.weights, "--weights")
    if args.offset:
        fit_params["offset"] = table.numeric(args.offset, "--offset")
    if (args.groups is None) != (args.cov_type != "cluster"):
        raise CLIError("--cov-type cluster and --groups COL go together: give both or neither")
    if args.groups:
        table.check_column(args.groups, "--groups")
        fit_params["groups"] = table.labels(args.groups)
    return fit_params


def _features(args, table, target, spec):
    """The feature columns: as given, the bundled model's, or every other column."""
    special = [target, args.weights, args.offset, args.groups]
    if args.features:
        features = split_names(args.features)
    elif spec is not None and target == spec["target"]:
        features = list(spec["features"])
    else:
        features = [name for name in table.names if name not in special]
    clash = sorted(set(features) & {name for name in special if name})
    if clash:
        raise CLIError(
            f"{', '.join(clash)} cannot be both a feature and the target, weights, "
            "offset or groups"
        )
    if not features and args.no_intercept:
        raise CLIError("the model has no features and no intercept: nothing to fit")
    return features


def _resolve_model(args, table, target, spec):
    """Return (model, family, link) from the arguments, the dataset and the response."""
    model, family, link = args.model, args.family, args.link
    if model is None and args.levels:
        model = "ordinal"
    if model is None and family is not None:
        model = "glm"
    if model is None:
        model = spec["model"] if spec and target == spec["target"] else _infer_model(table, target)
        family = None if model == "ordinal" else MODELS[model] or "gaussian"
    if model == "ordinal":
        return model, None, ordinal_link(args, family, link)
    if model in COUNT_MODELS:
        return model, *count_family(args, model, family, link)
    if args.levels:
        raise CLIError(
            f"--levels orders the classes of --model ordinal; --model {model} takes no --levels"
        )
    implied = MODELS[model]
    if implied is not None:
        if family not in (None, implied):
            raise CLIError(
                f"--model {model} fits the {implied} family, not {family!r}; "
                f"use --model glm --family {family}"
            )
        family = implied
    elif family is None:
        raise CLIError("--model glm needs --family (e.g. --family gaussian)")
    _check_names(family, link)
    if model == "logistic" and (link not in (None, "logit") or args.offset):
        model = "glm"  # the binomial GLM takes any binomial link and an offset
    return model, family, link


def _check_names(family, link):
    from .families import get_family
    from .links import get_link

    try:
        get_family(family)
        if link is not None:
            get_link(link)
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def _infer_model(table, target):
    """Choose a model from the response: the one a statistician would try first."""
    if not table.is_numeric(target):
        return "logistic"
    y = table.numeric(target, "the target")
    if np.unique(y).size == 2:
        return "logistic"
    if np.all(y >= 0) and np.all(y == np.round(y)):
        return "poisson"
    return "gamma" if np.all(y > 0) else "glm"


def _make_estimator(args, model, family, link):
    if model == "ordinal":
        from .ordinal import FisherOrdinalRegression

        return FisherOrdinalRegression(
            link=link,
            alpha=args.penalty,
            cov_type=args.cov_type,
            max_iter=args.max_iter,
            tol=args.tol,
        )
    cls = _estimator_class(model)
    accepted = cls().get_params()
    if link is not None and "link" not in accepted:
        cls = _estimator_class("glm")  # a convenience class without a link argument
        accepted = cls().get_params()
    params = {
        "cov_type": args.cov_type,
        "fit_intercept": not args.no_intercept,
        "alpha": args.penalty,
        "bias_reduction": args.bias_reduction,
        "max_iter": args.max_iter,
        "tol": args.tol,
    }
    if "family" in accepted:
        params["family"] = family
    if link is not None:
        params["link"] = link
    accepted_fit = inspect.signature(cls.fit).parameters
    for option, name in (("--offset", "offset"), ("--groups", "groups")):
        if getattr(args, name) and name not in accepted_fit:
            raise CLIError(f"{option} is not supported by the {model} model; use --model glm")
    return cls(**params)


# More classes than this is almost always a numeric response given to the
# logistic model by mistake (each class adds a block of parameters).
MAX_CLASSES = 20


def _response(table, target, model):
    if model != "logistic":
        return table.numeric(target, "the target")
    if table.is_numeric(target):
        y = table.numeric(target, "the target")
        if np.all(y == np.round(y)):
            y = y.astype(np.int64)  # label classes 0/1, not 0.0/1.0
    else:
        y = table.labels(target)
    n_classes = np.unique(y).size
    if n_classes > MAX_CLASSES:
        raise CLIError(
            f"the target {target!r} has {n_classes} distinct values, too many classes for "
            "the logistic model; for a count or a measurement use --model poisson, gamma "
            "or glm"
        )
    return y


def _rename_quoted(message, feature_names, levels=None):
    """Replace quoted ``'x0'`` in a warning by the column's name, and ordinal thresholds.

    With ``levels`` (an ordinal fit of the codes 0, 1, ...) a quoted threshold
    ``'0|1'`` becomes ``'low|mid'``.
    """
    message = quoted_column_names(message, feature_names)
    if levels is not None:
        names = dict(
            zip(threshold_names(range(len(levels))), threshold_names(levels), strict=True)
        )
        threshold = re.compile(r"(?<=')\d+\|\d+(?=')")
        message = threshold.sub(lambda m: names.get(m.group(0), m.group(0)), message)
    return message


def _link_name(estimator, family, link):
    """The link the fit used: the estimator's, the one asked for, or the family's default."""
    link = getattr(estimator, "link_", None) or link
    if link is None:
        from .families import get_family

        link = get_family(family).default_link
    return getattr(link, "name", link)


def _model_title(estimator, family, link_name):
    if hasattr(estimator, "thresholds_"):
        return f"Ordinal regression ({link_name} link)"
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        n_classes = len(classes)
        return "Logistic regression" if n_classes == 2 else "Multinomial logistic regression"
    title = family.replace("_", " ").capitalize().replace("Quasi p", "Quasi-P")
    return f"{title.replace('Quasi b', 'Quasi-b')} regression ({link_name} link)"
