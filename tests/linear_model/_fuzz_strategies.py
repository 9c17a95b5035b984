"""Random GLM problems of every family/link pair, and statsmodels' fits of them.

A problem is described by a :class:`Spec` (family, link, seed and the shape of
the data); :func:`make_problem` turns it into ``X, y, sample_weight, offset``
deterministically, so that ``make_problem(Spec(...))`` is a complete
reproducer. :func:`specs` is the hypothesis strategy over them.

The truth is the model fitted: the linear predictor is linear in X (and the
offset) for the link, moving the mean by a random relative amount around a
centre inside the family's domain, so that the means are inside the domain and
the maximum-likelihood estimate is interior (for the identity, inverse and
1/μ² links the relative change is bounded so that no mean crosses 0).
"""

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from hypothesis import strategies as st
from statsmodels.discrete.discrete_model import NegativeBinomial as DiscreteNegativeBinomial

from skfisher.families import NegativeBinomial, Tweedie

from .test_glm import NB_ALPHA, SM_LINKS, TWEEDIE_POWER, sm_family

# "negative_binomial" has α fixed at NB_ALPHA (statsmodels' GLM); its α is
# estimated under "negative_binomial_alpha" (statsmodels' discrete NB2 model).
LINKS = {
    "binomial": ("logit", "probit", "cloglog", "log"),
    "poisson": ("log", "identity", "sqrt"),
    "gaussian": ("identity", "log", "inverse"),
    "gamma": ("inverse", "log", "identity"),
    "inverse_gaussian": ("inverse_squared", "log", "inverse", "identity"),
    "negative_binomial": ("log",),
    "negative_binomial_alpha": ("log",),
    "tweedie": ("log",),
}
PAIRS = [(family, link) for family, links in LINKS.items() for link in links]
DISPERSION = {"gaussian", "gamma", "inverse_gaussian", "tweedie"}
# Pairs whose log-likelihood is not concave in η: several maxima are possible.
# Poisson-sqrt is concave on η > 0 only: μ = η² allows η < 0 too, and the
# fits can end on different branches.
NON_CONCAVE = {
    ("poisson", "sqrt"),
    ("gaussian", "log"),
    ("gaussian", "inverse"),
    ("gamma", "identity"),
    ("inverse_gaussian", "log"),
    ("inverse_gaussian", "identity"),
}
# The largest relative change of the mean (η-scale change for the binomial's
# logit, probit and cloglog) each link allows without leaving the domain.
_MAX_CHANGE = {"identity": 0.7, "inverse": 0.7, "sqrt": 0.7, "inverse_squared": 0.4}


@dataclass(frozen=True)
class Spec:
    """Everything :func:`make_problem` needs; its repr is a reproducer."""

    family: str
    link: str
    seed: int
    n: int
    n_features: int
    weights: str  # "none", "integer", "continuous"; "trials" for binomial proportions
    offset: bool
    outlier: bool


@st.composite
def specs(draw, pairs=tuple(PAIRS)):
    """Hypothesis strategy of :class:`Spec` over ``pairs``."""
    family, link = draw(st.sampled_from(pairs))
    kinds = ["none", "integer", "continuous"] + (["trials"] if family == "binomial" else [])
    return Spec(
        family,
        link,
        seed=draw(st.integers(0, 2**32 - 1)),
        n=draw(st.integers(20, 200)),
        n_features=draw(st.integers(1, 4)),
        weights=draw(st.sampled_from(kinds)),
        offset=draw(st.booleans()),
        outlier=family != "binomial" and draw(st.integers(0, 4)) == 0,
    )


def ours_family(family):
    """The ``family`` argument of FisherGLMRegressor for a family name of :data:`LINKS`."""
    if family == "negative_binomial":
        return NegativeBinomial(alpha=NB_ALPHA)
    if family == "negative_binomial_alpha":
        return "negative_binomial"
    if family == "tweedie":
        return Tweedie(power=TWEEDIE_POWER)
    return family


