"""Time matrix-free Fisher scoring on a wide sparse logistic regression against scikit-learn.

The data are seeded: n = 10⁵ rows of 50 tokens each, drawn uniformly from a
vocabulary of 10⁶ and hashed (murmurhash3) to k = 10⁵ columns, so that X is
CSR with density 0.05% (counts, 1 but for collisions); y is Bernoulli with
``logit P = −0.5 + xᵀβ``, β ~ N(0, 0.15²). The L2 penalty is ``alpha = 1e-4``,
which is scikit-learn's ``C = 1 / (alpha n)``; neither penalises the intercept.
The k × k information would take 80 GB.

Methods:

* **skfisher cg**: ``FisherLogisticRegression(solver="cg", alpha=...)``,
  ``fit(X, y, se_for=range(10))``: the fit and the standard errors of 10 named
  coefficients (each a conjugate-gradient solve to a relative residual of
  1e-10); also timed without ``se_for``.
* **newton-cg**, **lbfgs**: ``LogisticRegression(solver=..., C=...)``, no
  standard errors.

Same accuracy: a reference fit (scikit-learn's newton-cg at ``tol=1e-14``,
checked against skfisher's at ``tol=1e-13``) gives θ_ref. For each method the
loosest ``tol`` of 1e-1, 1e-2, … 1e-14 whose estimate ``[intercept, coef]``
is within ``--target`` (1e-6) of θ_ref in every entry is chosen by one
untimed fit per ``tol`` (skfisher's ``tol`` is a step length in standard
errors, scikit-learn's a bound on the largest gradient entry of its mean
loss); the methods are then timed at that ``tol``, interleaved, ``--repeat``
times, and the medians and their ratios to skfisher's are printed.

Memory: the peak traced by ``tracemalloc`` during one more fit of each
method, above what was allocated before it, against the bytes of X's CSR
arrays (numpy and scipy report their buffers to tracemalloc).

A last check, k = 2,000 (n = 2 × 10⁴, 20 tokens a row, the same α): the
standard errors of 10 named coefficients by ``solver="cg"`` against the
square roots of the diagonal of the dense inverse (``solver="newton"``).

Usage::

    python benchmarks/bench_cg.py                        # n = k = 10⁵, 3 repeats
    python benchmarks/bench_cg.py --n 20000 --k 20000 --repeat 5
"""

import argparse
import gc
import os
import sys
import time
import tracemalloc
import warnings
from importlib import metadata

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.utils import murmurhash3_32

from skfisher import FisherLogisticRegression

N_ROWS = N_FEATURES = 10**5
PER_ROW = 50
VOCABULARY = 10**6
ALPHA = 1e-4
N_NAMED = 10
TOLS = [10.0**-e for e in range(1, 15)]


