"""Survival data for the Cox tests: R's reference fits and simulated samples."""

import json
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "cox_r.json"


def r_reference():
    """The fits of tests/reference/make_cox_reference.R and their data."""
    with open(REFERENCE, encoding="utf-8") as handle:
        reference = json.load(handle)
    data = {name: np.asarray(values, dtype=float) for name, values in reference["data"].items()}
    data["X"] = np.column_stack([data["x1"], data["x2"], data["x3"]])
    data["y"] = np.column_stack([data["time"], data["event"]])
    data["newdata"] = data["newdata"].reshape(-1, 4)
    return reference, data


def simulate(n=300, k=3, seed=0, tied=False, censoring=0.3, strata=1):
    """Return ``X, y, strata``: exponential times with proportional hazards, censored.

    ``tied=True`` rounds the times up to integers of about a tenth of their
    spread, so that many event times tie.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    beta = np.linspace(0.8, -0.5, k)
    codes = rng.integers(0, strata, n)
    time = rng.exponential(np.exp(-X @ beta) / (1.0 + codes))
    censor = rng.exponential(np.quantile(time, 0.5) / max(censoring, 1e-3), n)
    observed = np.minimum(time, censor)
    if tied:
        observed = np.ceil(observed / np.quantile(observed, 0.1))
    event = (time <= censor).astype(float)
    return X, np.column_stack([observed, event]), codes


def structured(y):
    """The structured array that ``sksurv.util.Surv.from_arrays`` makes from ``[time, event]``."""
    out = np.empty(y.shape[0], dtype=[("event", "?"), ("time", "<f8")])
    out["event"], out["time"] = y[:, 1] == 1, y[:, 0]
    return out
