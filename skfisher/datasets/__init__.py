"""Real datasets shipped with skfisher (sources and licences in README.md here).

========================  ==========  =======  =========================================
loader                    response    rows     source
========================  ==========  =======  =========================================
:func:`load_anes96`       binary      944      1996 American National Election Study
:func:`load_partyid`      7 ordered   944      party identification in the 1996 ANES
:func:`load_modechoice`   4 classes   210      Australian intercity travel modes, 1987
:func:`load_randhie`      count       20,190   RAND Health Insurance Experiment
:func:`load_engel`        positive    235      Engel (1857), Belgian household budgets
:func:`load_veteran`      survival    137      Veterans' Administration lung cancer trial
========================  ==========  =======  =========================================
"""

# DATASETS and bundled_columns name the bundled data for the command line (not in __all__).
from ._bundled import DATASETS, bundled_columns  # noqa: F401
from ._loaders import (
    load_anes96,
    load_engel,
    load_modechoice,
    load_partyid,
    load_randhie,
    load_veteran,
)

__all__ = [
    "load_anes96",
    "load_engel",
    "load_modechoice",
    "load_partyid",
    "load_randhie",
    "load_veteran",
]
