"""Time ordinal regression: skfisher against statsmodels' OrderedModel and mord.

The data are seeded: n = 10⁵ rows, k = 20 standard-normal features and K = 5
classes cut from a logistic latent variable (the proportional-odds model, logit
link). Every method fits the same data; timings are interleaved repeats in one
process, and the medians are printed with skfisher's time over each method's.

* **skfisher**: ``FisherOrdinalRegression().fit`` to ``tol=1e-8``, which includes
  the expected, observed and empirical information, the covariance and the
  standard errors.
* **statsmodels**: ``OrderedModel(y, X, distr="logit").fit(method="bfgs")`` and
  ``bse`` (BFGS on the analytic log-likelihood with numerical derivatives, the
  standard errors from a differenced Hessian). Its thresholds are mapped to θ by
  the cumulative sum of the first one and the exponentiated increments.
* **mord**: ``LogisticAT(alpha=0)`` when mord is installed (``pip install mord``),
  skipped otherwise. It minimises the all-threshold logistic loss, a surrogate
  that is not the likelihood of the cumulative-link model: its |Δθ| measures how
  far that estimator is from the maximum-likelihood one, not an error. It gives no
  standard errors.

|Δθ| is the largest absolute difference from skfisher's estimate [β, θ]; "SE rel"
the largest relative difference of statsmodels' standard errors from skfisher's
``standard_errors("observed")`` (statsmodels' come from the observed information).
On a machine that sets OPENBLAS_CORETYPE, unset it (and OPENBLAS_L2_SIZE) for this
command to time numpy's own kernel.

Usage::

    python benchmarks/bench_ordinal.py                 # 3 interleaved repeats
    python benchmarks/bench_ordinal.py --repeat 5 --n 20000
"""

import argparse
import gc
import sys
import time
import warnings
from importlib import metadata

import numpy as np

from skfisher import FisherOrdinalRegression

N_ROWS, N_FEATURES, N_CLASSES = 10**5, 20, 5


def make_data(n, k, n_classes, seed=0):
    """Standard-normal X; the classes cut X β + logistic noise at its quantiles."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    beta = rng.normal(0.0, 1.0 / np.sqrt(k), k)
    latent = X @ beta + rng.logistic(size=n)
    cuts = np.quantile(latent, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.digitize(latent, cuts)


def skfisher_fit(X, y):
    model = FisherOrdinalRegression(tol=1e-8).fit(X, y)
    se = model.standard_errors_  # every matrix and the covariance are computed by fit
    assert model.observed_information_.shape == model.empirical_fisher_.shape
    return model.params_, se, {"observed_se": model.standard_errors("observed")}


def statsmodels_fit(X, y):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    result = OrderedModel(y, X, distr="logit").fit(method="bfgs", disp=0, maxiter=5000)
    phi = np.asarray(result.params)
    p = X.shape[1]
    theta = np.concatenate([phi[:p], np.cumsum([phi[p], *np.exp(phi[p + 1 :])])])
    # The delta method for θ_j = φ_p + Σ_{1≤k≤j} exp(φ_{p+k}).
    jacobian = np.eye(phi.size)
    jacobian[p:, p] = 1.0
    for j in range(1, phi.size - p):
        jacobian[p + j, p + 1 : p + j + 1] = np.exp(phi[p + 1 : p + j + 1])
    covariance = jacobian @ np.asarray(result.cov_params()) @ jacobian.T
    converged = bool(result.mle_retvals.get("converged", True))
    return theta, np.sqrt(np.diag(covariance)), {"converged": converged}


def mord_fit(X, y):
    import mord

    model = mord.LogisticAT(alpha=0.0).fit(X, y)
    return np.concatenate([model.coef_, model.theta_]), None, {}


def methods():
    found = {"skfisher": skfisher_fit, "statsmodels": statsmodels_fit}
    try:
        import mord  # noqa: F401

        found["mord"] = mord_fit
    except ImportError:
        print("mord is not installed (pip install mord): skipped", file=sys.stderr)
    return found


def time_methods(X, y, repeat):
    """Interleaved repeats of every method; return the medians and the last results."""
    found = methods()
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
    names = ["numpy", "scipy", "scikit-learn", "statsmodels", "mord"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=N_ROWS)
    args = parser.parse_args(argv)
    X, y = make_data(args.n, N_FEATURES, N_CLASSES)
    medians, results = time_methods(X, y, args.repeat)
    reference, _, extra = results["skfisher"]
    print(f"n = {args.n}, k = {N_FEATURES}, K = {N_CLASSES}, logit; median of {args.repeat}")
    print(f"class counts {np.bincount(y).tolist()}; {versions()}")
    print(f"{'method':<13}{'median s':>10}{'skfisher / it':>15}{'|Δθ|':>10}{'SE rel':>10}")
    for name, seconds in medians.items():
        params, se, info = results[name]
        diff = float(np.max(np.abs(np.asarray(params) - reference)))
        rel = (
            np.nan
            if se is None or name == "skfisher"
            else float(np.max(np.abs(se / extra["observed_se"] - 1)))
        )
        note = "" if info.get("converged", True) else "  (not converged)"
        ratio = medians["skfisher"] / seconds
        print(f"{name:<13}{seconds:>10.3f}{ratio:>15.3f}{diff:>10.1e}{rel:>10.1e}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
