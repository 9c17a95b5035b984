"""Cost of one Fisher-scoring iteration on a dask LocalCluster against in memory.

The data (logistic, n = 10⁶, k = 20) are persisted on a ``distributed``
LocalCluster of two single-threaded worker processes on loopback; the fit on
them is timed against the fit of the same numpy arrays, and each time is
divided by the number of (ℓ, U, I) evaluations the loop made.

Usage::

    python benchmarks/bench_dask.py [--rows 1000000] [--repeat 5]
"""

import argparse
import time
import warnings

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    import dask.array as da
    from distributed import Client, LocalCluster

    from skfisher import FisherLogisticRegression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.rows, 20))
    y = (rng.random(args.rows) < 1 / (1 + np.exp(-(X @ rng.normal(0, 0.45, 20) - 0.5)))).astype(
        float
    )
    warnings.simplefilter("ignore")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        Xd = da.from_array(X, chunks=(args.rows // 8, 20)).persist()
        yd = da.from_array(y, chunks=args.rows // 8).persist()
        times = {"numpy": [], "dask": []}
        fits = {}
        for _ in range(args.repeat):
            for name, data in (("numpy", (X, y)), ("dask", (Xd, yd))):
                start = time.perf_counter()
                fits[name] = FisherLogisticRegression().fit(*data)
                times[name].append(time.perf_counter() - start)
    difference = np.max(np.abs(fits["dask"].params_ - fits["numpy"].params_))
    print(f"logistic n={args.rows} k=20, LocalCluster of 2 processes, |Δθ| {difference:.1e}")
    print(f"{'data':<8}{'median s':>10}{'iterations':>12}{'s / iteration':>15}")
    per_iteration = {}
    for name, fit in fits.items():
        seconds = float(np.median(times[name]))
        per_iteration[name] = seconds / (fit.n_iter_ + 1)
        print(f"{name:<8}{seconds:>10.3f}{fit.n_iter_:>12}{per_iteration[name]:>15.3f}")
    print(f"dask / numpy per iteration: {per_iteration['dask'] / per_iteration['numpy']:.2f}")


if __name__ == "__main__":
    main()
