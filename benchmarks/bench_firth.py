"""Time Firth logistic regression: skfisher against firthmodels and skfisher's plain fit.

The data are seeded: n = 10⁵ rows, k = 20 standard-normal features and about
10% events. Every method fits the same data; timings are interleaved repeats
in one process and the medians are printed with their ratios to skfisher's
plain (maximum-likelihood) fit and to skfisher's Firth fit. A Firth iteration
costs one more O(n k²) pass than a plain one (the hat diagonal), so the target
is a Firth fit within 3× of the plain fit.

firthmodels (``pip install firthmodels``) is timed when installed, with its
default tolerances and with tolerances as tight as skfisher's; its numba
backend is used when numba is installed, its numpy backend otherwise (the
backend is printed).

Usage::

    python benchmarks/bench_firth.py               # 7 interleaved repeats
    python benchmarks/bench_firth.py --repeat 11 --n 200000
"""

import argparse
import time
import warnings
from importlib import metadata

import numpy as np
from scipy.special import expit

from skfisher import FisherLogisticRegression


def make_data(n, k, seed=0):
    """Standard-normal features; the intercept sets the event rate near 10%."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    beta = rng.normal(0.0, 0.5 / np.sqrt(k), k)
    y = (rng.random(n) < expit(-2.25 + X @ beta)).astype(float)
    return X, y


def skfisher_fit(X, y, bias_reduction):
    model = FisherLogisticRegression(bias_reduction=bias_reduction).fit(X, y)
    return np.concatenate([model.intercept_, model.coef_.ravel()]), model.n_iter_


def firthmodels_fit(X, y, tight):
    import firthmodels

    options = {"gtol": 1e-8, "xtol": 1e-8, "max_iter": 100} if tight else {}
    model = firthmodels.FirthLogisticRegression(**options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return np.concatenate([[model.intercept_], model.coef_]), model.n_iter_


def methods():
    found = {
        "skfisher plain": lambda X, y: skfisher_fit(X, y, None),
        "skfisher firth": lambda X, y: skfisher_fit(X, y, "firth"),
    }
    try:
        import firthmodels
    except ImportError:
        print("firthmodels is not installed: timing skfisher only")
        return found
    backend = "numba" if firthmodels.NUMBA_AVAILABLE else "numpy"
    print(f"firthmodels {metadata.version('firthmodels')} ({backend} backend)")
    found["firthmodels (defaults)"] = lambda X, y: firthmodels_fit(X, y, tight=False)
    found["firthmodels (gtol=1e-8)"] = lambda X, y: firthmodels_fit(X, y, tight=True)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    X, y = make_data(args.n, args.k)
    print(f"n = {args.n}, k = {args.k}, events = {y.mean():.1%}, repeats = {args.repeat}")
    timed = methods()
    times = {name: [] for name in timed}
    results = {}
    for name, fit in timed.items():  # warm-up (imports, first allocations)
        results[name] = fit(X, y)
    for _ in range(args.repeat):
        for name, fit in timed.items():
            start = time.perf_counter()
            fit(X, y)
            times[name].append(time.perf_counter() - start)
    plain = np.median(times["skfisher plain"])
    firth = np.median(times["skfisher firth"])
    reference = results["skfisher firth"][0]
    print(f"{'method':<26}{'median s':>10}{'/ plain':>9}{'/ firth':>9}{'iter':>6}{'max |Δβ|':>11}")
    for name, values in times.items():
        median = np.median(values)
        params, n_iter = results[name]
        gap = np.max(np.abs(params - reference))
        print(
            f"{name:<26}{median:>10.3f}{median / plain:>9.2f}{median / firth:>9.2f}"
            f"{n_iter:>6d}{gap:>11.1e}"
        )


if __name__ == "__main__":
    main()
