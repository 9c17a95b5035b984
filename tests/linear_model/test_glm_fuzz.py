"""FisherGLMRegressor on random problems of every family/link pair.

Each example (see :mod:`._fuzz_strategies`) is fitted with the defaults
(``tol=1e-8``) and ``max_iter=1000``, warnings recorded, and checked for

- the stopping rule: ``converged_`` means the score at θ̂, measured at the
  reported φ̂ (``score_`` and ``information_`` are at φ̂), is below ``tol``
  standard errors, ``sqrt(Uᵀ I⁻¹ U) <= tol``; ``converged_=False`` comes with
  a warning naming the cause;
- agreement with statsmodels wherever statsmodels' own fit is trustworthy
  (its Newton decrement is below 1e-14 and its means are in the domain):
  estimates, the standard errors of every covariance, the log-likelihood and
  the dispersion. Where the likelihood is not concave and the two fits find
  different maxima, ours must be at least as good (a deviance no larger).
  The standard errors and the log-likelihood are statsmodels' at our
  estimate (they can move by more than their tolerance between two
  estimates 1e-8 standard errors apart), each standard error to the
  precision that float64 gives it (:mod:`._fuzz_precision`);
- with α estimated and on its boundary 0, statsmodels' α near 0 too and
  the same coefficients.

A failure is reported with its ``Spec``: ``make_problem(spec)`` rebuilds the
data. The examples are derandomized (a fixed seed), so CI runs the same
ones every time: 300 in the quick run, 1,000 more in the slow one.
"""

import warnings
from collections import Counter

import hypothesis
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from sklearn.exceptions import ConvergenceWarning

from skfisher import FisherGLMRegressor
from skfisher.exceptions import (
    BoundaryWarning,
    CollinearityWarning,
    DomainWarning,
    PerfectSeparationWarning,
)

from ._fuzz_precision import se_precision
from ._fuzz_strategies import (
    DISPERSION,
    NON_CONCAVE,
    PAIRS,
    Spec,
    glm_reference,
    make_problem,
    nb_alpha_reference,
    ours_family,
    specs,
)

TOL = 1e-8
# The reported score is recomputed at φ̂ after the loop stopped on its own
# (φ₀-scaled) copy: the two agree to rounding.
TOL_SLACK = 1e-6
CAUSES = (ConvergenceWarning, PerfectSeparationWarning, CollinearityWarning, BoundaryWarning)
COV_TYPES = ("fisher", "observed", "empirical", "sandwich")
# statsmodels is trusted to a step of 1e-7 standard errors and ours stops
# below 1e-8, so the estimates differ by less than 1e-6 standard errors; the
# standard errors move with the estimates by about as much, relatively.
PARAMS_SE_ATOL = 1e-6
SE_RTOL = 1e-5
UNDETERMINED = 0.1
LOGLIK_RTOL = 1e-8
DISPERSION_RTOL = 1e-7
# An α below this is the boundary α = 0: Var Y = μ (1 + αμ) is the Poisson
# variance to 1e-5 for means up to 10 (the fuzzed means are below 100), and
# the coefficients at α and at 0 differ by about α μ standard errors.
ALPHA_NEAR_ZERO = 1e-6
BOUNDARY_PARAMS_SE_ATOL = 1e-4
# Our deviance against statsmodels' where the two maxima differ.
DEVIANCE_RTOL = 1e-10


