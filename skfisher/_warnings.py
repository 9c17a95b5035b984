"""Warnings that point at the user's line, not at skfisher's.

``warnings.warn(..., stacklevel=n)`` needs the depth of the call chain, which
changes whenever the code between the user's ``fit`` and the warning does; a
hand-set number drifts and then blames skfisher's own lines. :func:`warn`
computes it instead: it walks up the stack past every frame of skfisher and of
scikit-learn (whose ``_fit_context`` and ``set_output`` wrappers sit between the
user and the estimator) and reports the first frame outside them, as pandas'
``find_stack_level`` does.
"""

import inspect
import os
import warnings

import sklearn

_SKIP = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep,
)


def user_stacklevel():
    """Return the ``stacklevel`` that names the first frame outside skfisher and scikit-learn.

    Counted for a ``warnings.warn`` call made by the function that calls this one.
    """
    frame = inspect.currentframe()
    level = 0
    try:
        frame = frame.f_back  # the caller of user_stacklevel, at stacklevel 1
        while frame is not None:
            level += 1
            if not os.path.abspath(frame.f_code.co_filename).startswith(_SKIP):
                return level
            frame = frame.f_back
    finally:
        del frame
    return max(level, 1)


def warn(message, category):
    """``warnings.warn(message, category)`` reported at the user's frame."""
    warnings.warn(message, category, stacklevel=user_stacklevel())
