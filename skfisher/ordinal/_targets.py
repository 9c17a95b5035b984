"""The classes of ``y`` and their order: a pandas ordered Categorical's, else the labels' own."""

import numpy as np


def ordinal_classes(y):
    """Return ``(categories, codes)`` of an ordered pandas Categorical ``y``, else None.

    Every category must be observed: an ordinal model has a threshold on each
    side of each class, and a class without observations leaves two of them
    equal (the estimate at the boundary of the parameter space).

    Raises
    ------
    ValueError
        When a category of ``y`` has no observation.
    """
    dtype = getattr(y, "dtype", None)
    if not getattr(dtype, "ordered", False) or not hasattr(dtype, "categories"):
        return None
    codes = np.asarray(y.cat.codes if hasattr(y, "cat") else y.codes, dtype=np.intp)
    categories = np.asarray(dtype.categories)
    observed = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    if not observed.all():
        missing = [label(value) for value in categories[~observed]]
        raise ValueError(
            f"y is an ordered Categorical whose categories {missing} have no observations; "
            "each class of an ordinal model needs some. Remove the unused categories "
            "(y.cat.remove_unused_categories()) or merge them with a neighbour."
        )
    return categories, codes


def class_index(y, ordered):
    """Return the classes and each row's index among them (``ordered``: a Categorical's).

    Raises
    ------
    ValueError
        For fewer than 3 classes.
    """
    classes, index = np.unique(y, return_inverse=True) if ordered is None else ordered
    if len(classes) < 3:
        raise ValueError(
            f"FisherOrdinalRegression needs at least 3 ordered classes; y has {len(classes)} "
            f"class{'es' if len(classes) != 1 else ''}: {[label(c) for c in classes]}. For "
            "two classes use FisherLogisticRegression (the cumulative logit with two classes "
            "is the logistic regression, with the intercept −θ)."
        )
    return classes, np.asarray(index, dtype=np.intp).ravel()


def check_class_weights(classes, y_index, weights):
    """Raise ``ValueError`` naming the classes without observations of positive weight."""
    totals = np.bincount(y_index, weights=weights, minlength=len(classes))
    empty = [label(classes[k]) for k in np.flatnonzero(totals <= 0)]
    if empty:
        raise ValueError(
            f"Every class needs observations of positive weight; the classes {empty} have "
            "none, so the thresholds around them are not identified. Drop or merge those "
            "classes, or give their rows positive sample_weight."
        )


def threshold_names(classes):
    """Return R's names of the thresholds, ``"<class j>|<class j+1>"``."""
    labels = [str(label(c)) for c in classes]
    return [f"{low}|{high}" for low, high in zip(labels[:-1], labels[1:], strict=True)]


def label(value):
    """A class label as a Python scalar, for messages and names."""
    return value.item() if hasattr(value, "item") else value
