"""BLAS on one thread while a fit's passes run on compiled threads.

A fit whose passes over ``X`` run in numba's kernels (the fused GLM pass, the
compiled sparse Gram product) gives them every core. Between two passes it
factorises the k × k information and solves with it by BLAS and LAPACK,
whose threads, once a call returns, keep spinning for the next one (OpenBLAS
for about 0.1 s by default) on the cores the next pass needs. With BLAS
limited to one thread for the fit those cores are free: the logistic fit of
2·10⁵ × 200 (seven passes) took 0.73 s against 1.01 s with BLAS's threads
(same process, alternating; ``benchmarks/bench_fit.py``'s data), while a
Cholesky factorisation of 2,001 × 2,001 takes 56 ms on one core against 40 ms
on two.

The limit is threadpoolctl's (which scikit-learn requires), set for the fit and
restored after it, as scikit-learn's own estimators limit BLAS around their
threaded loops.
"""

from contextlib import nullcontext
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _controller():
    # Made once: finding the loaded BLAS libraries takes about a millisecond,
    # a limit by a made controller microseconds.
    return ThreadpoolController()


def one_blas_thread(active=True):
    """A context in which BLAS runs on one thread (a no-op when not ``active``)."""
    if not active:
        return nullcontext()
    return _controller().limit(limits=1, user_api="blas")
