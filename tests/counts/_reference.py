"""Data and independent reference computations for the tests of the two-part count models.

The references are statsmodels' own models, used through their log-likelihoods
and analytic per-row scores only:

* ``ZeroInflatedPoisson`` and ``ZeroInflatedNegativeBinomialP(p=2)`` with
  ``inflation="logit"`` (parameters ``[inflation…, count…, alpha]``);
* ``Logit`` and the zero-truncated ``TruncatedLFPoisson`` /
  ``TruncatedLFNegativeBinomialP(p=2)``, the two separate parts of a hurdle.

Hessians are central differences of the analytic score, not statsmodels'
``hessian``: its ``ZeroInflatedPoisson.hessian`` is analytic and about 1 %
off its own numerical Hessian (a defect of statsmodels 0.14–0.15), and the
others are ``approx_hess`` of the log-likelihood, whose rounding error
``ε |ℓ| / h²`` (|ℓ| in the thousands, h ≈ 1e-4) reaches 2e-5 in the
standard errors of the poorly determined zero-part coefficients. Central
differences of an analytic score have an error of ``ε^(2/3)`` relative,
about 1e-10, so a comparison at 1e-5 measures skfisher and not the reference.
"""

import warnings
from functools import lru_cache

import numpy as np
import statsmodels.api as sm
from scipy.special import expit
from statsmodels.discrete.count_model import (
    ZeroInflatedNegativeBinomialP,
    ZeroInflatedPoisson,
)
from statsmodels.discrete.truncated_model import (
    TruncatedLFNegativeBinomialP,
    TruncatedLFPoisson,
)
from statsmodels.tools.numdiff import approx_fprime

from skfisher.datasets import load_randhie

FAMILIES = ("poisson", "negative_binomial")


@lru_cache(maxsize=1)
def _randhie_subset():
    X, y = load_randhie(return_X_y=True, as_frame=True)
    return X.iloc[::10].reset_index(drop=True), y.iloc[::10].reset_index(drop=True)


def randhie_subset():
    """Every 10th row of ``load_randhie()`` (2,019 rows): the subset of the pscl fits.

    Returns a DataFrame of the nine features and the Series ``mdvis`` (copies).
    """
    X, y = _randhie_subset()
    return X.copy(), y.copy()


def draw_counts(rng, mu, family, alpha):
    """Poisson or NB2 (``Var = μ + α μ²``) counts of means ``mu``."""
    if family == "poisson":
        return rng.poisson(mu).astype(float)
    return rng.negative_binomial(1.0 / alpha, 1.0 / (1.0 + alpha * mu)).astype(float)


def simulate(seed, *, kind="inflated", family="poisson", n=400, p=2, alpha=0.5, offset=False):
    """A random two-part count problem: ``(X, y, offset)``.

    Moderate coefficients on columns of mixed scale; ``kind`` "inflated"
    mixes structural zeros (``logit π = −0.7 + xᵀγ``) into the counts,
    "hurdle" draws zero-truncated counts where ``logit P(Y > 0) = 0.7 + xᵀγ``.
    With ``offset`` the count part has ``log(exposure)``, exposures in (0.5, 3).
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 2.0, size=p)
    beta = rng.uniform(-0.5, 0.5, size=p) / X.std(axis=0)
    gamma = rng.uniform(-1.0, 1.0, size=p) / X.std(axis=0)
    log_exposure = np.log(rng.uniform(0.5, 3.0, size=n)) if offset else None
    eta = 0.5 + X @ beta + (0.0 if log_exposure is None else log_exposure)
    mu = np.exp(eta)
    if kind == "inflated":
        counts = draw_counts(rng, mu, family, alpha)
        y = np.where(rng.random(n) < expit(-0.7 + X @ gamma), 0.0, counts)
    else:
        y = draw_counts(rng, mu, family, alpha)
        while np.any(y == 0):  # zero-truncated counts by rejection
            zero = y == 0
            y[zero] = draw_counts(rng, mu[zero], family, alpha)
        y[rng.random(n) >= expit(0.7 + X @ gamma)] = 0.0
    return X, y, log_exposure


def with_constant(X, columns=None):
    """``[1, X[:, columns]]`` (all columns by default; ``[]``: the constant alone)."""
    X = np.asarray(X, dtype=float)
    chosen = X if columns is None else X[:, list(columns)]
    return np.column_stack([np.ones(X.shape[0]), chosen])


# --- zero-inflated models ---------------------------------------------------------------
def zero_inflated_model(y, X, family, columns=None, *, offset=None, exposure=None):
    """statsmodels' zero-inflated model with the count part on all columns of X."""
    cls = ZeroInflatedPoisson if family == "poisson" else ZeroInflatedNegativeBinomialP
    extra = {} if family == "poisson" else {"p": 2}
    return cls(
        np.asarray(y, dtype=float),
        with_constant(X),
        exog_infl=with_constant(X, columns),
        inflation="logit",
        offset=offset,
        exposure=exposure,
        **extra,
    )


