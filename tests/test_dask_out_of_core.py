"""Fits of parquet data larger than the workers' memory: one pass over the files per iteration.

Where the blocks' problems would take more than half of the memory free on
the workers, nothing is persisted: each pass builds every block from its
parquet partition, evaluates it and lets it go. The fit equals the in-memory
fit of the same rows.
"""

import importlib
import logging
import os
import warnings

import numpy as np
import pytest

from skfisher import FisherGLMRegressor, FisherLogisticRegression
from skfisher.linear_model import _dask_fit

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

STREAMED = "built from the source at each pass"
# dask's parquet reader calls a pandas method that pandas 3.1 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")


def _write_parquet(folder, n_files, rows, k, seed=0):
    """Write ``n_files`` files of a logistic and a Poisson response; return the numpy data.

    Each file is generated and written on its own, as data too large to
    hold at once would be; plainly encoded and uncompressed, as random floats
    neither repeat nor compress.
    """
    columns = [f"x{j}" for j in range(k)]
    beta = np.linspace(-1.0, 1.0, k) / np.sqrt(k)
    X = np.empty((n_files * rows, k))
    data = {name: np.empty(n_files * rows) for name in ("event", "log_exposure", "count", "w")}
    for i in range(n_files):
        rng = np.random.default_rng([seed, i])
        part = slice(i * rows, (i + 1) * rows)
        X[part] = rng.standard_normal((rows, k))
        eta = X[part] @ beta - 0.2
        data["event"][part] = rng.random(rows) < 1 / (1 + np.exp(-eta))
        data["log_exposure"][part] = np.log(rng.uniform(0.5, 2.0, rows))
        data["count"][part] = rng.poisson(np.exp(0.5 * eta + data["log_exposure"][part]))
        data["w"][part] = rng.integers(0, 3, rows)
        by_column = np.asfortranarray(X[part])  # contiguous columns for the table
        table = {name: by_column[:, j] for j, name in enumerate(columns)}
        table.update({name: values[part] for name, values in data.items()})
        path = folder / f"part{i:03d}.parquet"
        pq.write_table(pa.table(table), path, compression="none", use_dictionary=False)
    return X, data, columns


def _first_message(caplog):
    """The first record of the "skfisher" logger (distributed logs to the same handler)."""
    return next(r.getMessage() for r in caplog.records if r.name == "skfisher")


def _assert_same_fit(dask_fit, numpy_fit):
    # Both stop within 1e-8 standard errors of the same maximum; sums over
    # blocks instead of chunks of rows differ only in the order of additions.
    np.testing.assert_allclose(dask_fit.params_, numpy_fit.params_, rtol=1e-9)
    np.testing.assert_allclose(dask_fit.standard_errors_, numpy_fit.standard_errors_, rtol=1e-8)
    np.testing.assert_allclose(dask_fit.loglik_, numpy_fit.loglik_, rtol=1e-10)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    X, data, columns = _write_parquet(folder, n_files=6, rows=5000, k=4)
    return folder, X, data, columns


@pytest.fixture
def never_persisted(monkeypatch):
    def refuse(*collections, **kwargs):
        raise AssertionError("a streamed fit persisted its blocks")

    monkeypatch.setattr(dask, "persist", refuse)


@pytest.mark.parametrize("as_array", [False, True], ids=["dataframe", "dask array"])
def test_streamed_logistic_fit_equals_numpy_fit(stored, never_persisted, as_array):
    folder, X, data, columns = stored
    numpy_fit = FisherLogisticRegression(cov_type="sandwich").fit(X, data["event"])
    frame = dd.read_parquet(folder)
    Xd, yd = frame[columns], frame["event"]
    if as_array:
        # Rows per block unknown (to_dask_array(lengths=True) of a column
        # subset of read_parquet can count fused partitions, dask/dask#12411).
        Xd, yd = Xd.to_dask_array(), yd.values
    with dask.config.set({"skfisher.persist": False, "scheduler": "threads"}):
        dask_fit = FisherLogisticRegression(cov_type="sandwich").fit(Xd, yd)
    _assert_same_fit(dask_fit, numpy_fit)


def test_streamed_poisson_fit_with_weights_and_offset(stored, never_persisted):
    folder, X, data, columns = stored
    kwargs = {"cov_type": "sandwich"}
    numpy_fit = FisherGLMRegressor("poisson", **kwargs).fit(
        X, data["count"], sample_weight=data["w"], offset=data["log_exposure"]
    )
    frame = dd.read_parquet(folder)
    with dask.config.set({"skfisher.persist": False, "scheduler": "threads"}):
        dask_fit = FisherGLMRegressor("poisson", **kwargs).fit(
            frame[columns], frame["count"], sample_weight=frame["w"], offset=frame["log_exposure"]
        )
    _assert_same_fit(dask_fit, numpy_fit)
    np.testing.assert_allclose(dask_fit.deviance_, numpy_fit.deviance_, rtol=1e-10)


def test_streamed_and_persisted_fits_agree_to_rounding(stored):
    folder, _, _, columns = stored
    frame = dd.read_parquet(folder)
    fits = {}
    for persist in (True, False):
        with dask.config.set({"skfisher.persist": persist, "scheduler": "sync"}):
            fits[persist] = FisherGLMRegressor("gamma").fit(frame[columns], frame["count"] + 1)
    # The same blocks summed in the same order: only a block's cached
    # information (reused when persisted, recomputed when streamed) differs.
    streamed, persisted = fits[False], fits[True]
    np.testing.assert_allclose(streamed.params_, persisted.params_, rtol=1e-14)
    np.testing.assert_allclose(streamed.standard_errors_, persisted.standard_errors_, rtol=1e-13)
    assert streamed.n_iter_ == persisted.n_iter_
    assert streamed.dispersion_ == pytest.approx(persisted.dispersion_, rel=1e-14)