def fit_ours(spec, X, y, w, offset, **params):
    """Fit with warnings recorded; a numpy RuntimeWarning stays an error.

    ``max_iter=1000``, except 200 with α estimated, whose every iteration sums
    the series of α's expected information (a fit stuck at α → 0 costs 20 s
    at 1000 iterations).
    """
    params.setdefault("max_iter", 200 if spec.family == "negative_binomial_alpha" else 1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        model = FisherGLMRegressor(ours_family(spec.family), spec.link, **params)
        model.fit(X, y, sample_weight=w, offset=offset)
    return model, [record.category for record in caught]


def _inverse(matrix):
    try:
        return np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.full_like(matrix, np.nan)


def standard_errors(information, observed, empirical):
    """The standard errors of every cov_type from the three matrices (fisher: None skips).

    nan where a matrix is singular or not positive definite (the observed
    information of a non-concave likelihood may be indefinite).
    """
    bread = _inverse(observed)
    covariances = {
        "fisher": None if information is None else _inverse(information),
        "observed": bread,
        "empirical": _inverse(empirical),
        "sandwich": bread @ empirical @ bread,
    }
    with np.errstate(invalid="ignore"):
        return {
            name: np.sqrt(np.diag(cov)) for name, cov in covariances.items() if cov is not None
        }


def ours_standard_errors(model):
    return standard_errors(
        model.information_, model.observed_information_, model.empirical_fisher_
    )


def stopping_rule_problem(spec, model, categories, y, w):
    """Return what is wrong with ``converged_`` (None when nothing is)."""
    if not model.converged_:
        if any(issubclass(category, CAUSES) for category in categories):
            return None
        return f"converged_=False without a warning naming the cause (got {categories})"
    if spec.family in DISPERSION and model.dispersion_ < 1e-20 * np.average(y**2, weights=w):
        return None  # an exact fit stops at the rounding floor of its score
    score, information = model.score_, model.information_
    length = np.sqrt(max(float(score @ np.linalg.solve(information, score)), 0.0))
    if length <= TOL * (1 + TOL_SLACK):
        return None
    return f"converged_ with a score of {length:.3g} standard errors at the reported φ̂"


def scaled_condition(matrix):
    """The condition number of ``matrix`` scaled to a unit diagonal (in absolute value)."""
    root = np.sqrt(np.abs(np.diag(matrix)))
    return float(np.linalg.cond(matrix / np.outer(root, root)))


def _relatives(actual, expected):
    """The relative differences; 0 where both are nan, inf where one is."""
    both = np.isnan(actual) & np.isnan(expected)
    with np.errstate(invalid="ignore", divide="ignore"):
        difference = np.abs(actual - expected) / np.abs(expected)
    return np.where(both, 0.0, np.nan_to_num(difference, nan=np.inf))


def disagreement(spec, model, ref, precision=None):
    """Return how ours and statsmodels' fits differ beyond tolerance (None if they agree).

    ``precision`` (from :func:`se_precision`, per cov_type) widens the
    tolerance of each standard error by how precisely float64 determines it.
    """
    theirs = standard_errors(ref["information"], ref["observed"], ref["empirical"])
    se = theirs["fisher"] if "fisher" in theirs else theirs["observed"]
    steps = np.abs(model.params_ - ref["params"]) / se
    if np.max(steps) > PARAMS_SE_ATOL:
        if (spec.family, spec.link) in NON_CONCAVE:
            if model.deviance_ <= ref["deviance"] * (1 + DEVIANCE_RTOL):
                return None  # another maximum, and ours is at least as good
            return (
                f"a worse maximum: deviance {model.deviance_!r} against statsmodels' "
                f"{ref['deviance']!r}; params {model.params_} vs {ref['params']}"
            )
        return f"params {model.params_} vs {ref['params']}: {np.max(steps):.3g} SE apart"
    ours = ours_standard_errors(model)
    inverted = {
        "fisher": ref["information"],
        "observed": ref["observed"],
        "empirical": ref["empirical"],
        "sandwich": ref["observed"],
    }
    for cov_type, expected in theirs.items():
        # An inverse is determined to about κ ε of the matrix (κ its condition
        # number after unit-diagonal scaling): no two computations agree
        # closer, and beyond κ ≈ 1e11 ours may call the matrix singular (nan).
        # The matrix itself is determined only as well as float64 gives its
        # per-row terms (see _fuzz_precision): a standard error is compared
        # to that precision too, on both sides.
        condition = scaled_condition(inverted[cov_type])
        if condition > 1e11:
            continue
        rtol = np.full(len(expected), max(SE_RTOL, 10 * np.finfo(float).eps * condition))
        if precision is not None:
            rtol += 2 * precision[cov_type]
        # Beyond a relative precision of 0.1 float64 does not determine the
        # standard error (nan on one side, a number on the other, say).
        determined = rtol < UNDETERMINED
        if np.any(_relatives(ours[cov_type], expected)[determined] > rtol[determined]):
            return (
                f"{cov_type} SEs {ours[cov_type]} vs {expected} (condition {condition:.3g}, "
                f"rtol {rtol})"
            )
    if abs(model.loglik_ - ref["loglik"]) > LOGLIK_RTOL * abs(ref["loglik"]):
        return f"loglik {model.loglik_!r} vs {ref['loglik']!r}"
    if abs(model.dispersion_ - ref["dispersion"]) > DISPERSION_RTOL * ref["dispersion"]:
        return f"dispersion {model.dispersion_!r} vs {ref['dispersion']!r}"
    return None


def alpha_boundary_disagreement(model, ref):
    """Return how statsmodels disagrees with our α on its boundary 0 (None if it does not).

    statsmodels' NB2 Newton ends near α = 0 too, at an α of 1e-9 or so
    that passes its decrement check: its log-likelihood there, a difference
    of log-gammas of 1/α, has lost its digits (0.12 below the Poisson one, to
    which it tends). Its coefficients are those of the maximum at α → 0, and
    ours are the maximum at the floor α = 1e-8: the Poisson fit to 8 digits.
    """
    if ref["params"][-1] > ALPHA_NEAR_ZERO:
        return f"statsmodels' alpha is {ref['params'][-1]:.3g}, ours on the boundary 0"
    se = model.standard_errors_[:-1]
    steps = np.abs(model.params_[:-1] - ref["params"][:-1]) / se
    if not np.max(steps) <= BOUNDARY_PARAMS_SE_ATOL:
        return f"params {model.params_} vs {ref['params']}: {np.max(steps):.3g} SE apart"
    return None


def mean_at_boundary(spec, model, X, w, offset):
    """Whether a fitted mean is at the boundary of the domain (no interior maximum)."""
    with warnings.catch_warnings():
        # Rows of weight 0 may have means outside the domain (DomainWarning).
        warnings.simplefilter("ignore", DomainWarning)
        mu = model.predict(X, offset=offset)
    mu = mu if w is None else mu[w > 0]
    if spec.family == "binomial":
        return bool(np.min(np.minimum(mu, 1 - mu)) < 1e-10)
    if spec.family == "gaussian" and spec.link != "inverse":
        return False
    # μ → 0 for a positive family, |μ| → ∞ where η → 0 (inverse links).
    mu = np.abs(mu)
    typical = np.median(mu)
    return bool(np.min(mu) < 1e-8 * typical or np.max(mu) > 1e8 * typical)


def check_example(spec, tally):
    """Fit ``spec`` and return the failures found (strings naming the spec)."""
    tally["examples"] += 1
    X, y, w, offset = make_problem(spec)
    try:
        model, categories = fit_ours(spec, X, y, w, offset)
    except ValueError as exc:
        if "No valid starting values" not in str(exc):
            return [f"{spec!r}: fit raised ValueError: {exc}"]
        # R's start and the intercept-only one both leave the domain (1/μ² < 0
        # with an offset): a clear error, and statsmodels fails there too.
        tally["no valid start"] += 1
        return []
    except Exception as exc:  # noqa: BLE001 - every error of a valid problem is reported
        return [f"{spec!r}: fit raised {type(exc).__name__}: {exc}"]
    failures = []
    problem = stopping_rule_problem(spec, model, categories, y, w)
    if problem is not None:
        failures.append(f"{spec!r}: {problem}")
    if spec.family == "negative_binomial_alpha":
        ref = nb_alpha_reference(X, y, w, offset, model.params_)
    else:
        ref = glm_reference(spec, X, y, w, offset, model.params_, model.dispersion_)
    if ref is None or not np.isfinite(model.dispersion_):
        tally["no reference"] += 1
        return failures
    if not model.converged_:
        if any(issubclass(category, CollinearityWarning) for category in categories):
            tally["collinear"] += 1
            return failures
        if spec.family == "negative_binomial_alpha" and BoundaryWarning in categories:
            tally["alpha on the boundary"] += 1
            problem = alpha_boundary_disagreement(model, ref)
            return failures + ([] if problem is None else [f"{spec!r}: {problem}"])
        failures.append(f"{spec!r}: not converged where statsmodels converged ({categories})")
        return failures
    tally["compared"] += 1
    tally[spec.family, spec.link] += 1
    problem = disagreement(spec, model, ref, se_precision(spec, model, X, y, w, offset))
    if problem is not None:
        failures.append(f"{spec!r}: {problem}")
    return failures


def run_fuzz(max_examples, seed=0):
    tally, failures = Counter(), []

    # A fixed seed: CI runs the same examples every time.
    @hypothesis.seed(seed)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(specs())
    def example(spec):
        failures.extend(check_example(spec, tally))

    example()
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)
    return tally


