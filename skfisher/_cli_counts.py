"""``skfisher fit --model zeroinflated`` and ``--model hurdle``: counts with a zero part.

The count part is Poisson or the negative binomial (``--family``, log link);
the zero part is a logit model of a structural zero (zero-inflated) or of a
positive count (hurdle) on the columns of ``--zero-features`` (default: every
feature; ``1``: a constant only, as ``y ~ x | 1`` in R's pscl).
"""

from ._cli_args import COUNT_MODELS, split_names
from ._cli_table import CLIError

COUNT_FAMILIES = ("poisson", "negative_binomial")
_TITLES = {"zeroinflated": "Zero-inflated", "hurdle": "Hurdle"}
_FAMILY_NAMES = {"poisson": "Poisson", "negative_binomial": "negative binomial"}
_ZERO_PARTS = {
    "zeroinflated": "Zero part (inflation:): the log odds of a structural zero",
    "hurdle": "Zero part (zero:): the log odds of a positive count, logit P(y > 0)",
}


def count_family(args, model, family, link):
    """Return ``(family, link)`` of a count model, refusing the options it does not take."""
    family = family or "poisson"
    if family not in COUNT_FAMILIES:
        raise CLIError(
            f"--model {model} counts with --family poisson or negative_binomial, not {family!r}"
        )
    refused = [
        (link not in (None, "log"), f"--link {link}: its count part has the log link"),
        (args.no_intercept, "--no-intercept: both of its parts have an intercept"),
        (args.bias_reduction is not None, "--bias-reduction"),
        (args.levels is not None, "--levels"),
    ]
    for given, what in refused:
        if given:
            raise CLIError(f"--model {model} takes no {what}")
    return family, "log"


def zero_columns(args, model, features, names):
    """The columns of the design (``names``) in the zero part, from ``--zero-features``.

    ``None`` (every feature) without the option; ``[]`` for ``--zero-features 1``.
    """
    if args.zero_features is None:
        return None
    given = split_names(args.zero_features)
    if given == ["1"]:
        return []
    if not given:
        raise CLIError(
            "--zero-features needs column names, or 1 for a zero part with a constant only"
        )
    outside = [name for name in given if name not in features]
    if outside:
        raise CLIError(
            f"--zero-features {outside[0]!r} is not a feature of --model {model}; the "
            f"features are {', '.join(features)}"
        )
    chosen = set(given)
    # A one-hot encoded feature enters with all its columns, name[T.level].
    return [
        j
        for j, column in enumerate(names)
        if column in chosen or column.split("[", 1)[0] in chosen and column.endswith("]")
    ]


def make_count_estimator(args, model, family, columns):
    """The estimator of ``--model zeroinflated`` or ``hurdle``."""
    from .counts import FisherHurdleRegressor, FisherZeroInflatedRegressor

    cls = FisherZeroInflatedRegressor if model == "zeroinflated" else FisherHurdleRegressor
    return cls(
        family,
        **{COUNT_MODELS[model]: columns},
        alpha=args.penalty,
        max_iter=args.max_iter,
        tol=args.tol,
        cov_type=args.cov_type,
    )


def count_title(model, family):
    """``"Zero-inflated negative binomial regression (log link)"``."""
    return f"{_TITLES[model]} {_FAMILY_NAMES[family]} regression (log link)"


def count_lines(model, family):
    """The text lines that say what each part of the model is."""
    count = _FAMILY_NAMES[family] + ("" if family == "poisson" else " (NB2, alpha estimated)")
    truncated = "zero-truncated " if model == "hurdle" else ""
    return [f"Count part (count:): {truncated}{count}, log link", _ZERO_PARTS[model]]
