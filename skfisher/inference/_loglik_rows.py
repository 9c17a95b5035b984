"""The log-likelihood of each observation under a fitted count model, for the Vuong test.

A fitted estimator gives it in one of two ways, looked for in this order:

* a method ``_loglik_rows(X, y, offset=None)`` returning ``log P(y_i | x_i)``
  for each row, unweighted, shape (n_samples,) (the zero-inflated and hurdle
  count regressors have one);
* a fitted GLM of a count family (``family_`` a :class:`~skfisher.families.Poisson`
  or :class:`~skfisher.families.NegativeBinomial`): ``family_.loglik_obs(y, μ, φ)``
  with ``μ = predict(X, offset=offset)`` and ``φ = dispersion_``.

Anything else is refused: a continuous density is not comparable with the
probability of a count, and a quasi-likelihood family has no likelihood at all.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..families import NegativeBinomial, Poisson

_COUNT_FAMILIES = (Poisson, NegativeBinomial)


def check_fitted(model, argument):
    """Raise ``ValueError`` (``NotFittedError``) unless ``model`` is a fitted estimator."""
    if not hasattr(model, "fit"):
        raise ValueError(
            f"{argument} must be a fitted estimator; got {type(model).__name__}, which "
            "has no fit method."
        )
    check_is_fitted(
        model,
        msg=(
            f"{argument} ({type(model).__name__}) is not fitted yet: call its fit with the "
            "data before testing it."
        ),
    )
    if not hasattr(model, "params_"):
        raise ValueError(
            f"{argument} ({type(model).__name__}) has no params_: the test takes skfisher "
            "estimators, whose params_ give the numbers of parameters of the corrections."
        )


def describe(model):
    """Name a model for a report: its class and, when it has one, its family."""
    family = getattr(model, "family_", None)
    name = getattr(family, "name", None)
    if name is None:
        params = model.get_params() if hasattr(model, "get_params") else {}
        name = params.get("family") if isinstance(params.get("family"), str) else None
    return type(model).__name__ + (f"({name})" if name else "")


def check_likelihood(model, argument):
    """Raise when ``model`` reports no log-likelihood (``loglik_`` nan: a quasi family)."""
    loglik = getattr(model, "loglik_", None)
    if loglik is not None and not np.isfinite(loglik):
        raise ValueError(
            f"{argument} ({describe(model)}) has no log-likelihood (loglik_ = {loglik!r}): a "
            "quasi-likelihood family specifies only a mean and a variance, not the "
            "probability of each observation, which the test compares. Fit a model with a "
            "likelihood (family='poisson' or 'negative_binomial')."
        )


def loglik_rows(model, X, y, offset, argument):
    """Return ``log P(y_i | x_i)`` of each row under the fitted ``model``, shape (n,)."""
    method = getattr(model, "_loglik_rows", None)
    if callable(method):
        rows = method(X, y, offset=offset)
    else:
        rows = _glm_rows(model, X, y, offset, argument)
    rows = np.asarray(rows, dtype=float)
    if rows.shape != y.shape:
        raise ValueError(
            f"{argument} gave log-likelihoods of shape {rows.shape} for {y.shape[0]} rows; "
            "_loglik_rows must return one value per row."
        )
    bad = ~np.isfinite(rows)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{argument} gives {int(bad.sum())} observation(s) a log-likelihood that is not "
            f"finite (row {first}: {rows[first]!r}, y = {y[first]!r}): the model gives an "
            "observed count probability 0. Test the models on the data they were fitted to."
        )
    return rows


def _glm_rows(model, X, y, offset, argument):
    family = getattr(model, "family_", None)
    if family is None or not hasattr(model, "predict"):
        raise ValueError(
            f"{argument} ({type(model).__name__}) gives no log-likelihood per observation: it "
            "has neither a method _loglik_rows(X, y, offset=None) nor a fitted count family "
            "(family_). The test takes GLMs of the poisson and negative_binomial families "
            "and the zero-inflated and hurdle count regressors."
        )
    if not isinstance(family, _COUNT_FAMILIES):
        name = getattr(family, "name", type(family).__name__)
        reason = (
            "a quasi-likelihood has no probability of each count"
            if str(name).startswith("quasi")
            else "the test compares the probabilities of the observed counts"
        )
        raise ValueError(
            f"{argument} is a GLM of the {name} family, but the test needs a count family, "
            f"poisson or negative_binomial: {reason}."
        )
    bad = ~((y >= 0) & (y == np.floor(y)))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"y must hold counts (non-negative whole numbers) for the probabilities of "
            f"{argument}; y[{first}] = {y[first]!r} is not."
        )
    mu = np.asarray(model.predict(X, offset=offset), dtype=float)
    return family.loglik_obs(y, mu, float(getattr(model, "dispersion_", 1.0)))
