"""The bundled datasets: shapes, the scikit-learn loader interface, and their provenance.

Each bundled file is checked value for value against the copy that statsmodels
ships, so a conversion slip (a dropped row, a shifted column) cannot pass.
"""

import doctest
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_array_equal

from skfisher import FisherOrdinalRegression, datasets
from skfisher.datasets import _loaders as loaders_module
from skfisher.datasets import (
    load_anes96,
    load_engel,
    load_modechoice,
    load_partyid,
    load_randhie,
)
from skfisher.datasets._loaders import DATASETS

LOADERS = {
    "anes96": load_anes96,
    "partyid": load_partyid,
    "randhie": load_randhie,
    "engel": load_engel,
    "modechoice": load_modechoice,
}
SHAPES = {
    "anes96": (944, 5),
    "partyid": (944, 4),
    "randhie": (20190, 9),
    "engel": (235, 1),
    "modechoice": (210, 9),
}


# The statsmodels dataset each bundled one is a copy of.
STATSMODELS_NAME = {"partyid": "anes96"}


def _statsmodels_frame(name):
    return getattr(sm.datasets, STATSMODELS_NAME.get(name, name)).load_pandas().data


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_bunch(name):
    bunch = LOADERS[name]()
    spec = DATASETS[name]
    assert bunch.data.shape == SHAPES[name]
    assert bunch.target.shape == (SHAPES[name][0],)
    assert bunch.feature_names == spec["features"]
    assert bunch.target_name == spec["target"]
    assert bunch.frame is None
    assert "Public domain" in bunch.DESCR
    assert np.all(np.isfinite(bunch.data))


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_return_X_y_and_frame(name):
    loader = LOADERS[name]
    X, y = loader(return_X_y=True)
    bunch = loader()
    assert_array_equal(X, bunch.data)
    assert_array_equal(y, bunch.target)
    X_frame, y_frame = loader(return_X_y=True, as_frame=True)
    assert isinstance(X_frame, pd.DataFrame) and isinstance(y_frame, pd.Series)
    assert list(X_frame.columns) == bunch.feature_names
    assert y_frame.name == bunch.target_name
    assert_array_equal(X_frame.to_numpy(), X)
    frame = loader(as_frame=True).frame
    assert list(frame.columns) == [*bunch.feature_names, bunch.target_name]


@pytest.mark.parametrize("name", ["anes96", "partyid", "engel"])
def test_same_values_as_statsmodels(name):
    bunch = LOADERS[name]()
    reference = _statsmodels_frame(name)
    assert_array_equal(bunch.data, reference[bunch.feature_names].to_numpy(dtype=float))
    assert_array_equal(bunch.target, reference[bunch.target_name].to_numpy(dtype=float))


def test_randhie_is_statsmodels_randhie_regrouped():
    # The file stores distinct rows with their counts; expanded, it must be the
    # statsmodels rows exactly, as a multiset (sorting both puts them in one order).
    bunch = load_randhie()
    ours = np.column_stack([bunch.target, bunch.data])
    reference = _statsmodels_frame("randhie")[[bunch.target_name, *bunch.feature_names]]
    reference = reference.to_numpy(dtype=float)
    assert ours.shape == reference.shape
    assert_array_equal(ours[np.lexsort(ours.T)], reference[np.lexsort(reference.T)])


def test_modechoice_is_statsmodels_modechoice_one_row_per_traveller():
    # Rebuild the long file (one row per traveller and mode) from the wide loader
    # and compare it with statsmodels' copy, value for value.
    bunch = load_modechoice(as_frame=True)
    frame = bunch.frame
    reference = _statsmodels_frame("modechoice").sort_values(["individual", "mode"])
    codes = {"air": 1, "train": 2, "bus": 3, "car": 4}
    long_rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        for mode, code in codes.items():
            ttme = 0.0 if mode == "car" else getattr(row, f"ttme_{mode}")
            long_rows.append(
                [i + 1, code, float(row.mode == mode), ttme, getattr(row, f"gc_{mode}")]
                + [row.hinc, row.psize]
            )
    ours = np.array(long_rows)
    columns = ["individual", "mode", "choice", "ttme", "gc", "hinc", "psize"]
    assert_array_equal(ours, reference[columns].to_numpy(dtype=float))
    assert sorted(set(bunch.target)) == sorted(bunch.target_names)


def test_responses_have_their_kind():
    _, vote = load_anes96(return_X_y=True)
    assert vote.dtype.kind == "i" and set(np.unique(vote)) == {0, 1}
    _, visits = load_randhie(return_X_y=True)
    assert np.all(visits >= 0) and np.all(visits == np.round(visits))
    assert visits.var() > visits.mean()  # overdispersed: why the dataset is here
    _, food = load_engel(return_X_y=True)
    assert np.all(food > 0)
    assert load_anes96().target_names == ["Clinton", "Dole"]


def test_partyid_frame_target_is_the_ordered_scale():
    # The Categorical's codes are the party-identification codes, its categories
    # the seven classes in the scale's order (not alphabetical).
    bunch = load_partyid(as_frame=True)
    y = bunch.target
    assert isinstance(y.dtype, pd.CategoricalDtype) and y.cat.ordered
    assert y.cat.categories.tolist() == bunch.target_names
    assert bunch.target_names[0] == "strong Dem" and bunch.target_names[-1] == "strong Rep"
    assert_array_equal(y.cat.codes.to_numpy(), load_partyid().target)
    assert_array_equal(bunch.frame["PID"].cat.codes.to_numpy(), load_partyid().target)
    counts = np.bincount(load_partyid().target)
    assert counts.tolist() == [200, 180, 108, 37, 94, 150, 175]  # as the docstring says


def test_partyid_fits_the_same_with_labels_or_codes():
    # The ordered Categorical gives the fit of the integer codes: the same
    # estimates and errors, with the thresholds named after the classes.
    X, codes = load_partyid(return_X_y=True)
    X_frame, labels = load_partyid(return_X_y=True, as_frame=True)
    by_codes = FisherOrdinalRegression().fit(X, codes)
    by_labels = FisherOrdinalRegression().fit(X_frame, labels)
    np.testing.assert_allclose(by_labels.params_, by_codes.params_, rtol=1e-12)
    np.testing.assert_allclose(by_labels.standard_errors_, by_codes.standard_errors_, rtol=1e-12)
    assert by_codes.param_names_[4:].tolist() == ["0|1", "1|2", "2|3", "3|4", "4|5", "5|6"]
    assert by_labels.param_names_[4] == "strong Dem|weak Dem"
    assert by_labels.param_names_[-1] == "weak Rep|strong Rep"
    assert by_labels.coef_[0] > 0  # conservative self-placement moves the classes up


def test_loader_examples_run():
    result = doctest.testmod(loaders_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 * 3 and result.failed == 0, result


def test_package_stays_small_and_documented():
    data = resources.files(datasets).joinpath("data")
    sizes = {entry.name: len(entry.read_bytes()) for entry in data.iterdir()}
    assert sum(sizes.values()) <= 500_000, sizes
    readme = resources.files(datasets).joinpath("README.md").read_text(encoding="utf-8")
    for name, spec in DATASETS.items():
        assert spec["file"] in sizes
        assert f"load_{name}()" in readme
    assert readme.count("Public domain") >= len(DATASETS)
    listing = datasets.__doc__
    assert all(f":func:`load_{name}`" in listing for name in DATASETS)


def test_loaders_are_public():
    assert set(datasets.__all__) == {f"load_{name}" for name in DATASETS}