def hashed_tokens(n, k, per_row, seed=0):
    """CSR counts of ``per_row`` random tokens a row hashed to ``k`` columns."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, VOCABULARY, size=n * per_row).astype(np.int32)
    columns = murmurhash3_32(tokens, seed=0, positive=True).astype(np.int64) % k
    rows = np.repeat(np.arange(n), per_row)
    X = sp.csr_matrix((np.ones(n * per_row), (rows, columns)), shape=(n, k))
    X.sum_duplicates()
    return X


def make_data(n, k, per_row, seed=0):
    X = hashed_tokens(n, k, per_row, seed)
    rng = np.random.default_rng(seed + 1)
    beta = rng.normal(0.0, 0.15, size=k)
    y = (rng.random(n) < expit(-0.5 + X @ beta)).astype(float)
    return X, y


def csr_bytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def skfisher_fit(X, y, tol, named=True):
    model = FisherLogisticRegression(solver="cg", alpha=ALPHA, tol=tol, max_iter=1000)
    model.fit(X, y, se_for=list(range(N_NAMED)) if named else None)
    return model, model.params_


def sklearn_fit(X, y, solver, tol):
    model = LogisticRegression(
        solver=solver, C=1.0 / (ALPHA * X.shape[0]), tol=tol, max_iter=100_000
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a loose tol's convergence warnings
        model.fit(X, y)
    return model, np.r_[model.intercept_, model.coef_.ravel()]


def methods(X, y):
    return {
        "skfisher cg + 10 SEs": lambda tol: skfisher_fit(X, y, tol),
        "skfisher cg (fit only)": lambda tol: skfisher_fit(X, y, tol, named=False),
        "sklearn newton-cg": lambda tol: sklearn_fit(X, y, "newton-cg", tol),
        "sklearn lbfgs": lambda tol: sklearn_fit(X, y, "lbfgs", tol),
    }


def calibrate(fit, reference, target):
    """The loosest tol of TOLS whose estimate is within ``target`` of the reference."""
    difference = np.inf
    for tol in TOLS:
        difference = float(np.max(np.abs(fit(tol)[1] - reference)))
        if difference < target:
            return tol, difference
    return TOLS[-1], difference


def time_methods(found, tols, repeat):
    times = {name: [] for name in found}
    for _ in range(repeat):  # interleaved, so that a change of load hits every method
        for name, fit in found.items():
            gc.collect()
            start = time.perf_counter()
            fit(tols[name])
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(values)) for name, values in times.items()}


def peak_memory(fit, tol):
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fit(tol)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak


def check_k_2000():
    """The CG standard errors against the dense inverse's at k = 2,000."""
    X, y = make_data(20_000, 2_000, 20, seed=5)
    named = list(range(0, 2_000, 200))
    dense = FisherLogisticRegression(alpha=ALPHA, tol=1e-10).fit(X, y)
    cg = FisherLogisticRegression(alpha=ALPHA, tol=1e-10, solver="cg").fit(X, y, se_for=named)
    reference = np.sqrt(np.diag(dense.covariance_))[cg.se_for_]
    se_rel = float(np.max(np.abs(cg.standard_errors_[cg.se_for_] / reference - 1.0)))
    params = float(np.max(np.abs(cg.params_ - dense.params_)))
    return se_rel, params


def versions():
    names = ("skfisher", "scikit-learn", "scipy", "numpy")
    found = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    return f"Python {sys.version.split()[0]}, {found}, {os.cpu_count()} CPUs"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=N_ROWS)
    parser.add_argument("--k", type=int, default=N_FEATURES)
    parser.add_argument("--per-row", type=int, default=PER_ROW)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--target", type=float, default=1e-6)
    args = parser.parse_args(argv)
    print(versions())
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    X, y = make_data(args.n, args.k, args.per_row)
    print(
        f"X: {X.shape[0]} x {X.shape[1]} CSR, {X.nnz} non-zeros "
        f"(density {X.nnz / (X.shape[0] * X.shape[1]):.3%}), {csr_bytes(X) / 2**20:.1f} MiB; "
        f"alpha = {ALPHA:g}, C = {1 / (ALPHA * X.shape[0]):g}"
    )
    _, reference = sklearn_fit(X, y, "newton-cg", 1e-14)
    tight, ours = skfisher_fit(X, y, 1e-13, named=False)
    print(
        f"reference: |skfisher(tol=1e-13) - newton-cg(tol=1e-14)| = "
        f"{np.max(np.abs(ours - reference)):.2e} (skfisher: {tight.n_iter_} steps, "
        f"{tight.n_cg_iter_} CG iterations)"
    )
    found = methods(X, y)
    tols, differences = {}, {}
    for name, fit in found.items():
        tols[name], differences[name] = calibrate(fit, reference, args.target)
    medians = time_methods(found, tols, args.repeat)
    base = medians["skfisher cg + 10 SEs"]
    print(
        f"\n{'method':<24}{'tol':>8}{'|Δθ|∞':>11}{'median s':>10}{'÷ skfisher':>12}{'peak/X':>9}"
    )
    for name, fit in found.items():
        peak = peak_memory(fit, tols[name])
        print(
            f"{name:<24}{tols[name]:>8.0e}{differences[name]:>11.2e}{medians[name]:>10.2f}"
            f"{medians[name] / base:>12.2f}{peak / csr_bytes(X):>9.2f}"
        )
    model, _ = skfisher_fit(X, y, tols["skfisher cg + 10 SEs"])
    print(
        f"\nskfisher at its tol: {model.n_iter_} steps, {model.n_cg_iter_} CG iterations; "
        f"SEs of x0..x9: {np.array2string(model.standard_errors_[1:11], precision=4)}"
    )
    se_rel, params = check_k_2000()
    print(
        f"k = 2000: CG SEs vs the dense inverse's, max relative difference {se_rel:.2e}; "
        f"params max |difference| {params:.2e}"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
