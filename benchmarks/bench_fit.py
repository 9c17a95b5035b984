"""Time skfisher against statsmodels, scikit-learn and glum on the same data.

Every method fits the same seeded data; timings are interleaved repeats in one
process (median reported), and peak memory is measured per method in a fresh
subprocess (max RSS above the data's own footprint). "limit" is what any
Fisher-scoring or Newton fitter must pay with numpy's products: skfisher's
iterations times one one-shot ``X.T @ (w[:, None] * X)`` plus two
matrix-vector products.

Two physical limits follow each table, measured in the same run:

* **bandwidth**: one read of X per θ (η, μ, the score and the information
  fused in one pass), ``(iterations + 1) × t_read`` with ``t_read`` the
  median time of summing every stored value of X (and a sparse X's indices);
* **flops**: the Gram products' arithmetic, ``(iterations + 2) × F / R``,
  with ``F = n k²`` for dense X (``Σ_i nnz_i²`` for sparse X) and ``R`` the
  machine's dgemm rate measured on a 2048 × 2048 product.

Each is printed with skfisher's time as a multiple of it; the larger of the
two is the bound that applies (bandwidth for narrow X, flops for wide X).

Usage::

    python benchmarks/bench_fit.py                     # every case, 5 repeats
    python benchmarks/bench_fit.py --case logistic-1e6x20 --repeat 7
    python benchmarks/bench_fit.py --case sparse-logistic --no-memory

A method whose first fit takes more than a minute (statsmodels on the sparse
case, which it takes dense) is timed once and its memory is not measured.

Results and the machine they came from are recorded in
docs/user_guide/performance.rst.
"""

import argparse
import gc
import json
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

TOL = 1e-8
# A method slower than this is timed once (see the notes).
SLOW_SECONDS = 60.0


# Data -------------------------------------------------------------------------
def make_data(case, n_rows=None):
    rng = np.random.default_rng(0)
    if case == "gamma-dist":
        return rng.gamma(2.5, 1.7, size=n_rows or 10**6), None
    if case == "sparse-logistic":
        n, k = n_rows or 2 * 10**5, 2000
        X = sp.random(n, k, density=0.01, format="csr", random_state=0, dtype=float)
        X.data = rng.standard_normal(X.nnz)
    else:
        n, k = {"logistic-1e6x20": (10**6, 20), "logistic-2e5x200": (2 * 10**5, 200)}.get(
            case, (10**6, 20)
        )
        X = rng.standard_normal((n_rows or n, k))
    beta = rng.normal(0, 2.0 / np.sqrt(k), X.shape[1])
    eta = X @ beta - 0.5
    if case.startswith("poisson"):
        y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    else:
        y = (rng.random(X.shape[0]) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


# Methods: each returns (params, standard errors) so that accuracy is comparable
def skfisher_fit(case, X, y, tol=TOL):
    if case == "gamma-dist":
        from skfisher import MLEDistribution

        m = MLEDistribution("gamma", tol=tol).fit(X)
        return m.params_, m.standard_errors_
    if case.startswith("poisson"):
        from skfisher import FisherPoissonRegressor

        m = FisherPoissonRegressor(tol=tol).fit(X, y)
    else:
        from skfisher import FisherLogisticRegression

        m = FisherLogisticRegression(tol=tol).fit(X, y)
    return m.params_, m.standard_errors_


def statsmodels_fit(case, X, y, glm=False):
    import statsmodels.api as sm

    if case == "gamma-dist":
        from scipy import stats
        from statsmodels.base.model import GenericLikelihoodModel

        class Gamma(GenericLikelihoodModel):
            def loglike(self, params):
                shape, scale = params
                return stats.gamma.logpdf(self.endog, shape, scale=scale).sum()

        res = Gamma(X).fit(start_params=[2.0, 2.0], disp=0, method="newton")
        return res.params, res.bse
    # statsmodels takes dense arrays only: a sparse X is made dense in the timed call.
    Xc = sm.add_constant(X.toarray() if sp.issparse(X) else X)
    if glm:
        family = sm.families.Poisson() if case.startswith("poisson") else sm.families.Binomial()
        res = sm.GLM(y, Xc, family=family).fit(tol=TOL)
    elif case.startswith("poisson"):
        res = sm.Poisson(y, Xc).fit(disp=0, method="newton", tol=TOL)
    else:
        res = sm.Logit(y, Xc).fit(disp=0, method="newton", tol=TOL)
    return res.params, res.bse


def sklearn_fit(case, X, y):
    if case == "gamma-dist":
        from scipy import stats

        shape, _, scale = stats.gamma.fit(X, floc=0)
        return np.array([shape, scale]), None
    if case.startswith("poisson"):
        from sklearn.linear_model import PoissonRegressor

        m = PoissonRegressor(alpha=0, solver="newton-cholesky", tol=TOL, max_iter=100)
    else:
        from sklearn.linear_model import LogisticRegression

        m = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=TOL, max_iter=100)
    m.fit(X, y)
    return np.concatenate([np.ravel(m.intercept_), np.ravel(m.coef_)]), None