def _features(rng, n, k):
    """Normal, uniform and 0/1 columns of scales 1e-3 to 1e3 and shifted locations."""
    columns = []
    for kind in rng.integers(0, 3, size=k):
        if kind == 0:
            column = rng.normal(size=n)
        elif kind == 1:
            column = rng.uniform(size=n)
        else:
            column = (rng.random(n) < rng.uniform(0.2, 0.8)).astype(float)
            column[:2] = [0.0, 1.0]  # never constant
        scale = 10.0 ** rng.uniform(-3, 3)
        columns.append(scale * (column + rng.uniform(-2, 2)))
    return np.column_stack(columns)


def _truth(spec, rng, X):
    """Return the true means and the offset (None without one)."""
    link = SM_LINKS[spec.link]()
    binomial = spec.family == "binomial"
    if binomial:
        centre = rng.uniform(0.05, 0.3) if spec.link == "log" else rng.uniform(0.1, 0.9)
    elif spec.family == "negative_binomial_alpha":
        # The expected information in α is a series over the counts up to
        # about the largest mean: larger means make each fit slow.
        centre = 10.0 ** rng.uniform(-0.5, 1)
    elif spec.family in ("poisson", "negative_binomial", "tweedie"):
        centre = 10.0 ** rng.uniform(-0.5, 2)
    else:
        centre = 10.0 ** rng.uniform(-3, 3)
    if binomial and spec.link == "log":
        change = rng.uniform(0.1, min(1.5, np.log(0.9 / centre)))
    else:
        change = rng.uniform(0.05, _MAX_CHANGE.get(spec.link, 2.0))
    z = (X - X.mean(axis=0)) / X.std(axis=0)
    linear = z @ rng.normal(size=X.shape[1])
    offset = rng.normal(size=len(linear)) * rng.uniform(0.2, 1) if spec.offset else 0.0
    bound = change / np.max(np.abs(linear + offset))
    # η = g(m) + slope · t moves the mean by m · t to first order (t on the
    # η scale for the binomial's symmetric links).
    slope = 1.0 if binomial and spec.link != "log" else centre * float(link.deriv(centre))
    eta = link(centre) + slope * bound * (linear + offset)
    mu = link.inverse(eta)
    return mu, (slope * bound * offset if spec.offset else None)


def _response(spec, rng, mu, trials):
    family = spec.family
    if family == "binomial":
        return rng.binomial(trials, mu) / trials
    if family == "poisson":
        return rng.poisson(mu).astype(float)
    if family.startswith("negative_binomial"):
        alpha = 10.0 ** rng.uniform(-1.5, 0.5)
        return rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu)).astype(float)
    if family == "gaussian":
        return mu + np.abs(mu).mean() * 10.0 ** rng.uniform(-3, -0.5) * rng.normal(size=mu.size)
    if family == "gamma":
        shape = 10.0 ** rng.uniform(-0.3, 2)
        return rng.gamma(shape, mu / shape)
    if family == "inverse_gaussian":
        cv2 = 10.0 ** rng.uniform(-2, 0)  # squared coefficient of variation φ μ
        return rng.wald(mu, mu / cv2)
    # Tweedie, 1 < p < 2: a Poisson number of gamma summands (Jørgensen 1987).
    phi, p = 10.0 ** rng.uniform(-0.5, 0.5), TWEEDIE_POWER
    counts = rng.poisson(mu ** (2 - p) / (phi * (2 - p)))
    y = rng.gamma(np.maximum(counts, 1) * (2 - p) / (p - 1), phi * (p - 1) * mu ** (p - 1))
    return np.where(counts == 0, 0.0, y)


