"""Float32 against float64 input: the logistic fit of 10⁶ rows × 20 features.

The data are those of ``bench_fit.py`` (case ``logistic-1e6x20``); the float32
input is their rounding to float32. Three inputs are fitted to ``tol=1e-8``
(the fit includes the expected, observed and empirical information, the
covariance and the standard errors):

* **float64**: X in float64;
* **float32**: X in float32, kept as float32 by the estimator;
* **float32 copied**: ``X.astype(np.float64)`` inside the timed call, the cost
  of a float32 X that the validation converts to float64.

Times are medians of ``--repeat`` interleaved repeats in one process (the order
of the inputs alternates). Memory is measured in a fresh process per input:
the peak that the fit allocates above the data (``tracemalloc``), divided by
the bytes of the float32 X. The products section times ``Design.matvec`` on
float64 X, on float32 X (its rows cast to float64 a chunk at a time) and the
alternative that casts θ to float32 instead, with each one's error in η
against the float64 product of the same numbers, in units of ``|X| |θ|``.

Until the estimators keep float32 X themselves, this script makes them do so
(their ``validate_data`` is given ``dtype=[np.float64, np.float32]``); the
output says which.

Usage::

    python benchmarks/bench_float32.py               # 5 repeats
    python benchmarks/bench_float32.py --repeat 7 --rows 200000
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
import warnings

import numpy as np

TOL = 1e-8
INPUTS = ("float64", "float32", "float32 copied")


def make_data(n_rows):
    """The data of ``bench_fit.make_data("logistic-1e6x20")`` (with ``n_rows`` rows)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, 20))
    beta = rng.normal(0, 2.0 / np.sqrt(20), 20)
    y = (rng.random(n_rows) < 1 / (1 + np.exp(-(X @ beta - 0.5)))).astype(float)
    return X, y


def keep_float32():
    """Make the estimators keep float32 X; return whether they needed it."""
    from sklearn.utils import validation

    from skfisher import FisherLogisticRegression
    from skfisher.linear_model import _base, _glm

    probe = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = FisherLogisticRegression(max_iter=0).fit(probe, [0, 1, 1, 0])
    if fitted._fitted_problem.design.X.dtype == np.float32:
        return False

    def validate(*args, **kwargs):
        if kwargs.get("dtype") is np.float64:
            kwargs["dtype"] = [np.float64, np.float32]
        return validation.validate_data(*args, **kwargs)

    _base.validate_data = _glm.validate_data = validate
    return True


def fit(name, X64, X32, y):
    """Fit one input; return the estimator and the dtype of the X it fitted."""
    from skfisher import FisherLogisticRegression

    X = {"float64": X64, "float32": X32}.get(name)
    if name == "float32 copied":
        X = X32.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = FisherLogisticRegression(tol=TOL).fit(X, y)
    model.standard_errors_  # noqa: B018  (computed by fit; read as a user would)
    return model, str(model._fitted_problem.design.X.dtype)


def time_fits(X64, X32, y, repeat):
    times = {name: [] for name in INPUTS}
    fits = {}
    for r in range(repeat):
        order = INPUTS if r % 2 == 0 else INPUTS[::-1]
        for name in order:
            gc.collect()
            start = time.perf_counter()
            fits[name] = fit(name, X64, X32, y)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}, fits


def peak_memory(name, n_rows):
    """Peak bytes allocated by one fit above its data, in a fresh process."""
    command = [sys.executable, __file__, "--rows", str(n_rows), "--memory", name]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_memory(name, n_rows):
    keep_float32()
    X64, y = make_data(n_rows)
    X32 = X64.astype(np.float32)
    if name != "float64":
        del X64
        X64 = None
    fit("float32", X64, X32[:1000], y[:1000])  # imports and first calls outside the count
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fit(name, X64, X32, y)
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    print(json.dumps({"peak": peak, "x32_bytes": X32.nbytes}))


def time_products(X64, X32, repeat):
    """Median times (s) and errors in η of the products X θ for float32 X."""
    from skfisher._linalg import Design

    theta = np.random.default_rng(1).normal(size=X64.shape[1] + 1)
    exact = Design(X32.astype(np.float64), True).matvec(theta)
    scale = np.abs(X32) @ np.abs(theta[1:]) + abs(theta[0])
    variants = {
        "float64 X": lambda: Design(X64, True).matvec(theta),
        "float32 X, rows cast by chunks": lambda: Design(X32, True).matvec(theta),
        "float32 X, theta cast to float32": lambda: (
            X32 @ theta[1:].astype(np.float32) + np.float32(theta[0])
        ),
    }
    out = {}
    for name, product in variants.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            eta = product()
            times.append(time.perf_counter() - start)
        error = np.max(np.abs(eta - exact) / scale) if "float32" in name else 0.0
        out[name] = (float(np.median(times)), float(error))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", choices=INPUTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory:
        return measure_memory(args.memory, args.rows)

    print(f"load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    applied = keep_float32()
    X64, y = make_data(args.rows)
    X32 = X64.astype(np.float32)
    times, fits = time_fits(X64, X32, y, args.repeat)
    memory = {name: peak_memory(name, args.rows) for name in INPUTS}
    how = "applied by this script" if applied else "by the estimator itself"
    print(f"\nlogistic {args.rows} x 20, tol={TOL:g}; float32 X kept {how}")
    header = ("input", "X fitted", "time (s)", "ratio", "n_iter", "peak/X32")
    print("{:16} {:>9} {:>9} {:>6} {:>6} {:>9}".format(*header))
    for name in INPUTS:
        model, dtype = fits[name]
        peak = memory[name]["peak"] / memory[name]["x32_bytes"]
        ratio = times[name] / times["float64"]
        print(
            f"{name:16} {dtype:>9} {times[name]:9.3f} {ratio:6.2f} {model.n_iter_:6d} {peak:9.2f}"
        )
    m64, m32 = fits["float64"][0], fits["float32"][0]
    same = fits["float32 copied"][0]
    print(
        "\nfloat32 X against its float64 copy (the same numbers): max relative difference "
        f"params {_relative(m32.params_, same.params_):.1e}, "
        f"SEs {_relative(m32.standard_errors_, same.standard_errors_):.1e}"
    )
    print(
        "float32 rounding against float64 X: max |Δθ| / SE "
        f"{np.max(np.abs(m32.params_ - m64.params_) / m64.standard_errors_):.1e}"
    )
    print("\nX θ (median of repeats)")
    for name, (seconds, error) in time_products(X64, X32, 2 * args.repeat + 1).items():
        print(f"  {name:34} {1e3 * seconds:7.1f} ms   error in η {error:.1e} |X||θ|")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return None


def _relative(a, b):
    return float(np.max(np.abs(a - b) / np.abs(b)))


if __name__ == "__main__":
    main()
