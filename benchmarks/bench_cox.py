"""Time Cox regression: skfisher against lifelines, scikit-survival and statsmodels.

The data are seeded: n = 10⁵ rows, k = 20 standard-normal features, exponential
times with proportional hazards (β drawn once, sd 0.5/√k), exponential censoring
at the scale that censors 30% of the rows, and the times rounded up to 0.01, so
that event times tie (a few hundred distinct ones). Every method fits the same
data with Efron's ties; timings are interleaved repeats in one process, and the
medians are printed with skfisher's time over each method's.

* **skfisher**: ``FisherCoxRegressor("efron").fit`` (tol 1e-8), which includes
  the information, the observed information, the empirical Fisher information
  (the score residuals), the covariance and the standard errors.
* **lifelines**: ``CoxPHFitter().fit`` of a DataFrame (made outside the timing),
  when lifelines is installed; its standard errors and ``log_likelihood_``.
* **scikit-survival**: ``CoxPHSurvivalAnalysis(ties="efron").fit``: coefficients
  only (no standard errors, no log-likelihood).
* **statsmodels**: ``PHReg(time, X, status=event, ties="efron").fit()``, with
  ``bse`` and ``llf``.

Accuracy: |Δβ| is the largest absolute difference from skfisher's β̂; "Δℓ at β"
skfisher's log partial likelihood at the method's β minus ``loglik_`` (≤ 0: how
far below the maximum the method stopped); "Δℓ own" the method's own reported
log-likelihood minus ``loglik_`` (differences of ``|ℓ| · 1e-16`` are rounding:
the header prints that scale); "SE rel" the largest relative difference of its
standard errors from skfisher's ``standard_errors_`` (the inverse negative
Hessian, as every one reports). Memory: the peak of the allocations traced by
``tracemalloc`` during one more skfisher fit, above what was allocated before
it, against the size of X (numpy reports its buffers to tracemalloc). On a
machine that sets OPENBLAS_CORETYPE, unset it (and OPENBLAS_L2_SIZE) for this
command to time numpy's own kernel.

Usage::

    python benchmarks/bench_cox.py                    # 3 interleaved repeats
    python benchmarks/bench_cox.py --repeat 5 --n 20000
    python benchmarks/bench_cox.py --rounding 0       # distinct times
"""

import argparse
import gc
import sys
import time
import tracemalloc
import warnings
from importlib import metadata

import numpy as np

from skfisher.survival import FisherCoxRegressor

N_ROWS, N_FEATURES, CENSORED, ROUNDING = 10**5, 20, 0.3, 0.01