def glum_fit(case, X, y):
    from glum import GeneralizedLinearRegressor

    family = "poisson" if case.startswith("poisson") else "binomial"
    m = GeneralizedLinearRegressor(family=family, alpha=0, gradient_tol=TOL).fit(X, y)
    se = m.std_errors(X, y, robust=False)
    return np.concatenate([[m.intercept_], m.coef_]), se


def limit_fit(case, X, y, n_iter):
    """``n_iter`` × (one Gram product and two matrix-vector products)."""
    if case == "gamma-dist":
        # Two passes over the data: the sufficient statistics Σx and Σ log x.
        return np.array([X.sum(), np.log(X).sum()]), None
    w = np.full(X.shape[0], 0.25)
    beta = np.zeros(X.shape[1])
    for _ in range(n_iter):
        eta = X @ beta
        gram = X.T @ X.multiply(w[:, None]) if sp.issparse(X) else X.T @ (w[:, None] * X)
        score = X.T @ (w * eta)
    return gram, score


METHODS = {
    "skfisher": skfisher_fit,
    # skfisher's tol is in standard errors (the step still to go); 1e-5 stops
    # at about the accuracy scikit-learn reaches with its tol=1e-8 (|Δθ| column).
    "skfisher-tol1e-5": lambda case, X, y: skfisher_fit(case, X, y, tol=1e-5),
    "statsmodels": statsmodels_fit,
    "statsmodels-GLM": lambda case, X, y: statsmodels_fit(case, X, y, glm=True),
    "scikit-learn": sklearn_fit,
    "glum": glum_fit,
}

CASES = ["logistic-1e6x20", "logistic-2e5x200", "poisson-1e6x20", "gamma-dist", "sparse-logistic"]


def methods_for(case):
    names = ["skfisher", "skfisher-tol1e-5", "statsmodels", "statsmodels-GLM"]
    names += ["scikit-learn", "glum", "limit"]
    if case == "gamma-dist":
        names = ["skfisher", "statsmodels", "scikit-learn", "limit"]
    if case == "sparse-logistic":
        names = ["skfisher", "skfisher-tol1e-5", "statsmodels", "scikit-learn", "glum", "limit"]
    return names


def skfisher_iterations(case, X, y):
    """Return skfisher's iterations plus the final evaluation, and the engine of its pass."""
    if case == "gamma-dist":
        return 1, "separate products"
    import skfisher

    name = "FisherPoissonRegressor" if case.startswith("poisson") else "FisherLogisticRegression"
    model = getattr(skfisher, name)(tol=TOL).fit(X, y)
    # The one-pass kernel of the dense binomial-logit and Poisson-log problems, if it ran.
    fused = getattr(model.fisher_result_.problem, "_fused", None)
    return model.n_iter_ + 1, "separate products" if fused is None else f"fused, {fused.engine}"


def run_method(name, case, X, y, n_iter):
    if name == "limit":
        return limit_fit(case, X, y, n_iter)
    return METHODS[name](case, X, y)


def time_case(case, repeat):
    X, y = make_data(case)
    n_iter, engine = skfisher_iterations(case, X, y)
    names = methods_for(case)
    times = {name: [] for name in names}
    results = {}
    for _ in range(repeat):
        for name in names:  # interleaved: noise hits every method alike
            if times[name] and times[name][0] > SLOW_SECONDS:
                continue
            gc.collect()
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[name] = run_method(name, case, X, y, n_iter)
            times[name].append(time.perf_counter() - start)
    reference = np.asarray(results["skfisher"][0])
    accuracy = {}
    for name in names:
        if name == "limit":
            continue
        params = np.asarray(results[name][0])
        if params.shape == reference.shape:
            accuracy[name] = float(np.max(np.abs(params - reference)))
    limits = physical_limits(case, X, n_iter)
    medians = {name: float(np.median(t)) for name, t in times.items()}
    return medians, accuracy, n_iter, engine, limits


