"""What every test checks of the fits it is given: the contract, no penalty, convergence.

The asymptotic tests assume the maximum-likelihood estimate. A fit reported
with ``converged_=False`` is not one, for one of two reasons:

* the loop stopped at ``max_iter`` (``n_iter_ == max_iter``): the estimate is
  short of the maximum and its score is not zero;
* the fit stopped by itself and declared that the maximum does not exist:
  the classes are (quasi-)completely separated, or a parameter tends to the
  boundary of its space (a negative-binomial α → 0). The estimators then
  report ``nan`` standard errors for the parameters that diverge.

The score and information-matrix tests build their statistics from the score
and its moments at the fit, relying on the score being zero there: on such a
fit they measure the distance from the maximum, or the vanishing information
of rows predicted exactly, not the hypothesis. They refuse. The Wald and
likelihood-ratio tests are functions of quantities the estimator reports
(``params_``, ``covariance_``, ``loglik_``), which the fit has already
flagged; they compute and warn.
"""

from numbers import Integral

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .._warnings import warn
from ..exceptions import PerfectSeparationWarning

_CONTRACT = ("params_", "param_names_", "covariance_", "loglik_", "nobs_")

ITERATION_LIMIT = "iteration limit"
NO_MAXIMUM = "no maximum"


def check_fisher_fitted(estimator, argument="estimator"):
    """Raise unless ``estimator`` is a fitted estimator with the Fisher contract."""
    if not hasattr(estimator, "fit"):
        raise ValueError(
            f"{argument} must be a fitted skfisher estimator; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator, "params_")
    if not all(hasattr(estimator, name) for name in _CONTRACT):
        lacking = [name for name in _CONTRACT if not hasattr(estimator, name)]
        raise ValueError(
            f"{argument} must be a fitted skfisher estimator (with {', '.join(_CONTRACT)}); "
            f"{type(estimator).__name__} lacks {', '.join(lacking)}."
        )


def check_unpenalised(estimator, test, argument="estimator"):
    """Raise when ``estimator`` maximised a penalised likelihood."""
    params = estimator.get_params() if hasattr(estimator, "get_params") else {}
    alpha = params.get("alpha", 0.0)
    if isinstance(alpha, (int, float)) and alpha > 0:
        raise ValueError(
            f"The {test} test needs the maximum-likelihood fit, but {argument} was fitted "
            f"with an L2 penalty (alpha={alpha!r}); the statistic of a penalised fit is "
            "not χ²-distributed. Refit with alpha=0."
        )
    if params.get("bias_reduction") is not None:
        raise ValueError(
            f"The {test} test needs the maximum-likelihood fit, but {argument} was fitted "
            f"with bias_reduction={params['bias_reduction']!r} (a penalised likelihood). "
            "Refit with bias_reduction=None; for Firth fits, lr_pvalues_ gives the "
            "penalised likelihood-ratio test of each parameter."
        )


def fit_status(estimator):
    """Return None for a converged fit, else ``ITERATION_LIMIT`` or ``NO_MAXIMUM``."""
    if getattr(estimator, "converged_", True):
        return None
    n_iter, max_iter = getattr(estimator, "n_iter_", None), getattr(estimator, "max_iter", None)
    if n_iter is not None and isinstance(max_iter, Integral) and n_iter >= max_iter:
        return ITERATION_LIMIT
    return NO_MAXIMUM


def _describe(estimator, argument, status):
    if status == ITERATION_LIMIT:
        return (
            f"{argument} did not converge (converged_=False: the loop stopped at "
            f"max_iter={estimator.max_iter} iterations, short of the maximum)"
        )
    return (
        f"{argument} has no maximum-likelihood estimate (converged_=False: the classes "
        "are separated, or a parameter tends to the boundary of its space; the fit "
        "warned which parameters diverge)"
    )


def _remedy(status):
    if status == ITERATION_LIMIT:
        return "Refit with a larger max_iter and test the converged fit."
    return (
        "Remove the separating features (or merge the separated categories), or fix "
        "the boundary parameter, and test the refitted model."
    )


def refuse_unconverged(estimator, test, reasons, argument="estimator"):
    """Raise ``ValueError`` unless ``estimator`` converged to its maximum.

    ``reasons`` maps ``ITERATION_LIMIT`` and ``NO_MAXIMUM`` to why the ``test``
    needs the maximum, in a clause.
    """
    status = fit_status(estimator)
    if status is not None:
        raise ValueError(
            f"The {test} test needs the maximum-likelihood fit, but "
            f"{_describe(estimator, argument, status)}; {reasons[status]}. {_remedy(status)}"
        )


def warn_unconverged(estimator, test, consequence, argument="estimator"):
    """Warn when ``estimator`` did not converge; ``consequence`` says what it does to the test.

    ``ConvergenceWarning`` after an iteration limit, ``PerfectSeparationWarning``
    when the maximum does not exist.
    """
    status = fit_status(estimator)
    if status is None:
        return
    category = ConvergenceWarning if status == ITERATION_LIMIT else PerfectSeparationWarning
    warn(
        f"The {test} test assumes the maximum-likelihood fit, but "
        f"{_describe(estimator, argument, status)}: {consequence[status]} {_remedy(status)}",
        category,
    )
