"""Time count models with excess zeros: skfisher against statsmodels.

The data are seeded: n = 10⁵ rows and k = 10 standard-normal features, the same
columns in the count part and in the zero part (each with an intercept).

* **zip**: zero-inflated Poisson counts, ``log μ = 0.7 + xᵀβ`` and a structural
  zero with probability ``expit(−0.9 + xᵀγ)`` (about 40% zeros in all).
  skfisher's ``FisherZeroInflatedRegressor()`` against statsmodels'
  ``ZeroInflatedPoisson(y, X, exog_infl=X).fit(method=...)`` and ``bse``, by BFGS
  (its default) and by Newton's method.
* **zinb**: zero-inflated NB2 counts (α = 0.5, structural zeros with probability
  ``expit(−1.4 + xᵀγ)``); ``FisherZeroInflatedRegressor("negative_binomial")``
  against ``ZeroInflatedNegativeBinomialP(..., p=2)`` by BFGS.
* **hurdle**: the hurdle Poisson fitted to the zip data;
  ``FisherHurdleRegressor()`` against statsmodels' two parts fitted apart, which
  is the same maximum (the log-likelihood is their sum): ``Logit(y > 0, X)`` by
  Newton and ``TruncatedLFPoisson`` on the positive counts by BFGS, with their
  ``bse``.

skfisher's time includes the expected, observed and empirical information, the
covariance and the standard errors (every one is computed by ``fit``), and
``standard_errors("observed")``. statsmodels' ``fit`` computes its covariance
from its Hessian at the end; it starts from its own fit of the count model
alone. Every BFGS runs to scipy's default gradient tolerance with
``maxiter=5000``.

Accuracy: |Δθ| is the largest absolute difference from skfisher's estimate,
Δℓ statsmodels' log-likelihood minus skfisher's, "SE rel" the largest relative
difference of statsmodels' ``bse`` from skfisher's ``standard_errors("observed")``
(both are meant to be the inverse of the observed information). statsmodels'
analytic Hessian of the zero-inflated Poisson leaves out the block between the
count and the inflation parameters (``hessian`` copies the zero lower triangle
over it when it symmetrises), so that ``bse`` is off by several per cent. A last
line, outside the timing, evaluates statsmodels' own log-likelihood at skfisher's
estimate and the standard errors of its central-difference Hessian there
(``approx_hess``), against skfisher's ``loglik_`` and observed standard errors.
On a machine that sets OPENBLAS_CORETYPE, unset it (and OPENBLAS_L2_SIZE) for
this command to time numpy's own kernel.

Usage::

    python benchmarks/bench_counts.py                      # every case, 3 repeats
    python benchmarks/bench_counts.py --case zip --repeat 5 --n 20000
"""

import argparse
import gc
import sys
import time
import warnings
from importlib import metadata

import numpy as np
from scipy.special import expit

from skfisher import FisherHurdleRegressor, FisherZeroInflatedRegressor

N_ROWS, N_FEATURES = 10**5, 10
NB_ALPHA = 0.5


def make_data(n, k, family="poisson", seed=0):
    """Standard-normal X; counts with structural zeros (NB2 with α = 0.5 or Poisson)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    beta = rng.normal(0.0, 0.3 / np.sqrt(k), k)
    gamma = rng.normal(0.0, 0.5 / np.sqrt(k), k)
    mu = np.exp(0.7 + X @ beta)
    if family == "poisson":
        counts, inflation = rng.poisson(mu), -0.9
    else:
        counts, inflation = rng.negative_binomial(1 / NB_ALPHA, 1 / (1 + NB_ALPHA * mu)), -1.4
    structural = rng.random(n) < expit(inflation + X @ gamma)
    return X, np.where(structural, 0, counts).astype(float)


def with_constant(X):
    return np.column_stack([np.ones(X.shape[0]), X])


# skfisher ----------------------------------------------------------------------------
def skfisher_fit(estimator):
    def fit(X, y):
        model = estimator.fit(X, y)
        se = model.standard_errors_  # every matrix and the covariance are computed by fit
        shapes = {m.shape for m in (model.observed_information_, model.empirical_fisher_)}
        assert shapes == {model.information_.shape} and np.all(np.isfinite(se))
        info = {"loglik": model.loglik_, "observed_se": model.standard_errors("observed")}
        return model.params_, se, info

    return fit


# statsmodels -------------------------------------------------------------------------
def _inflated_order(p, extra):
    """statsmodels puts the inflation part first: [γ, β, α] to skfisher's [β, γ, α]."""
    return np.r_[p : 2 * p, 0:p, 2 * p : 2 * p + extra]


def _sm_result(result, order):
    """statsmodels' params, bse and log-likelihood in skfisher's order of parameters."""
    converged = bool(result.mle_retvals.get("converged", True))
    params, se = np.asarray(result.params)[order], np.asarray(result.bse)[order]

    def loglike(theta):  # statsmodels' log-likelihood at θ in skfisher's order
        ours = np.empty_like(theta)
        ours[order] = theta
        return result.model.loglike(ours)

    return params, se, {"loglik": float(result.llf), "converged": converged, "loglike": loglike}


