"""``skfisher fit --model ordinal``: the classes of the target in order, and their names.

The target's values become the codes 0, …, K − 1 of ordered classes (sorted,
or in the order of ``--levels``), and the thresholds between them are named as
R names them, ``"low|mid"``.
"""

import numpy as np

from ._cli_args import ORDINAL_LINKS
from ._cli_table import CLIError


def ordinal_link(args, family, link):
    """The link of ``--model ordinal``, refusing the options that model does not take."""
    refused = [
        (family is not None, "--family: its distribution is the --link"),
        (args.no_intercept, "--no-intercept: it has no intercept, its thresholds take its place"),
        (args.offset is not None, "--offset"),
        (args.bias_reduction is not None, "--bias-reduction"),
    ]
    for given, what in refused:
        if given:
            raise CLIError(f"--model ordinal takes no {what}")
    if link is not None and link not in ORDINAL_LINKS:
        raise CLIError(
            f"--link {link!r} is not a link of --model ordinal; choose one of "
            f"{', '.join(ORDINAL_LINKS)}"
        )
    return link or "logit"


def threshold_names(levels):
    """R's names of the thresholds between consecutive classes, ``"low|mid"``."""
    labels = [str(level) for level in levels]
    return [f"{low}|{high}" for low, high in zip(labels[:-1], labels[1:], strict=True)]


def check_level_weights(levels, codes, weights, target):
    """Refuse a class whose rows all have weight 0 (its thresholds are not identified)."""
    if weights is None or np.any(weights < 0):
        return  # negative weights: the estimator's own message
    totals = np.bincount(codes, weights=weights, minlength=len(levels))
    empty = [levels[k] for k in np.flatnonzero(totals <= 0)]
    if empty:
        raise CLIError(
            f"the classes {', '.join(map(repr, empty))} of the target {target!r} have no rows "
            "of positive --weights; each class of an ordinal model needs some: give them "
            "weight, or merge the class with a neighbour"
        )


# Without --levels, more classes than this is almost always a measurement given
# to the ordinal model by mistake (each class adds a threshold).
MAX_LEVELS = 30


def ordered_classes(table, target, levels_option):
    """Return the codes 0, …, K − 1 of the target's classes, and their labels in order.

    ``levels_option`` (``--levels``) gives every class, lowest first; without it
    the order is the sorted values (numerically for a numeric column). Codes, not
    an ordered Categorical, let the bundled data be fitted without pandas.
    """
    numeric = table.is_numeric(target)
    values = table.numeric(target, "the target") if numeric else table.labels(target)
    observed, inverse = np.unique(values, return_inverse=True)
    levels = [_number_label(v) if numeric else str(v) for v in observed]
    if levels_option:
        given = list(levels_option)
        keys = [_level_number(level, target, levels) if numeric else level for level in given]
        position = _level_positions(keys, given, list(observed), levels, target)
        inverse, levels = position[inverse], given
    if len(levels) < 3:
        raise CLIError(
            f"--model ordinal needs at least 3 ordered classes; the target {target!r} has "
            f"{len(levels)} ({', '.join(levels)}): for two classes use --model logistic"
        )
    if len(levels) > MAX_LEVELS and not levels_option:
        raise CLIError(
            f"the target {target!r} has {len(levels)} distinct values, too many classes for "
            "--model ordinal (one threshold each); for a measurement use --model glm, or "
            "give every class in order with --levels"
        )
    return np.asarray(inverse, dtype=np.intp).ravel(), levels


def _level_positions(keys, given, observed, labels, target):
    """Each observed value's position in ``--levels``, refusing a list that is not exact."""
    twice = sorted({given[j] for j, key in enumerate(keys) if keys.index(key) != j})
    if twice:
        raise CLIError(f"--levels lists {', '.join(map(repr, twice))} more than once")
    absent = [given[j] for j, key in enumerate(keys) if key not in observed]
    if absent:
        raise CLIError(
            f"--levels lists {', '.join(map(repr, absent))}, which no row of the target "
            f"{target!r} has; each class of an ordinal model needs observations: leave "
            f"{'it' if len(absent) == 1 else 'them'} out (the values are {', '.join(labels)})"
        )
    missing = [labels[k] for k, value in enumerate(observed) if value not in keys]
    if missing:
        raise CLIError(
            f"the target {target!r} has the values {', '.join(map(repr, missing))}, which "
            "--levels does not list; list every class, lowest first"
        )
    return np.array([keys.index(value) for value in observed], dtype=np.intp)


def _level_number(level, target, labels):
    try:
        return float(level)
    except ValueError:
        raise CLIError(
            f"--levels {level!r} is not a number, but the target {target!r} is numeric; "
            f"give its values in order, e.g. --levels {','.join(labels)}"
        ) from None


def _number_label(value):
    """A numeric class as written: ``3`` for 3.0, ``2.5`` for 2.5 (repr: no two alike)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)
