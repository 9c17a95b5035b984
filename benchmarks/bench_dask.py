"""Cost of one Fisher-scoring iteration on a dask LocalCluster against in memory.

**Persisted** (the default): the data (logistic, n = 10⁶, k = 20) are persisted on
a ``distributed`` LocalCluster of two single-threaded worker processes on
loopback; the fit on them is timed against the fit of the same numpy arrays, and
each time is divided by the number of (ℓ, U, I) evaluations the loop made.

**Parquet, out of core** (``--parquet``): logistic data, n = 10⁷, k = 20
(1.7 GB as float64), are written file by file to parquet in a temporary folder
(uncompressed, plainly encoded; scaled down by a printed factor where the disk
has less than three times that free) and fitted from ``dd.read_parquet`` on two
single-threaded workers of 1 GB each: too little to hold them, so every pass
reads the files again. Its time per iteration is set against the in-memory fit
of the first 10⁶ rows (held in numpy). The check of the numbers is on that
subsample: the out-of-core path fits the files of those rows on the same
cluster, streamed (``skfisher.persist`` False, as they would fit), and its
estimates, standard errors and log-likelihood are compared with the numpy
fit's. The time per iteration is the fit's time divided by its
n_iter_ + 1 evaluations, as for the persisted case, and the loop's own time per
iteration is read off its ``verbose`` records; the workers' peak memory is
sampled every 0.1 s (the peak of their sum, halved).

Usage::

    python benchmarks/bench_dask.py [--rows 1000000] [--repeat 5]
    python benchmarks/bench_dask.py --parquet [--parquet-rows 10000000] [--repeat 3]
"""

import argparse
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

N_FEATURES = 20
ROWS_PER_FILE = 250_000


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10**6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--parquet", action="store_true", help="the out-of-core case")
    parser.add_argument("--parquet-rows", type=int, default=10**7)
    parser.add_argument("--subsample", type=int, default=10**6)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.parquet:
        parquet_case(args.parquet_rows, args.subsample, args.repeat)
    else:
        persisted_case(args.rows, args.repeat)