@pytest.mark.parametrize(("free", "persisted"), [(1e12, True), (1e6, False), (None, True)])
def test_automatic_choice_persists_what_takes_at_most_half_the_free_memory(
    stored, monkeypatch, caplog, free, persisted
):
    folder, _, data, columns = stored
    calls = []
    persist = dask.persist

    def counted(*collections, **kwargs):
        calls.append(len(collections))
        return persist(*collections, **kwargs)

    monkeypatch.setattr(dask, "persist", counted)
    monkeypatch.setattr(_dask_fit, "free_memory", lambda: free)
    frame = dd.read_parquet(folder)
    model = FisherLogisticRegression(verbose=1)
    with dask.config.set(scheduler="sync"), caplog.at_level(logging.INFO, logger="skfisher"):
        model.fit(frame[columns], frame["event"])
    assert len(calls) == int(persisted)  # the blocks persisted at once, or never
    first = _first_message(caplog)
    needed = 8 * len(data["event"]) * (len(columns) + 6) / 2**20
    assert first.startswith("dask fit of 30000 rows in ")
    assert f" blocks: their problems (about {needed:.0f} MiB; " in first
    assert first.endswith("are persisted" if persisted else STREAMED)


def test_bad_persist_setting_is_a_value_error(stored):
    folder, _, _, columns = stored
    frame = dd.read_parquet(folder)
    match = "'skfisher.persist' must be 'auto', True or False; got 'sometimes'"
    with dask.config.set({"skfisher.persist": "sometimes", "scheduler": "sync"}):
        with pytest.raises(ValueError, match=match):
            FisherLogisticRegression().fit(frame[columns], frame["event"])


def _quiet_cluster(distributed, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own start-up chatter
        return distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, **kwargs
        )


def test_workers_without_free_memory_stream_the_blocks(stored, caplog):
    # In-process workers report this process's memory, above their 64 MiB
    # limit: nothing is free, so the blocks are streamed. Pausing and spilling
    # are off, as they would act on this process's memory, not the workers'.
    distributed = pytest.importorskip("distributed")
    folder, X, data, columns = stored
    numpy_fit = FisherLogisticRegression().fit(X, data["event"])
    memory = {f"distributed.worker.memory.{name}": False for name in ("target", "spill")}
    memory.update({f"distributed.worker.memory.{n}": False for n in ("pause", "terminate")})
    with dask.config.set(memory):
        cluster = _quiet_cluster(distributed, processes=False, memory_limit="64MiB")
        with cluster, distributed.Client(cluster) as client:
            assert _dask_fit.free_memory() == 0.0
            limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
            assert limits == [64 * 2**20] * 2
            model = FisherLogisticRegression(verbose=1)
            with caplog.at_level(logging.INFO, logger="skfisher"):
                frame = dd.read_parquet(folder)
                model.fit(frame[columns], frame["event"])
    assert _first_message(caplog).endswith(STREAMED)
    _assert_same_fit(model, numpy_fit)


def _held_by_workers(client, psutil):
    """The bytes the (local) worker processes hold once they have imported the fit's modules."""
    for module in ("skfisher", "pyarrow.parquet", "dask.dataframe"):
        client.run(importlib.import_module, module)
    pids = client.run(os.getpid).values()
    return sum(psutil.Process(pid).memory_info().rss for pid in pids)


@pytest.mark.slow
def test_parquet_larger_than_the_workers_memory_on_a_local_cluster(tmp_path, caplog):
    """2·10⁶ rows × 40 columns (656 MB as float64) on two workers of 500 MB each.

    A worker process holds about 240 MB of its own (Python, numpy, pandas,
    pyarrow, scikit-learn, dask), so both together have about 520 MB free:
    less than the data, and the problems a persisted fit would hold (736 MB)
    more than half of it. The fit streams, stays below distributed's pause
    threshold and ends with the workers it started with.
    """
    distributed = pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    from distributed.diagnostics import MemorySampler

    X, data, columns = _write_parquet(tmp_path, n_files=80, rows=25_000, k=40, seed=1)
    data_bytes = X.nbytes + data["event"].nbytes
    numpy_fit = FisherLogisticRegression().fit(X, data["event"])
    limit = 500 * 10**6
    cluster = _quiet_cluster(distributed, processes=True, host="127.0.0.1", memory_limit=limit)
    with cluster, distributed.Client(cluster, timeout=60) as client:
        pids = client.run(os.getpid)
        held = _held_by_workers(client, psutil)
        assert data_bytes > limit
        assert data_bytes > 2 * limit - held, "the workers have room for the data: add files"
        sampler = MemorySampler()
        model = FisherLogisticRegression(verbose=1)
        sampling = sampler.sample("fit", measure="process", interval=0.1)
        with sampling, caplog.at_level(logging.INFO, "skfisher"):
            frame = dd.read_parquet(tmp_path)
            model.fit(frame[columns], frame["event"])
        assert client.run(os.getpid) == pids  # no worker was restarted by its nanny
    assert _first_message(caplog).endswith(STREAMED)
    _assert_same_fit(model, numpy_fit)
    # The workers' memory (summed) stayed below their pause threshold (80 %
    # of the limit), and what the fit added to it below half the data.
    peak = float(sampler.to_pandas()["fit"].max())
    assert peak < 2 * 0.8 * limit
    assert peak - held < data_bytes / 2
