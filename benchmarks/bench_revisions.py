"""Time skfisher at two git revisions on the cases of ``bench_fit.py``, interleaved.

Each revision is checked out into a temporary worktree; every round fits each
case once per revision in a fresh process (alternating which goes first), each
process timing three fits and reporting their median. The table shows the
median over the rounds and the ratio ``after / before``: a change that slows a
case by more than noise shows there.

Usage::

    python benchmarks/bench_revisions.py HEAD~5 HEAD            # 5 rounds
    python benchmarks/bench_revisions.py main~1 main --rounds 7 --case gamma-dist
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CASES = [
    ("logistic-1e6x20", 1e-8),
    ("logistic-2e5x200", 1e-8),
    ("poisson-1e6x20", 1e-8),
    ("gamma-dist", 1e-8),
    ("sparse-logistic", 1e-8),
    ("logistic-1e6x20", 1e-5),
    ("poisson-1e6x20", 1e-5),
]

# Run in a fresh interpreter with the revision's source first on the path.
_ONE_FIT = """
import sys, time, gc, warnings, json
import numpy as np
sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2])
import skfisher
assert skfisher.__file__.startswith(sys.argv[1]), skfisher.__file__
from bench_fit import make_data, skfisher_fit
X, y = make_data(sys.argv[3])
times = []
for _ in range(3):
    gc.collect()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skfisher_fit(sys.argv[3], X, y, tol=float(sys.argv[4]))
    times.append(time.perf_counter() - start)
print(json.dumps(float(np.median(times))))
"""


def _worktree(revision, root):
    path = Path(root) / revision.replace("/", "_").replace("~", "-")
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-f", str(path), revision],
        cwd=HERE,
        check=True,
        capture_output=True,
    )
    return path


def _time(tree, case, tol):
    out = subprocess.run(
        [sys.executable, "-c", _ONE_FIT, str(tree), str(HERE), case, repr(tol)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--case", action="append", choices=sorted({c for c, _ in CASES}))
    args = parser.parse_args(argv)
    cases = [(c, t) for c, t in CASES if not args.case or c in args.case]
    with tempfile.TemporaryDirectory() as root:
        trees = {"before": _worktree(args.before, root), "after": _worktree(args.after, root)}
        try:
            print(f"{'case':18s} {'tol':>6s} {'before (s)':>11s} {'after (s)':>10s} {'ratio':>6s}")
            for case, tol in cases:
                times = {name: [] for name in trees}
                for r in range(args.rounds):
                    for name in list(trees)[:: 1 if r % 2 == 0 else -1]:
                        times[name].append(_time(trees[name], case, tol))
                before, after = np.median(times["before"]), np.median(times["after"])
                print(
                    f"{case:18s} {tol:6.0e} {before:11.3f} {after:10.3f} {after / before:6.3f}",
                    flush=True,
                )
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=HERE, check=False
                )


if __name__ == "__main__":
    main()
