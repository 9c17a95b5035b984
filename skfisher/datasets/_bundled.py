"""The bundled data files: what each holds, and how it is read into columns.

:data:`DATASETS` describes each file for the loaders and the command line;
:func:`bundled_columns` reads a file into named float columns (the mode-choice
file one row per traveller, the veteran file's text columns coded as numbers).
"""

import csv
from importlib import resources

import numpy as np

# What the command line and the loaders need to know about each bundled file:
# its response, the features of the model it illustrates, and the model.
# ``repeat`` names a column of frequency counts: the file stores each distinct
# row once and the loader repeats it that many times (see README.md); ``coded``
# marks a file with text columns, recoded as numbers by :func:`bundled_columns`;
# a survival response has a ``target`` time and an ``event`` column.
DATASETS = {
    "anes96": {
        "file": "anes96.csv",
        "target": "vote",
        "features": ["selfLR", "age", "educ", "income", "TVnews"],
        "model": "logistic",
        "response": "binary",
        "title": "the 1996 American National Election Study",
    },
    "partyid": {
        "file": "anes96.csv",
        "target": "PID",
        "features": ["selfLR", "age", "educ", "income"],
        "model": "ordinal",
        "response": "ordinal",
        "title": "party identification in the 1996 ANES",
    },
    "randhie": {
        "file": "randhie.csv",
        "target": "mdvis",
        "features": [
            "lncoins",
            "idp",
            "lpi",
            "fmde",
            "physlm",
            "disea",
            "hlthg",
            "hlthf",
            "hlthp",
        ],
        "model": "poisson",
        "response": "count",
        "title": "the RAND Health Insurance Experiment",
        "repeat": "n",
    },
    "modechoice": {
        "file": "modechoice.csv",
        "target": "mode",
        "features": [
            "hinc",
            "psize",
            "gc_air",
            "gc_train",
            "gc_bus",
            "gc_car",
            "ttme_air",
            "ttme_train",
            "ttme_bus",
        ],
        "model": "logistic",
        "response": "multiclass",
        "title": "the 1987 Australian intercity travel-mode choices",
        "wide": True,
    },
    "engel": {
        "file": "engel.csv",
        "target": "foodexp",
        "features": ["income"],
        "model": "gamma",
        "response": "positive",
        "title": "Engel's 1857 Belgian household budgets",
    },
    "veteran": {
        "file": "veteran.csv",
        "target": "time",
        "event": "event",
        "features": ["trt", "smallcell", "adeno", "large", "karno", "diagtime", "age", "prior"],
        "model": "cox",
        "response": "survival",
        "title": "the Veterans' Administration lung cancer trial",
        "coded": True,
    },
}


def _read_text(file):
    """The header and the rows of a bundled file, as strings."""
    with resources.files(__package__).joinpath("data", file).open(newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def read_bundled_csv(name):
    """Return the header and the float rows of a bundled dataset, repeats expanded.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.

    Returns
    -------
    header : list of str
        The column names (without the count column of a collapsed file).
    values : ndarray of shape (n_samples, n_columns)
        The data, one row per observation.
    """
    spec = DATASETS[name]
    header, rows = _read_text(spec["file"])
    values = np.array(rows, dtype=float)
    if "repeat" in spec:
        j = header.index(spec["repeat"])
        counts = values[:, j].astype(np.intp)
        values = np.repeat(np.delete(values, j, axis=1), counts, axis=0)
        header = header[:j] + header[j + 1 :]
    return header, values


# The seven points of the party-identification scale, by their code 0-6.
PARTIES = [
    "strong Dem",
    "weak Dem",
    "lean Dem",
    "independent",
    "lean Rep",
    "weak Rep",
    "strong Rep",
]

# The travel modes of the mode-choice file, by their code.
MODES = {1: "air", 2: "train", 3: "bus", 4: "car"}


def _one_row_per_traveller(header, values):
    """Turn the mode-choice file (one row per traveller and mode) into one row per traveller.

    The chosen mode becomes the string column ``mode``; each mode-specific
    attribute becomes one column per mode (``gc_air``, ``gc_train``, ...).
    """
    column = {name: values[:, j] for j, name in enumerate(header)}
    order = np.lexsort((column["mode"], column["individual"]))
    n = values.shape[0] // len(MODES)
    grid = {name: column[name][order].reshape(n, len(MODES)) for name in header}
    chosen = grid["mode"][np.arange(n), grid["choice"].argmax(axis=1)].astype(int)
    wide = {
        "individual": grid["individual"][:, 0],
        "mode": np.array([MODES[code] for code in chosen], dtype=object),
        "hinc": grid["hinc"][:, 0],
        "psize": grid["psize"][:, 0],
    }
    for attribute in ("ttme", "invc", "invt", "gc"):
        for k, mode in enumerate(MODES.values()):
            wide[f"{attribute}_{mode}"] = grid[attribute][:, k]
    return wide


def bundled_columns(name):
    """Return the columns of a bundled dataset as a dict of name to ndarray.

    The numeric columns are float; the mode-choice data come one row per
    traveller with the chosen mode as strings; the veteran data as
    :func:`~skfisher.datasets.load_veteran` codes them, with ``time`` and
    ``event`` (0/1).
    """
    if DATASETS[name].get("coded"):
        return _veteran_columns(*_read_text(DATASETS[name]["file"]))
    header, values = read_bundled_csv(name)
    if DATASETS[name].get("wide"):
        return _one_row_per_traveller(header, values)
    return {column: values[:, j] for j, column in enumerate(header)}


# The cell types of the veteran file, in R's order; the first, squamous, is the
# reference level (no column of its own).
CELLTYPES = ["squamous", "smallcell", "adeno", "large"]


def _veteran_columns(header, rows):
    """The veteran file's columns as numbers: 0/1 indicators for R's codes and cell types.

    R's ``trt`` (1 standard, 2 test chemotherapy) becomes ``trt`` = 1 for the
    test; ``prior`` (0 or 10) becomes 1 for prior therapy; ``celltype``
    becomes one indicator per cell type but squamous; ``status`` is ``event``.
    """
    text = {name: np.array([row[j] for row in rows]) for j, name in enumerate(header)}
    number = {name: values.astype(float) for name, values in text.items() if name != "celltype"}
    columns = {"trt": (number["trt"] == 2).astype(float)}
    for level in CELLTYPES[1:]:
        columns[level] = (text["celltype"] == level).astype(float)
    for name in ("karno", "diagtime", "age"):
        columns[name] = number[name]
    columns["prior"] = (number["prior"] == 10).astype(float)
    columns["time"] = number["time"]
    columns["event"] = number["status"]
    return columns