def _median_time(function, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def physical_limits(case, X, n_iter):
    """``{"bandwidth": s, "flops": s}`` for skfisher's ``n_iter`` evaluations (see the notes)."""
    if case == "gamma-dist":
        return {}
    if sp.issparse(X):
        read = _median_time(lambda: (X.data.sum(), X.indices.sum()))
        per_row = np.diff(X.indptr).astype(float)
        flops = float(per_row @ per_row)
    else:
        read = _median_time(X.sum)
        flops = float(X.shape[0]) * X.shape[1] ** 2
    A = np.random.default_rng(1).standard_normal((2048, 2048))
    rate = 2 * 2048**3 / _median_time(lambda: A @ A, repeat=5)
    return {
        "bandwidth": n_iter * read,
        "flops": (n_iter + 1) * flops / rate,
        "read_s": read,
        "dgemm_GFLOPs": rate / 1e9,
    }


def _vm(field):
    """A field of /proc/self/status in MiB (VmHWM: peak resident set; VmRSS: now)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak():
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    # ru_maxrss cannot be used: a child inherits its parent's value at fork.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_memory(case, name):
    """Peak RSS (MiB) a method adds, in a fresh subprocess, above the loaded data."""
    code = (
        "import sys, warnings; sys.path.insert(0, 'benchmarks'); import bench_fit as b;"
        f"X, y = b.make_data({case!r});"
        f"n = b.skfisher_iterations({case!r}, X, y) if {name!r} == 'limit' else 0;"
        "warnings.simplefilter('ignore'); import gc;"
        # Import the method's libraries on a small sample first: their code is
        # not the fit's memory (skfisher's fused pass, which the full data take,
        # forced on the sample: numba's code is tens of MiB).
        f"xs, ys = b.make_data({case!r}, n_rows=2000);"
        "import os; os.environ['SKFISHER_FUSED_ENGINE'] = 'numba';"
        f"b.run_method({name!r}, {case!r}, xs, ys, 1);"
        "del os.environ['SKFISHER_FUSED_ENGINE'];"
        "del xs, ys; gc.collect();"
        "b._reset_peak(); base = b._vm('VmRSS');"
        f"b.run_method({name!r}, {case!r}, X, y, n);"
        "print(b._vm('VmHWM') - base)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


def machine():
    """The date, the CPUs, the load and the libraries' versions of this run."""
    import os
    import platform
    from importlib import metadata

    found = []
    for name in ("skfisher", "numpy", "scipy", "scikit-learn", "statsmodels", "glum", "numba"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.processor() or 'cpu'}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; Python "
        f"{platform.python_version()}, {', '.join(found)}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, action="append")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    report = {"machine": machine()}
    print(report["machine"])
    for case in args.case or CASES:
        medians, accuracy, n_iter, engine, limits = time_case(case, args.repeat)
        fast = [m for m, seconds in medians.items() if seconds <= SLOW_SECONDS]
        memory = {} if args.no_memory else {m: peak_memory(case, m) for m in fast}
        report[case] = {"median_s": medians, "max_abs_param_diff": accuracy, "n_iter": n_iter}
        report[case]["skfisher_engine"] = engine
        report[case]["peak_extra_MiB"] = memory
        report[case]["physical_limits"] = limits
        print(f"\n{case}  (skfisher iterations + final evaluation: {n_iter}; {engine})")
        print(f"{'method':<17}{'median s':>10}{'skfisher / it':>15}{'peak MiB':>10}{'|Δθ|':>10}")
        for name, seconds in medians.items():
            ratio = medians["skfisher"] / seconds
            mem = memory.get(name, float("nan"))
            diff = accuracy.get(name, float("nan"))
            print(f"{name:<17}{seconds:>10.4f}{ratio:>15.2f}{mem:>10.0f}{diff:>10.1e}")
        for bound in ("bandwidth", "flops") if limits else ():
            ratio = medians["skfisher"] / limits[bound]
            print(f"{bound + ' limit':<17}{limits[bound]:>10.4f}{ratio:>15.2f}")
        if limits:
            print(
                f"(one read of X {limits['read_s']:.4f} s; "
                f"dgemm {limits['dgemm_GFLOPs']:.0f} GFLOP/s)"
            )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