def test_fuzz_against_statsmodels():
    tally = run_fuzz(300)
    # Most examples are compared, and every pair at least once.
    assert tally["compared"] >= 0.8 * tally["examples"], tally
    assert all(tally[pair] > 0 for pair in PAIRS), tally


# Reproducers of what the examples found ----------------------------------------
BOUNDARY_SPECS = [
    # The data are quasi-separated (every row of one level of the feature has
    # y = 1): the cloglog mean reaches 1 at η ≈ 3.6.
    Spec("binomial", "cloglog", 20, 20, 1, "integer", offset=False, outlier=False),
    # Binomial-log: the maximum is at μ = 1 for some rows.
    Spec("binomial", "log", 1, 20, 1, "continuous", offset=False, outlier=False),
    # Poisson-identity: the maximum is at μ = 0 for a row.
    Spec("poisson", "identity", 218, 20, 2, "integer", offset=False, outlier=True),
    # Inverse Gaussian-inverse: the unconstrained maximum of the quadratic in η
    # has η < 0 for a row, so the maximum is at η → 0 (μ → ∞); that row's
    # information dominates, and the score in the directions it leaves
    # numerically singular is no rounding.
    Spec("inverse_gaussian", "inverse", 256, 100, 4, "continuous", offset=False, outlier=False),
]