def _weights(spec, rng, n):
    if spec.weights == "none":
        return None
    if spec.weights == "trials":
        weights = rng.integers(1, 20, size=n).astype(float)
    elif spec.weights == "integer":
        weights = rng.integers(0, 5, size=n).astype(float)
    else:
        weights = 10.0 ** rng.uniform(-3, 3, size=n)
    weights[rng.random(n) < 0.1] = 0.0
    # Enough rows in the likelihood for every parameter and a dispersion.
    weights[: spec.n_features + 3] = np.maximum(weights[: spec.n_features + 3], 1.0)
    return weights


def make_problem(spec):
    """Return ``X, y, sample_weight, offset`` for ``spec`` (the last two may be None)."""
    rng = np.random.default_rng(spec.seed)
    X = _features(rng, spec.n, spec.n_features)
    mu, offset = _truth(spec, rng, X)
    w = _weights(spec, rng, spec.n)
    trials = w.astype(int) if spec.weights == "trials" else np.ones(spec.n, dtype=int)
    y = _response(spec, rng, mu, np.maximum(trials, 1))
    if spec.outlier:
        i = rng.integers(spec.n)
        # At most 100 with α estimated: larger counts make its series long.
        y[i] *= 10.0 ** rng.uniform(1, 2 if spec.family == "negative_binomial_alpha" else 4)
        if spec.family in ("poisson", "negative_binomial", "negative_binomial_alpha"):
            y[i] = np.round(y[i])
    return X, y, w, offset


# statsmodels --------------------------------------------------------------------
def quietly(function):
    """Run ``function`` with statsmodels' warnings and numpy's floating-point warnings off.

    statsmodels warns for every non-canonical link (DomainWarning) and its
    IRLS overflows on its way out of the domain; only its result is judged.
    """

    def wrapped(*args):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return function(*args)

    wrapped.__doc__ = function.__doc__
    return wrapped


def _in_domain(family, mu):
    if not np.all(np.isfinite(mu)):
        return False
    if family == "binomial":
        # A mean within 1e-12 of 0 or 1 is a sign of separation (no MLE); a
        # decrement that rounding has made small then proves nothing.
        return bool(np.all((mu > 1e-12) & (mu < 1 - 1e-12)))
    return family == "gaussian" or bool(np.all(mu > 0))


def _glm_reference(spec, X, y, w, offset, our_params, our_phi):
    """statsmodels' GLM fit where it is trustworthy, else None.

    Trustworthy: its means are inside the family's domain and its Newton
    decrement ``Uᵀ(−H)⁻¹U`` (its own score and expected Hessian at its own
    scale) is below 1e-14, a step of 1e-7 standard errors: a tenth of the
    tolerance on the estimates. Its IRLS has no step halving and may leave the
    domain from its own start; it is then restarted from our estimate, and
    the decrement check decides again.
    """
    exog = sm.add_constant(X, has_constant="add")
    w = np.ones(len(y)) if w is None else w
    keep = w > 0
    exog, y, w = exog[keep], y[keep], w[keep]
    offset = None if offset is None else offset[keep]
    family = sm_family(spec.family, spec.link)
    for start in (None, our_params):
        try:
            model = sm.GLM(y, exog, family=family, freq_weights=w, offset=offset)
            fit = model.fit(tol=1e-13, maxiter=1000, start_params=start)
            scale = float(fit.scale)
            score = model.score(fit.params, scale=scale)
            hessian = model.hessian(fit.params, scale=scale, observed=False)
            decrement = float(score @ np.linalg.solve(-hessian, score))
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            continue
        if _in_domain(spec.family, fit.mu) and 0 <= decrement <= 1e-14:
            break
    else:
        return None
    information, observed, scores = _at_our_estimate(model, our_params, our_phi)
    llf = _llf(spec, model, our_params)
    if spec.weights == "trials":
        # statsmodels' llf with freq_weights omits log C(m, m y); the
        # two-column [successes, failures] model includes it.
        successes = np.rint(y * w)
        two_column = sm.GLM(
            np.column_stack([successes, w - successes]),
            exog,
            family=family,
            offset=offset,
        )
        llf = two_column.loglike(our_params, scale=1.0)
    return {
        "params": fit.params,
        "information": information,
        "observed": observed,
        # score_obs rows carry the weight once (w s); a weight is a repeated row.
        "empirical": scores.T @ (scores / w[:, None]),
        "loglik": llf,
        "dispersion": scale,
        "deviance": fit.deviance,
    }