def fit_tightly(model, *, bfgs=True, fallback=None, newton_steps=30):
    """Fit a statsmodels model from its own start to its optimum; return the result.

    BFGS first (it stops short of its tiny ``gtol`` on a loss of precision;
    its warning is silenced), polished by Newton's steps to a step of 1e-12
    (statsmodels' Hessian: even 1 % off, the steps converge). ``bfgs=False``
    goes straight to Newton's steps (the truncated models, whose scores are
    slow for BFGS's many evaluations). Where statsmodels' own start fails
    (a nan estimate), the fit starts again from ``fallback``; the tests then
    check its gradient at the estimate.
    """
    starts = [None] if fallback is None else [None, np.asarray(fallback, dtype=float)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for start in starts:
            if bfgs:
                options = {"maxiter": 10000, "gtol": 1e-10, "disp": 0}
                start = model.fit(method="bfgs", start_params=start, **options).params
            result = model.fit(
                method="newton", maxiter=newton_steps, tol=1e-12, disp=0, start_params=start
            )
            if np.all(np.isfinite(result.params)):
                break
    return result


def inflated_order(n_count, n_zero, n_extra):
    """Indices taking skfisher's ``[count, inflation, α]`` to statsmodels' order.

    statsmodels' zero-inflated models order their parameters
    ``[inflation, count, α]``: ``ours[order]`` is in that order.
    """
    count = np.arange(n_count)
    zero = np.arange(n_count, n_count + n_zero)
    extra = np.arange(n_count + n_zero, n_count + n_zero + n_extra)
    return np.concatenate([zero, count, extra])


def hessian_of_score(score, params):
    """The Hessian of a log-likelihood: central differences of its analytic gradient."""
    params = np.asarray(params, dtype=float)
    H = approx_fprime(params, score, centered=True)
    return 0.5 * (H + H.T)


def expected_information_by_sum(model_at, params, max_count):
    """``Σ_i Σ_{k ≤ max_count} P_i(k) s_i(k) s_i(k)ᵀ`` with statsmodels' scores.

    ``model_at(k)`` is the reference model with every count set to ``k``: its
    ``loglikeobs`` gives ``log P_i(k)`` and its ``score_obs`` the scores
    ``s_i(k)``. Also returns the smallest total probability ``Σ_k P_i(k)``
    over the rows, to show that the sum leaves out no mass that matters.
    """
    information = np.zeros((params.size, params.size))
    total = 0.0
    for k in range(max_count + 1):
        model = model_at(k)
        proba = np.exp(model.loglikeobs(params))
        scores = model.score_obs(params)
        information += scores.T @ (proba[:, None] * scores)
        total = total + proba
    return information, float(np.min(total))


# --- hurdle models ------------------------------------------------------------------------
def hurdle_parts(y, X, family, columns=None, *, offset=None):
    """statsmodels' two parts of a hurdle: ``Logit(y > 0)`` and the truncated count model.

    Returns ``(logit, truncated, positive)`` with ``positive`` the rows of the
    truncated model.
    """
    y = np.asarray(y, dtype=float)
    positive = y > 0
    logit = sm.Logit(positive.astype(float), with_constant(X, columns))
    cls = TruncatedLFPoisson if family == "poisson" else TruncatedLFNegativeBinomialP
    extra = {} if family == "poisson" else {"p": 2}
    truncated = cls(
        y[positive],
        with_constant(X)[positive],
        offset=None if offset is None else offset[positive],
        **extra,
    )
    return logit, truncated, positive


def fit_logit(logit):
    """Logit by Newton's method (concave, analytic Hessian) to a step below 1e-12."""
    return logit.fit(method="newton", maxiter=100, tol=1e-12, disp=0)


def assert_params_close(ours, theirs, standard_errors, rtol):
    """``|Δθ| ≤ rtol · max(|θ|, SE)``: relative, but in standard errors for θ near 0.

    An estimate near 0 is known to the optimiser's resolution, which is a
    share of its standard error, not of its value.
    """
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    scale = np.maximum(np.abs(theirs), np.asarray(standard_errors, dtype=float))
    excess = np.abs(ours - theirs) / scale
    assert np.all(excess <= rtol), f"max |Δθ|/max(|θ|, SE) = {excess.max():.3g} > {rtol:g}"
    return float(excess.max())
