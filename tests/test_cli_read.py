"""Reading CSV files on the command line: separators, quoting, encodings, missing values,
index columns and column names.

Each case runs ``main`` in-process; the numbers printed are checked against
statsmodels on the same rows (the rows left after dropping missing values), and
the cases without pandas run in a subprocess in which pandas cannot be imported.
"""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from skfisher import FisherLogisticRegression
from skfisher._cli_read import CSVFile
from skfisher._cli_table import CLIError

# Against statsmodels, the project's cross-check tolerances (see test_cli.py).
PARAMS_RTOL, SE_RTOL = 1e-6, 1e-5
# The same fit printed by two runs of the CLI: repr-precision floats, same order.
SAME_FIT_RTOL = 1e-12


def _frame(n=200, seed=1):
    """A binary response with a numeric feature, an integer feature and a label column."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n).round(6)
    age = rng.integers(20, 70, n)
    grade = rng.choice(["a", "b, c", "d"], size=n)  # a level with a comma: quoted
    eta = -0.5 + 0.9 * x + 0.02 * (age - 45) + np.where(grade == "a", 0.6, 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "age": age, "grade": grade})


@pytest.fixture
def cli(run_cli):
    return run_cli


def _json(result):
    status, out, err = result
    assert status == 0, err
    return json.loads(out)


def _error(result, *phrases):
    status, out, err = result
    assert status == 2, (out, err)
    assert out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith("skfisher: error: ")
    for phrase in phrases:
        assert phrase in err, err
    return err


def _statsmodels(frame, features):
    design = pd.get_dummies(frame[features], drop_first=True, dtype=float)
    return sm.GLM(frame["y"], sm.add_constant(design), family=sm.families.Binomial()).fit(
        tol=1e-13
    )


@pytest.mark.parametrize(
    "sep, option", [(";", []), ("\t", []), ("|", []), ("\t", ["--sep", "tab"])]
)
def test_separators_are_read(cli, tmp_path, sep, option):
    # Semicolon-, tab- and bar-separated files were refused ("convert the
    # separators to commas"); the separator is guessed, or given with --sep.
    frame = _frame()
    frame.to_csv(tmp_path / "data.csv", sep=sep, index=False)
    payload = _json(cli("fit", "data.csv", "--target", "y", *option, "--format", "json"))
    assert payload["param_names"] == ["intercept", "x", "age", "grade[T.b, c]", "grade[T.d]"]
    reference = _statsmodels(frame, ["x", "age", "grade"])
    assert_allclose(payload["params"], reference.params, rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], reference.bse, rtol=SE_RTOL)


def test_single_column_with_semicolons_names_sep(cli, tmp_path):
    # With --sep , the one-column header holding semicolons names the remedy.
    (tmp_path / "data.csv").write_text("y;x\n1;0.5\n0;1.5\n")
    _error(cli("fit", "data.csv", "--target", "y", "--sep", ","), "--sep ';'")


def test_columns_are_numbers_and_only_the_used_ones_are_read(tmp_path):
    frame = _frame(20)
    frame["junk"] = "?"
    frame.to_csv(tmp_path / "data.csv", index=False)
    table = CSVFile(str(tmp_path / "data.csv")).read({"y", "x", "grade"})
    assert table.names == ["y", "x", "grade"]
    assert table.columns["x"].dtype == np.float64  # numbers, not strings
    assert_allclose(table.columns["x"], frame["x"], rtol=0)
    assert list(table.columns["grade"]) == list(frame["grade"])


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("y,x,z\n1,0.5,a\n0,1.5,b,7\n", "Expected 3 fields in line 3, saw 4"),
        ("y,x\n1,0.5,3\n0,1.5,7\n", "Expected 2 fields in line 2, saw 3"),
        ("y,x\n0,0.5,3\n1,1.5,7\n", "Expected 2 fields in line 2, saw 3"),
    ],
)
def test_ragged_rows_are_refused_when_a_few_columns_are_used(cli, tmp_path, text, phrase):
    # Reading only the columns used must not skip the check of the field counts.
    (tmp_path / "data.csv").write_text(text)
    _error(cli("fit", "data.csv", "--target", "y", "--features", "x"), phrase)


def test_columns_are_typed_over_all_chunks(tmp_path, monkeypatch):
    # Numbers are recognised over the whole column, not chunk by chunk.
    monkeypatch.setattr("skfisher._cli_read.CHUNK_ROWS", 3)
    rows = [f"{j},{j % 2},{'a' if j == 7 else j}" for j in range(10)]
    (tmp_path / "data.csv").write_text("x,y,z\n" + "\n".join(rows) + "\n")
    table = CSVFile(str(tmp_path / "data.csv")).read({"x", "y", "z"}, labels={"z"})
    assert table.columns["x"].dtype == np.float64 and table.n_rows == 10
    assert table.columns["z"].dtype == object and table.columns["z"][7] == "a"
    with pytest.raises(CLIError, match="'z' is numeric but for 1 cell holding 'a'"):
        CSVFile(str(tmp_path / "data.csv")).read({"z"})


def test_decimal_comma(cli, tmp_path):
    frame = _frame()
    frame.to_csv(tmp_path / "data.csv", sep=";", decimal=",", index=False)
    arguments = ["fit", "data.csv", "--target", "y", "--features", "x"]
    _error(cli(*arguments), "decimal comma", "--decimal ,")
    payload = _json(cli(*arguments, "--decimal", ",", "--format", "json"))
    reference = _statsmodels(frame, ["x"])
    assert_allclose(payload["params"], reference.params, rtol=PARAMS_RTOL)


def test_encoding(cli, tmp_path):
    frame = _frame()
    frame["grade"] = frame["grade"].replace({"d": "élevé"})
    frame.to_csv(tmp_path / "data.csv", index=False, encoding="latin-1")
    arguments = ["fit", "data.csv", "--target", "y", "--features", "grade"]
    _error(cli(*arguments), "not utf-8 text", "--encoding")
    payload = _json(cli(*arguments, "--encoding", "latin-1", "--format", "json"))
    assert payload["param_names"][-1] == "grade[T.élevé]"
    _error(cli(*arguments, "--encoding", "klingon"), "--encoding 'klingon'")


def test_byte_order_mark_is_skipped(cli, tmp_path):
    frame = _frame()
    frame.to_csv(tmp_path / "data.csv", index=False, encoding="utf-8-sig")
    payload = _json(cli("fit", "data.csv", "--target", "y", "--format", "json"))
    assert payload["param_names"][:2] == ["intercept", "x"]


# ---------------------------------------------------------------------------
# Missing values.


def _with_missing(tmp_path, marker):
    """The frame with 4 ages replaced by ``marker``; return (frame, complete rows)."""
    frame = _frame()
    text = frame.astype({"age": object})
    rows = [3, 50, 51, 120]
    text.loc[rows, "age"] = marker
    text.to_csv(tmp_path / "data.csv", index=False)
    return frame, frame.drop(index=rows)


def test_dropna_drops_and_counts_the_rows(cli, tmp_path):
    _, complete = _with_missing(tmp_path, "NA")
    arguments = ["fit", "data.csv", "--target", "y", "--features", "x,age"]
    _error(cli(*arguments), "'age' (4)", "--dropna")
    status, out, err = cli(*arguments, "--dropna", "--format", "json")
    assert status == 0, err
    assert "skfisher: note: --dropna dropped 4 of 200 rows" in err
    payload = json.loads(out)
    assert payload["n_rows"] == 196 and payload["n_dropped"] == 4
    reference = _statsmodels(complete, ["x", "age"])
    assert_allclose(payload["params"], reference.params, rtol=PARAMS_RTOL)
    assert_allclose(payload["standard_errors"], reference.bse, rtol=SE_RTOL)
    status, out, _ = cli(*arguments, "--dropna")
    assert "196 rows (4 with missing values dropped)" in out


def test_a_few_strings_in_a_numeric_column_are_refused(cli, tmp_path):
    # 4 "unknown" ages made the column categorical: 50 levels of dummies.
    _, complete = _with_missing(tmp_path, "unknown")
    arguments = ["fit", "data.csv", "--target", "y", "--features", "x,age"]
    _error(cli(*arguments), "'age' is numeric but for 4 cells", "--na-values unknown")
    payload = _json(cli(*arguments, "--na-values", "unknown", "--dropna", "--format", "json"))
    assert payload["param_names"] == ["intercept", "x", "age"]
    reference = _statsmodels(complete, ["x", "age"])
    assert_allclose(payload["params"], reference.params, rtol=PARAMS_RTOL)


def test_dist_names_no_categorical_remedy(cli, tmp_path):
    _with_missing(tmp_path, "?")
    err = _error(cli("dist", "data.csv", "--column", "age"), "--na-values ?")
    assert "--categorical" not in err  # dist has no --categorical


def test_dropna_of_every_row_is_an_error(cli, tmp_path):
    (tmp_path / "data.csv").write_text("y,x\n1,\n0,NA\n")
    _error(cli("fit", "data.csv", "--target", "y", "--dropna"), "dropped every row")


# ---------------------------------------------------------------------------
# Index columns and column names.


def test_to_csv_index_column_is_not_a_feature(cli, tmp_path):
    # DataFrame.to_csv() writes the row labels under a blank name; they were
    # fitted as a feature named '' and the command exited 0.
    frame = _frame()
    frame.to_csv(tmp_path / "indexed.csv")
    frame.to_csv(tmp_path / "plain.csv", index=False)
    status, out, err = cli("fit", "indexed.csv", "--target", "y", "--format", "json")
    assert status == 0, err
    assert "skfisher: note: the first column of indexed.csv has no name" in err
    payload = json.loads(out)
    expected = _json(cli("fit", "plain.csv", "--target", "y", "--format", "json"))
    assert payload["param_names"] == expected["param_names"]
    assert_allclose(payload["params"], expected["params"], rtol=SAME_FIT_RTOL)


def test_a_blank_name_elsewhere_is_refused(cli, tmp_path):
    (tmp_path / "data.csv").write_text("y,,x\n1,2,3\n0,1,2\n")
    _error(cli("fit", "data.csv", "--target", "y"), "column 2", "no name")


COLUMN_OPTIONS = [
    ("fit", "--target", "yy"),
    ("fit", "--features", "x,agee"),
    ("fit", "--categorical", "grde"),
    ("fit", "--weights", "w"),
    ("fit", "--offset", "off"),
    ("fit", "--groups", "grp"),
    ("dist", "--column", "xx"),
]


@pytest.mark.parametrize("command, option, value", COLUMN_OPTIONS)
def test_unknown_column_names_are_refused(cli, tmp_path, command, option, value):
    # --categorical grde (a typo) was silently ignored.
    _frame().to_csv(tmp_path / "data.csv", index=False)
    target = ["--target", "y"] if command == "fit" and option != "--target" else []
    extra = ["--cov-type", "cluster"] if option == "--groups" else []
    err = _error(
        cli(command, "data.csv", *target, option, value, *extra),
        f"{option} {value.split(',')[-1]!r} is not a column of data.csv",
        "the columns are y, x, age, grade",
    )
    if value == "grde":
        assert "did you mean 'grade'?" in err


@pytest.mark.parametrize("option, value", [("--categorical", "grde"), ("--column", "foodexq")])
def test_unknown_column_names_of_bundled_data(cli, option, value):
    command = "dist" if option == "--column" else "fit"
    _error(cli(command, option, value), f"{option} {value!r} is not a column")


def test_categorical_outside_the_features_is_refused(cli, tmp_path):
    _frame().to_csv(tmp_path / "data.csv", index=False)
    arguments = ["fit", "data.csv", "--target", "y", "--features", "x"]
    _error(cli(*arguments, "--categorical", "age"), "'age' is not a feature")


# ---------------------------------------------------------------------------
# Without pandas: the bundled data still work, a file says how to get pandas.

NO_PANDAS = textwrap.dedent(
    """
    import sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "pandas" or name.startswith("pandas."):
                raise ImportError(f"No module named {name!r}")

    sys.meta_path.insert(0, Block())
    from skfisher.cli import main

    status = main(sys.argv[1:])
    print("pandas imported" if "pandas" in sys.modules else "no pandas", file=sys.stderr)
    sys.exit(status)
    """
)


def _without_pandas(tmp_path, *arguments):
    script = tmp_path / "no_pandas.py"
    script.write_text(NO_PANDAS)
    return subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", str(script), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_without_pandas(tmp_path):
    bare = _without_pandas(tmp_path)
    assert bare.returncode == 0, bare.stderr
    assert "Logistic regression of 'vote'" in bare.stdout
    assert bare.stderr.strip() == "no pandas"
    X, y = (frame.to_numpy() for frame in _anes96())
    se = FisherLogisticRegression().fit(X, y).standard_errors_
    assert f"{se[1]:.4f}" in bare.stdout
    _frame().to_csv(tmp_path / "data.csv", index=False)
    completed = _without_pandas(tmp_path, "fit", "data.csv", "--target", "y")
    assert completed.returncode == 2 and completed.stdout == ""
    first = completed.stderr.splitlines()[0]
    assert first.startswith("skfisher: error: reading a CSV file needs pandas")
    assert "pip install 'skfisher[pandas]'" in first


def _anes96():
    from skfisher.datasets import load_anes96

    return load_anes96(return_X_y=True, as_frame=True)