def persisted_case(rows, repeat):
    import dask.array as da
    from distributed import Client, LocalCluster

    from skfisher import FisherLogisticRegression

    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, N_FEATURES))
    eta = X @ rng.normal(0, 0.45, N_FEATURES) - 0.5
    y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(float)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        Xd = da.from_array(X, chunks=(rows // 8, N_FEATURES)).persist()
        yd = da.from_array(y, chunks=rows // 8).persist()
        times = {"numpy": [], "dask": []}
        fits = {}
        for _ in range(repeat):
            for name, data in (("numpy", (X, y)), ("dask", (Xd, yd))):
                start = time.perf_counter()
                fits[name] = FisherLogisticRegression().fit(*data)
                times[name].append(time.perf_counter() - start)
    difference = np.max(np.abs(fits["dask"].params_ - fits["numpy"].params_))
    print(f"logistic n={rows} k={N_FEATURES}, LocalCluster of 2 processes, |Δθ| {difference:.1e}")
    print(f"{'data':<8}{'median s':>10}{'iterations':>12}{'s / iteration':>15}")
    per_iteration = {}
    for name, fit in fits.items():
        seconds = float(np.median(times[name]))
        per_iteration[name] = seconds / (fit.n_iter_ + 1)
        print(f"{name:<8}{seconds:>10.3f}{fit.n_iter_:>12}{per_iteration[name]:>15.3f}")
    print(f"dask / numpy per iteration: {per_iteration['dask'] / per_iteration['numpy']:.2f}")


def write_parquet(folder, rows, keep):
    """Write ``rows`` rows of logistic data file by file; return the first ``keep`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    beta = np.random.default_rng(0).normal(0, 0.45, N_FEATURES)
    columns = [f"x{j}" for j in range(N_FEATURES)]
    kept_X, kept_y = [], []
    for i, start in enumerate(range(0, rows, ROWS_PER_FILE)):
        size = min(ROWS_PER_FILE, rows - start)
        rng = np.random.default_rng([1, i])
        X = rng.standard_normal((size, N_FEATURES))
        y = (rng.random(size) < 1 / (1 + np.exp(-(X @ beta - 0.5)))).astype(float)
        by_column = np.asfortranarray(X)
        table = {name: by_column[:, j] for j, name in enumerate(columns)} | {"y": y}
        path = folder / f"part{i:04d}.parquet"
        pq.write_table(pa.table(table), path, compression="none", use_dictionary=False)
        if start < keep:
            kept_X.append(X[: keep - start])
            kept_y.append(y[: keep - start])
    return np.concatenate(kept_X), np.concatenate(kept_y), columns


class IterationTimes(logging.Handler):
    """Keeps the seconds of each iteration record of the ``"skfisher"`` logger.

    And the record of a dask fit's choice to persist or stream its blocks.
    """

    def __init__(self):
        super().__init__(logging.INFO)
        self.seconds, self.blocks = [], None

    def emit(self, record):
        if record.msg.startswith("Fisher scoring iteration"):
            self.seconds.append(record.args[-1])
        elif record.msg.startswith("dask fit of"):
            self.blocks = record.getMessage()

    def per_iteration(self):
        """The median time between consecutive iterations (one pass each, mostly)."""
        return float(np.median(np.diff(self.seconds))) if len(self.seconds) > 1 else np.nan


def timed_fit(X, y, repeat=1, verbose=0):
    """Return the last fit, its median time over ``repeat`` fits, and its log's handler."""
    from skfisher import FisherLogisticRegression

    logger, handler = logging.getLogger("skfisher"), IterationTimes()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    times = []
    try:
        for _ in range(repeat):
            handler.seconds = []
            model = FisherLogisticRegression()
            model.verbose = verbose
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
    finally:
        logger.removeHandler(handler)
    return model, float(np.median(times)), handler


def scaled_rows(rows):
    """Return ``rows``, scaled down to fit three times in the free space of the disk."""
    needed = 3 * rows * (N_FEATURES + 1) * 8
    free = shutil.disk_usage(tempfile.gettempdir()).free
    if free >= needed:
        return rows
    factor = free / needed
    print(f"only {free / 1e9:.1f} GB free for {needed / 1e9:.1f} GB: rows scaled by {factor:.2f}")
    return int(rows * factor) // ROWS_PER_FILE * ROWS_PER_FILE


def parquet_case(rows, subsample, repeat):
    import dask
    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    from distributed.diagnostics import MemorySampler

    rows = scaled_rows(rows)
    subsample = min(-(-subsample // ROWS_PER_FILE) * ROWS_PER_FILE, rows)  # whole files
    load, limit = os.getloadavg(), 10**9
    with tempfile.TemporaryDirectory() as scratch:
        full, part = Path(scratch) / "full", Path(scratch) / "subsample"
        full.mkdir()
        part.mkdir()
        start = time.perf_counter()
        X, y, columns = write_parquet(full, rows, subsample)
        written = time.perf_counter() - start
        for path in sorted(full.iterdir())[: subsample // ROWS_PER_FILE]:
            shutil.copy(path, part / path.name)
        in_memory = timed_fit(X, y, repeat, verbose=1)
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=limit,
        )
        with cluster, Client(cluster):
            with dask.config.set({"skfisher.persist": False}):  # streamed, as the full data
                frame = dd.read_parquet(part)
                check, _, _ = timed_fit(frame[columns], frame["y"])
            sampler = MemorySampler()
            with sampler.sample("fit", measure="process", interval=0.1):
                frame = dd.read_parquet(full)
                out_of_core = timed_fit(frame[columns], frame["y"], 1, verbose=1)
            peak = float(sampler.to_pandas()["fit"].max()) / 2
    report(rows, subsample, written, limit, peak, in_memory[0], check)
    print(out_of_core[2].blocks)
    print(f"{'fit':<28}{'s':>9}{'iterations':>12}{'s / iteration':>15}{'loop s / it.':>14}")
    per_iteration = []
    for name, (fit, seconds, log) in (
        (f"numpy, {subsample:,} rows", in_memory),
        (f"parquet, {rows:,} rows", out_of_core),
    ):
        per_iteration.append(seconds / (fit.n_iter_ + 1))
        loop = log.per_iteration()
        print(f"{name:<28}{seconds:>9.2f}{fit.n_iter_:>12}{per_iteration[-1]:>15.3f}{loop:>14.3f}")
    ratio = per_iteration[1] / per_iteration[0]
    print(f"parquet / numpy per iteration: {ratio:.1f}; per row: {ratio * subsample / rows:.2f}")
    print(f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}")


def report(rows, subsample, written, limit, peak, numpy_fit, check):
    """Print the set-up, and the out-of-core fit of the subsample against numpy's."""
    gigabytes = rows * (N_FEATURES + 1) * 8 / 1e9
    print(
        f"logistic n={rows} k={N_FEATURES} ({gigabytes:.2f} GB as float64) written in "
        f"{written:.1f} s; LocalCluster of 2 processes, {limit / 1e9:.0f} GB each, "
        f"peak {peak / 1e9:.2f} GB per worker"
    )
    errors = np.abs(check.params_ - numpy_fit.params_) / numpy_fit.standard_errors_
    se = np.max(np.abs(check.standard_errors_ / numpy_fit.standard_errors_ - 1))
    loglik = abs(check.loglik_ / numpy_fit.loglik_ - 1)
    print(
        f"check on the first {subsample} rows, out of core against numpy: "
        f"|Δθ| {errors.max():.1e} SE, SE rel {se:.1e}, loglik rel {loglik:.1e}"
    )


if __name__ == "__main__":
    main()