def statsmodels_zip(method):
    def fit(X, y):
        from statsmodels.discrete.count_model import ZeroInflatedPoisson

        Xc = with_constant(X)
        model = ZeroInflatedPoisson(y, Xc, exog_infl=Xc, inflation="logit")
        result = model.fit(method=method, maxiter=5000, disp=0)
        return _sm_result(result, _inflated_order(Xc.shape[1], 0))

    return fit


def statsmodels_zinb(X, y):
    from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP

    Xc = with_constant(X)
    model = ZeroInflatedNegativeBinomialP(y, Xc, exog_infl=Xc, inflation="logit", p=2)
    result = model.fit(method="bfgs", maxiter=5000, disp=0)
    return _sm_result(result, _inflated_order(Xc.shape[1], 1))


def statsmodels_hurdle(X, y):
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.discrete.truncated_model import TruncatedLFPoisson

    Xc = with_constant(X)
    positive = y > 0
    zero = Logit(positive.astype(float), Xc).fit(method="newton", maxiter=100, disp=0)
    count = TruncatedLFPoisson(y[positive], Xc[positive]).fit(method="bfgs", maxiter=5000, disp=0)
    converged = all(bool(r.mle_retvals.get("converged", True)) for r in (zero, count))
    params = np.concatenate([count.params, zero.params])
    se = np.concatenate([count.bse, zero.bse])
    p = Xc.shape[1]

    def loglike(theta):
        return count.model.loglike(theta[:p]) + zero.model.loglike(theta[p:])

    info = {"loglik": float(zero.llf + count.llf), "converged": converged, "loglike": loglike}
    return params, se, info


def check_at_estimate(loglike, theta, loglik, observed_se):
    """statsmodels' own log-likelihood and central-difference Hessian at skfisher's θ̂."""
    from statsmodels.tools.numdiff import approx_hess

    numeric = np.sqrt(np.diag(np.linalg.inv(-approx_hess(theta, loglike))))
    return loglike(theta) - loglik, float(np.max(np.abs(numeric / observed_se - 1)))


CASES = {
    "zip": (
        "zero-inflated Poisson",
        "poisson",
        {
            "skfisher": skfisher_fit(FisherZeroInflatedRegressor("poisson")),
            "statsmodels BFGS": statsmodels_zip("bfgs"),
            "statsmodels Newton": statsmodels_zip("newton"),
        },
    ),
    "zinb": (
        "zero-inflated NB2",
        "negative_binomial",
        {
            "skfisher": skfisher_fit(FisherZeroInflatedRegressor("negative_binomial")),
            "statsmodels BFGS": statsmodels_zinb,
        },
    ),
    "hurdle": (
        "hurdle Poisson (logit zero part)",
        "poisson",
        {
            "skfisher": skfisher_fit(FisherHurdleRegressor("poisson")),
            "statsmodels Logit+TruncLFP": statsmodels_hurdle,
        },
    ),
}


def time_methods(found, X, y, repeat):
    """Interleaved repeats of every method; return the medians and the last results."""
    times = {name: [] for name in found}
    results = {}
    for _ in range(repeat):
        for name, fit in found.items():  # interleaved: noise hits every method alike
            gc.collect()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[name] = fit(X, y)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}, results


def versions():
    found = []
    for name in ["numpy", "scipy", "scikit-learn", "statsmodels"]:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def report(case, n, repeat):
    title, family, found = CASES[case]
    X, y = make_data(n, N_FEATURES, family, seed=0 if family == "poisson" else 1)
    medians, results = time_methods(found, X, y, repeat)
    reference, _, extra = results["skfisher"]
    print(f"\n{title}: n = {n}, k = {N_FEATURES} in each part, {reference.size} parameters")
    print(f"zeros {np.mean(y == 0):.1%}, mean count {y.mean():.2f}; median of {repeat}")
    print(f"{'method':<28}{'median s':>9}{'skfisher/it':>12}{'|Δθ|':>9}{'Δℓ':>10}{'SE rel':>9}")
    for name, seconds in medians.items():
        params, se, info = results[name]
        diff = float(np.max(np.abs(np.asarray(params) - reference)))
        dll = info["loglik"] - extra["loglik"]
        rel = (
            np.nan if name == "skfisher" else float(np.max(np.abs(se / extra["observed_se"] - 1)))
        )
        note = "" if info.get("converged", True) else "  (not converged)"
        ratio = medians["skfisher"] / seconds
        row = f"{name:<28}{seconds:>9.3f}{ratio:>12.3f}{diff:>9.1e}{dll:>10.1e}{rel:>9.1e}"
        print(f"{row}{note}")
    loglike = next(info["loglike"] for name, (_, _, info) in results.items() if name != "skfisher")
    dll, rel = check_at_estimate(loglike, reference, extra["loglik"], extra["observed_se"])
    print(
        f"statsmodels at skfisher's estimate: its log-likelihood - loglik_ = {dll:.1e}; "
        f"SEs of its approx_hess against standard_errors('observed'): max rel {rel:.1e}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=N_ROWS)
    args = parser.parse_args(argv)
    print(versions())
    for case in CASES if args.case == "all" else [args.case]:
        report(case, args.n, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