def _at_our_estimate(model, params, scale):
    """statsmodels' expected and observed information and score rows at ``params``, ``scale``.

    The standard errors of a fit with an outlier can move by 3e-5 between two
    estimates 4e-9 standard errors apart (exact arithmetic at both): they rest
    on the rows with small residuals, whose residuals such a step changes by
    a visible fraction. Compared at statsmodels' own estimate (trusted to
    1e-7 standard errors), they would test the estimates a second time, more
    sharply than the estimates themselves are compared; at the same estimate
    they test the matrices.
    """
    information = -model.hessian(params, scale=scale, observed=False)
    observed = -model.hessian(params, scale=scale, observed=True)
    return information, observed, model.score_obs(params, scale=scale)


def _llf(spec, model, params):
    """statsmodels' ``llf`` at ``params``: at its φ̂ there, profiled for the Gaussian-identity.

    The log-likelihood at Pearson's φ̂ is not stationary in the estimate
    (φ̂ is not the maximum-likelihood φ): an inverse Gaussian fit with
    weights spanning 1e-3..1e3 moved it by 2e-8, relatively, between
    statsmodels' estimate and the exact maximum (4e-9 standard errors
    apart), by 2e-9 at ours. Compared at the same estimate it tests the
    log-likelihood, not the estimate once more.
    """
    mu = model.family.link.inverse(model.exog @ params + model._offset_exposure)
    if spec.family == "gaussian" and spec.link == "identity":
        scale = float(model.freq_weights @ np.square(model.endog - mu)) / model.wnobs
    else:
        scale = model.estimate_scale(mu)
    return model.loglike(params, scale=scale)


def _nb_alpha_reference(X, y, w, offset, our_params):
    """statsmodels' NB2 fit with α estimated (rows repeated by integer weights), or None."""
    if w is not None:
        if np.any(w != np.round(w)):
            return None  # the discrete model takes no weights
        rows = np.repeat(np.arange(len(y)), w.astype(int))
        X, y, offset = X[rows], y[rows], None if offset is None else offset[rows]
    model = DiscreteNegativeBinomial(y, sm.add_constant(X, has_constant="add"), offset=offset)
    # Nothing at our estimate where it is on the boundary α = 0: at α = 1e-8
    # statsmodels' Hessian (trigammas of y + 1/α) ran for minutes.
    starts = (None, our_params) if our_params[-1] > 1e-6 else (None,)
    for start in starts:
        try:
            fit = model.fit(start_params=start, method="newton", maxiter=300, disp=0)
            score = model.score(fit.params)
            hessian = model.hessian(fit.params)
            decrement = float(score @ np.linalg.solve(-hessian, score))
        except (ValueError, np.linalg.LinAlgError):
            continue
        if fit.params[-1] > 0 and 0 <= decrement <= 1e-14:
            break
    else:
        return None
    # The matrices and log-likelihood at our estimate, as for the GLM (see
    # _at_our_estimate), unless it is on the boundary.
    at = our_params if our_params[-1] > 1e-6 else fit.params
    scores = model.score_obs(at)
    return {
        "params": fit.params,
        "information": None,  # the discrete model has no expected information
        "observed": -model.hessian(at),
        "empirical": scores.T @ scores,
        "loglik": model.loglike(at),
        "dispersion": 1.0,
    }


glm_reference = quietly(_glm_reference)
nb_alpha_reference = quietly(_nb_alpha_reference)
