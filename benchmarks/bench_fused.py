"""Time one Fisher-scoring evaluation: the fused pass against the separate products.

The data are seeded: standard-normal X (C-ordered float64 unless told), an
intercept, θ drawn with sd 0.5/√p, and y drawn from the model (0/1 for the
logistic, counts for the Poisson), weights uniform on (0, 2). Cases:

* **logistic**, **poisson**: n = 10⁶, p = 20 (k = 21 with the intercept);
* **logistic-wide**: n = 2·10⁵, p = 200.

Each evaluation gives η, μ, the log-likelihood, the score and the information
at a new θ (what one iteration of the loop needs):

* **today**: ``GLMProblem.objective`` then ``score_information`` (its cache
  of η, μ, V cleared first): ``Design.matvec``, the family's μ and
  log-likelihood, then ``Design.gram(w V, w (y − μ))``, on a float64 copy of
  a float32 X;
* **fused numba**, **fused numpy**: ``FusedGLM.evaluate(θ)`` with each
  engine; **+ empirical** adds the empirical Fisher information in the same
  pass; **no rows** skips writing η, μ, V per row (``rows=False``).

Limits: **read X** is ``X.sum()`` (one read of X by numpy) and **X @ v** the
matrix-vector product; **flops** is ``n k (k + 1) / 2`` multiply-adds (the
information's upper triangle, ``n k²`` flops) at the rate of a 2000 × 2000
``dgemm``. The limits are the fastest of the repeats (on a shared machine,
what it can do), the evaluations the medians; the table prints each time over
the read of X and over the flops limit.

The compile time of the numba kernel is measured in fresh processes with an
empty ``NUMBA_CACHE_DIR``: the first evaluation compiles (and writes the
cache); a second process loads the cache.

Usage::

    python benchmarks/bench_fused.py                 # every case, median of 7
    python benchmarks/bench_fused.py --case logistic --order F --dtype float32
    python benchmarks/bench_fused.py --block-rows 128 --no-compile
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.special import expit

from skfisher._fused import FusedGLM
from skfisher._linalg import Design
from skfisher.families import Binomial, Poisson
from skfisher.linear_model._problem import GLMProblem
from skfisher.links import Log, Logit

CASES = {
    "logistic": ("binomial", 10**6, 20),
    "poisson": ("poisson", 10**6, 20),
    "logistic-wide": ("binomial", 2 * 10**5, 200),
}


def make_data(family, n, p, order="C", dtype="float64", seed=0):
    """Return X, y, w and θ of a seeded problem."""
    rng = np.random.default_rng(seed)
    X = np.asarray(rng.standard_normal((n, p)), order=order).astype(dtype, order=order)
    theta = rng.normal(0.0, 0.5 / np.sqrt(p), p + 1)
    eta = X @ theta[1:] + theta[0]
    y = rng.random(n) < expit(eta) if family == "binomial" else rng.poisson(np.exp(eta))
    return X, y.astype(float), rng.uniform(0.0, 2.0, n), theta


def timings(function, repeat):
    """Return the seconds of ``repeat`` calls after a first one."""
    function()  # warm: the first call may compile or fault pages in
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return np.array(times)


def today(X, y, w, family, theta):
    """The evaluation as the GLM loop forms it now."""
    fam, link = (Binomial(), Logit()) if family == "binomial" else (Poisson(), Log())
    problem = GLMProblem(Design(np.asarray(X, dtype=float), True), y, w, fam, link)

    def evaluate():
        problem._key = None  # a new θ: no cached η, μ, V
        problem.objective(theta)
        problem.score_information(theta)

    return evaluate


def dgemm_rate():
    """Multiply-adds per second of a square product, as flops over 2."""
    A = np.random.default_rng(1).standard_normal((2000, 2000))
    return 2000**3 / timings(lambda: A @ A, 7).min()


def time_case(name, args, rate):
    family, n, p = CASES[name]
    X, y, w, theta = make_data(family, n, p, args.order, args.dtype)
    k = p + 1
    v = np.ones(p, dtype=X.dtype)
    rows = {"read X (X.sum)": lambda: X.sum(), "X @ v": lambda: X @ v}
    rows["today (matvec + gram + loglik)"] = today(X, y, w, family, theta)
    for engine in ("numba", "numpy"):
        fused = FusedGLM(X, y, w, family, engine=engine, block_rows=args.block_rows)
        rows[f"fused {engine}"] = lambda f=fused: f.evaluate(theta)
        rows[f"fused {engine} + empirical"] = lambda f=fused: f.evaluate(theta, empirical=True)
        rows[f"fused {engine}, no rows"] = lambda f=fused: f.evaluate(theta, rows=False)
    # The limits are the fastest of the repeats (what the machine can do), the
    # evaluations their medians.
    medians = {label: np.median(timings(run, args.repeat)) for label, run in rows.items()}
    for label in ("read X (X.sum)", "X @ v"):
        medians[label] = timings(rows[label], args.repeat).min()
    flops_limit = n * k * (k + 1) / 2 / rate
    print(
        f"\n{name}: n = {n}, k = {k}, {args.dtype} {args.order}-ordered, "
        f"median of {args.repeat} (limits: the fastest); flops limit {flops_limit:.4f} s"
    )
    print(f"{'':<34}{'seconds':>9}{'/ read X':>10}{'/ flops':>9}{'today /':>9}")
    read = medians["read X (X.sum)"]
    for label, seconds in medians.items():
        speedup = medians["today (matvec + gram + loglik)"] / seconds
        print(
            f"{label:<34}{seconds:>9.4f}{seconds / read:>10.2f}"
            f"{seconds / flops_limit:>9.1f}{speedup:>9.2f}"
        )


COMPILE_SCRIPT = """
import time, numpy as np
from skfisher._fused import FusedGLM
X = np.random.default_rng(0).standard_normal((1000, 3)); y = (X[:, 0] > 0) * 1.0
for dtype in ("float64", "float32"):
    fused = FusedGLM(X.astype(dtype), y, np.ones(1000), "binomial", engine="numba")
    start = time.perf_counter(); fused.evaluate(np.zeros(4))
    print(dtype, round(time.perf_counter() - start, 3))
"""


def compile_times():
    """Print the first evaluation's time with an empty cache, then with the cache."""
    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("compile (empty cache)", "load (cached)"):
            start = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", COMPILE_SCRIPT],
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            total = time.perf_counter() - start
            print(
                f"{label:<22} first evaluate: float64 {out[1]} s, float32 {out[3]} s; "
                f"the whole process {total:.2f} s"
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--order", choices=("C", "F"), default="C")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("--block-rows", type=int, default=None)
    parser.add_argument("--no-compile", action="store_true", help="skip the compile times")
    args = parser.parse_args(argv)
    import numba

    rate = dgemm_rate()
    print(
        f"numba {numba.__version__}, {numba.get_num_threads()} threads; numpy {np.__version__}; "
        f"dgemm {2 * rate / 1e9:.0f} GFLOP/s; load {os.getloadavg()[0]:.2f}"
    )
    for name in args.case or list(CASES):
        time_case(name, args, rate)
    if not args.no_compile:
        print()
        compile_times()


if __name__ == "__main__":
    main()