@pytest.mark.parametrize("spec", BOUNDARY_SPECS, ids=lambda spec: f"{spec.family}-{spec.link}")
def test_a_mean_on_the_boundary_is_not_reported_converged(spec):
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert mean_at_boundary(spec, model, X, w, offset)
    assert stopping_rule_problem(spec, model, categories, y, w) is None


def test_cloglog_with_a_mean_that_overflows_fits_without_numpy_warnings():
    # A line-search candidate with η > 709, where e^η overflows.
    spec = Spec("binomial", "cloglog", 20, 20, 4, "continuous", offset=True, outlier=False)
    X, y, w, offset = make_problem(spec)
    model, categories = fit_ours(spec, X, y, w, offset)
    assert stopping_rule_problem(spec, model, categories, y, w) is None


@pytest.mark.slow
def test_fuzz_against_statsmodels_thousand_examples():
    tally = run_fuzz(1000, seed=1)
    assert tally["compared"] >= 0.8 * tally["examples"], tally
    assert all(tally[pair] > 0 for pair in PAIRS), tally


# Where the comparison itself was wrong: SEs and a log-likelihood that float64
# and the two estimates determine less finely than the tolerances assumed.
AGREEING_SPECS = [
    # The empirical Fisher is singular to 1e-11: the sandwich's J-part is
    # determined to 1e-3 only (both matrices right to 1e-15 entrywise).
    Spec("gaussian", "inverse", 20, 20, 1, "none", offset=True, outlier=True),
    # The empirical SEs move by 3e-5 between statsmodels' estimate and the
    # exact maximum, 4e-9 standard errors apart (by 2e-6 at ours).
    Spec("gaussian", "log", 6231, 20, 2, "continuous", offset=False, outlier=True),
    # The log-likelihood at Pearson's φ̂ moves by 2e-8 between statsmodels'
    # estimate and the exact maximum (by 2e-9 and 6e-9 at ours).
    Spec("inverse_gaussian", "identity", 721, 20, 1, "continuous", offset=True, outlier=True),
    Spec("inverse_gaussian", "log", 3808, 27, 4, "integer", offset=True, outlier=True),
]


@pytest.mark.parametrize("spec", AGREEING_SPECS, ids=lambda spec: f"{spec.family}-{spec.link}")
def test_fuzz_reproducers_agree_with_statsmodels(spec):
    tally = Counter()
    assert check_example(spec, tally) == []
    assert tally["compared"] == 1, tally


def test_se_precision_is_tight_without_an_outlier_and_loose_with_one():
    # The tolerance widens beyond SE_RTOL only where float64 leaves the SEs
    # undetermined: the same data, with and without the outlier.
    largest = {}
    for outlier in (False, True):
        spec = Spec("gaussian", "log", 6231, 20, 2, "continuous", offset=False, outlier=outlier)
        X, y, w, offset = make_problem(spec)
        model, _ = fit_ours(spec, X, y, w, offset)
        precision = se_precision(spec, model, X, y, w, offset)
        largest[outlier] = max(float(np.max(value)) for value in precision.values())
    assert largest[False] < 1e-9 and largest[True] > SE_RTOL, largest