def make_data(n, k, rounding=ROUNDING, seed=0):
    """Standard-normal X; exponential times, 30% censored, rounded up to ``rounding``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    beta = rng.normal(0.0, 0.5 / np.sqrt(k), k)
    latent = rng.exponential(np.exp(-X @ beta))
    draws = rng.exponential(size=n)
    low, high = 1e-3, 1e3  # the censoring scale s: the share of s·draws < latent falls with s
    for _ in range(100):
        scale = np.sqrt(low * high)
        low, high = (scale, high) if np.mean(scale * draws < latent) > CENSORED else (low, scale)
    censor = scale * draws
    time_ = np.minimum(latent, censor)
    if rounding:
        time_ = np.ceil(time_ / rounding) * rounding
    return X, time_, (latent <= censor).astype(float)


# Methods: each returns (β, standard errors or None, info) --------------------------
def skfisher_fit(data):
    X, y = data["X"], data["y"]
    model = FisherCoxRegressor("efron", tol=1e-8).fit(X, y)
    se = model.standard_errors_  # every matrix and the covariance are computed by fit
    shapes = {m.shape for m in (model.observed_information_, model.empirical_fisher_)}
    assert shapes == {model.information_.shape} and np.all(np.isfinite(se))
    return model.coef_, se, {"loglik": model.loglik_, "model": model}


def lifelines_fit(data):
    from lifelines import CoxPHFitter

    fitter = CoxPHFitter().fit(data["frame"], duration_col="T", event_col="E")
    names = data["names"]
    params = fitter.params_[names].to_numpy()
    se = fitter.standard_errors_[names].to_numpy()
    return params, se, {"loglik": float(fitter.log_likelihood_)}


def sksurv_fit(data):
    from sksurv.linear_model import CoxPHSurvivalAnalysis

    model = CoxPHSurvivalAnalysis(ties="efron").fit(data["X"], data["structured"])
    return model.coef_, None, {}


def statsmodels_fit(data):
    from statsmodels.duration.hazard_regression import PHReg

    result = PHReg(data["time"], data["X"], status=data["event"], ties="efron").fit()
    return np.asarray(result.params), np.asarray(result.bse), {"loglik": float(result.llf)}


def methods():
    found = {"skfisher": skfisher_fit}
    for name, module, fit in [
        ("lifelines", "lifelines", lifelines_fit),
        ("scikit-survival", "sksurv", sksurv_fit),
        ("statsmodels", "statsmodels", statsmodels_fit),
    ]:
        try:
            __import__(module)
            found[name] = fit
        except ImportError:
            print(f"{name} is not installed: skipped", file=sys.stderr)
    return found


def prepare(X, time_, event):
    """The inputs of every method, made once outside the timing."""
    names = [f"x{j}" for j in range(X.shape[1])]
    data = {"X": X, "time": time_, "event": event, "names": names}
    data["y"] = np.column_stack([time_, event])
    structured = np.empty(X.shape[0], dtype=[("event", "?"), ("time", "<f8")])
    structured["event"], structured["time"] = event == 1, time_
    data["structured"] = structured
    try:
        import pandas as pd

        frame = pd.DataFrame(X, columns=names)
        frame["T"], frame["E"] = time_, event
        data["frame"] = frame
    except ImportError:
        pass
    return data


def time_methods(found, data, repeat):
    """Interleaved repeats of every method; return the medians and the last results."""
    times = {name: [] for name in found}
    results = {}
    for _ in range(repeat):
        for name, fit in found.items():  # interleaved: noise hits every method alike
            gc.collect()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[name] = fit(data)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}, results


def peak_memory(data):
    """The peak traced allocation of one skfisher fit above the allocations before it."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    model = skfisher_fit(data)[2]["model"]
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del model
    return peak


def versions():
    names = ["numpy", "scipy", "scikit-learn", "lifelines", "scikit-survival", "statsmodels"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def print_table(medians, results):
    reference, ref_se, extra = results["skfisher"]
    problem = extra["model"]._fitted_problem
    print(
        f"{'method':<17}{'median s':>9}{'skfisher/it':>12}{'|Δβ|':>9}"
        f"{'Δℓ at β':>10}{'Δℓ own':>10}{'SE rel':>9}"
    )
    for name, seconds in medians.items():
        params, se, info = results[name]
        diff = float(np.max(np.abs(np.asarray(params) - reference)))
        at = problem.loglik(np.asarray(params, dtype=float)) - extra["loglik"]
        own = info["loglik"] - extra["loglik"] if "loglik" in info else np.nan
        rel = (
            np.nan if se is None or name == "skfisher" else float(np.max(np.abs(se / ref_se - 1)))
        )
        ratio = medians["skfisher"] / seconds
        print(
            f"{name:<17}{seconds:>9.3f}{ratio:>12.3f}{diff:>9.1e}{at:>10.1e}{own:>10.1e}{rel:>9.1e}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n", type=int, default=N_ROWS)
    parser.add_argument("--rounding", type=float, default=ROUNDING, help="0: distinct times")
    args = parser.parse_args(argv)
    X, time_, event = make_data(args.n, N_FEATURES, args.rounding)
    data = prepare(X, time_, event)
    found = methods()
    if "frame" not in data:
        found.pop("lifelines", None)
    medians, results = time_methods(found, data, args.repeat)
    distinct = np.unique(time_[event == 1]).size
    loglik = results["skfisher"][2]["loglik"]
    print(
        f"n = {args.n}, k = {N_FEATURES}, Efron's ties; median of {args.repeat}; "
        f"loglik_ = {loglik:.6f} (its rounding: {abs(loglik) * 2.2e-16:.0e})"
    )
    print(
        f"censored {1 - event.mean():.1%}, {int(event.sum())} events at {distinct} distinct "
        f"times; {versions()}"
    )
    print_table(medians, results)
    peak = peak_memory(data)
    print(
        f"skfisher fit, peak extra memory (tracemalloc): {peak / 2**20:.1f} MiB = "
        f"{peak / X.nbytes:.2f} x X ({X.nbytes / 2**20:.1f} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
