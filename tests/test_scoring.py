"""The Fisher-scoring loop on small hand-made problems with known answers."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skfisher._scoring import ScoringProblem, fisher_scoring, warn_not_converged


class Recording(ScoringProblem):
    """Keeps every θ the loop evaluates, to check what it did."""

    def __init__(self):
        self.objective_at = []
        self.score_at = []

    def objective(self, theta):
        self.objective_at.append(np.array(theta))
        return self.f(theta)

    def score_information(self, theta):
        self.score_at.append(np.array(theta))
        return self.gradient(theta), self.information(theta)


class ExpConcave(Recording):
    """ℓ(θ) = 3θ − e^θ, maximised at θ = log 3; its negative Hessian is e^θ."""

    def f(self, theta):
        # A far step overflows e^θ: the objective is then -inf and the loop halves.
        with np.errstate(over="ignore"):
            return float(3 * theta[0] - np.exp(theta[0]))

    def gradient(self, theta):
        return np.array([3 - np.exp(theta[0])])

    def information(self, theta):
        return np.array([[np.exp(theta[0])]])


class LogBarrier(Recording):
    """ℓ(θ) = log θ − θ on θ > 0 (−inf elsewhere), maximised at θ = 1.

    From θ = 3 the Newton step is −6: it lands at −3, outside the domain, and
    only the second halving (θ = 1.5) is back inside.
    """

    def f(self, theta):
        return float(np.log(theta[0]) - theta[0]) if theta[0] > 0 else -np.inf

    def gradient(self, theta):
        return np.array([1 / theta[0] - 1])

    def information(self, theta):
        return np.array([[1 / theta[0] ** 2]])


class Quadratic(Recording):
    """ℓ(θ) = −½ (θ − m)ᵀ A (θ − m): one Newton step reaches m."""

    def __init__(self, A, m):
        super().__init__()
        self.A, self.m = A, m

    def f(self, theta):
        r = theta - self.m
        return float(-0.5 * r @ self.A @ r)

    def gradient(self, theta):
        return -self.A @ (theta - self.m)

    def information(self, theta):
        return self.A


class WrongGradient(Recording):
    """ℓ(θ) = −1000 |θ|, but the score claims ascent to the right: no step helps."""

    def f(self, theta):
        return float(-1000 * abs(theta[0]))

    def gradient(self, theta):
        return np.array([1.0])

    def information(self, theta):
        return np.array([[1.0]])


def _accepted_objectives(problem):
    """ℓ at each θ where the loop evaluated the score, i.e. at each accepted iterate."""
    return [problem.f(theta) for theta in problem.score_at]


@pytest.mark.parametrize("theta0", [-3.0, 0.0, 1.0, 4.0])
def test_concave_maximiser(theta0):
    problem = ExpConcave()
    result = fisher_scoring(problem, [theta0], tol=1e-10)
    assert result.converged
    # The loop stops before the last step, which is shorter than tol standard
    # errors (here 1/sqrt(3)): that is how far θ̂ may be from log 3.
    assert abs(result.theta[0] - np.log(3)) <= 1e-10 / np.sqrt(3)
    # Off by (1e-10)² / 2 in the objective: rounding dominates.
    assert_allclose(result.objective, 3 * np.log(3) - 3, rtol=1e-14)
    assert np.sqrt(result.decrement) <= 1e-10
    assert_allclose(result.score, problem.gradient(result.theta), rtol=0, atol=0)
    # The information and factor are those at θ̂, reused for the covariance.
    information = problem.information(result.theta)
    assert_allclose(result.information, information, rtol=0)
    assert_allclose(result.factor.inverse(), 1 / information, rtol=1e-15)
    assert_allclose(information, [[3.0]], rtol=1e-9)
    # Newton converges quadratically: a handful of steps from anywhere here.
    assert 0 < result.n_iter <= 8 or theta0 == pytest.approx(np.log(3))
    assert np.all(np.diff(_accepted_objectives(problem)) >= -1e-12)


def test_step_halving_backs_off_from_outside_the_domain():
    problem = LogBarrier()
    result = fisher_scoring(problem, [3.0], tol=1e-10)
    assert result.converged
    assert_allclose(result.theta, [1.0], rtol=1e-12)
    # The first step was halved twice: −3 and 0 are outside, 1.5 is inside.
    tried = [float(theta[0]) for theta in problem.objective_at[:4]]
    assert tried == pytest.approx([3.0, -3.0, 0.0, 1.5], abs=1e-12)
    assert float(problem.score_at[1][0]) == pytest.approx(1.5)
    assert np.all(np.diff(_accepted_objectives(problem)) >= 0)


def test_quadratic_takes_one_step():
    A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 0.5], [0.0, 0.5, 2.0]])
    m = np.array([1.0, -2.0, 0.5])
    result = fisher_scoring(Quadratic(A, m), np.zeros(3), tol=1e-8)
    assert result.converged
    assert result.n_iter == 1
    assert_allclose(result.theta, m, rtol=1e-14)


def test_start_at_the_optimum_takes_no_step():
    problem = ExpConcave()
    result = fisher_scoring(problem, [np.log(3)])
    assert result.converged
    assert result.n_iter == 0
    assert len(problem.score_at) == 1


def test_max_iter_stops_without_converging():
    problem = ExpConcave()
    result = fisher_scoring(problem, [-20.0], max_iter=2, tol=1e-10)
    assert not result.converged
    assert result.n_iter == 2
    # The result describes the last iterate: its own score and information.
    assert_allclose(result.score, problem.gradient(result.theta), rtol=0)
    assert_allclose(result.information, problem.information(result.theta), rtol=0)
    with pytest.warns(ConvergenceWarning, match="did not converge after 2 iterations"):
        warn_not_converged(result, tol=1e-10)


def test_no_warning_when_converged():
    result = fisher_scoring(ExpConcave(), [0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_not_converged(result, tol=1e-8)


def test_line_search_failure_is_not_convergence():
    problem = WrongGradient()
    result = fisher_scoring(problem, [0.0], max_halvings=40)
    assert not result.converged
    assert result.n_iter == 0
    assert_allclose(result.theta, [0.0], rtol=0)
    # Every halving of the step was tried, down to 2⁻⁴⁰, and none accepted.
    assert len(problem.objective_at) == 1 + 41


def test_infinite_start_is_an_error():
    with pytest.raises(ValueError, match="not finite at the starting values"):
        fisher_scoring(LogBarrier(), [-1.0])


def test_tol_is_in_standard_errors():
    # Scaling θ by 1000 (so the information by 1e-6) changes neither the
    # iterations nor the decrement: the criterion is scale-free.
    class Scaled(ExpConcave):
        def f(self, theta):
            return super().f(theta / 1000)

        def gradient(self, theta):
            return super().gradient(theta / 1000) / 1000

        def information(self, theta):
            return super().information(theta / 1000) / 1e6

    plain = fisher_scoring(ExpConcave(), [0.5], tol=1e-6)
    scaled = fisher_scoring(Scaled(), [500.0], tol=1e-6)
    assert plain.n_iter == scaled.n_iter
    assert_allclose(scaled.theta / 1000, plain.theta, rtol=1e-12)
    assert_allclose(scaled.decrement, plain.decrement, rtol=1e-6, atol=1e-30)


class NoisyObjective(ExpConcave):
    """ExpConcave whose objective carries a wobble of 1e-7 (period 6e-7), its score exact.

    The wobble stands for the rounding of a likelihood summed from terms far
    larger than its total; ``declared`` is the bound the problem reports.
    """

    def __init__(self, declared=None):
        super().__init__()
        self.declared = declared

    def f(self, theta):
        return super().f(theta) + 1e-7 * np.sin(1e7 * theta[0])

    def objective_rounding(self, theta):
        return self.declared


def test_a_declared_objective_rounding_widens_the_line_search():
    # Near log 3 a step's gain (half the squared step in standard errors) is
    # far below the wobble: with the default slack of 1e-12 the steps are refused.
    refused = fisher_scoring(NoisyObjective(), [0.0], tol=1e-10)
    assert not refused.converged and refused.n_iter == 100
    assert abs(refused.theta[0] - np.log(3)) > 1e-6
    declared = fisher_scoring(NoisyObjective(declared=1e-7), [0.0], tol=1e-10)
    assert declared.converged and declared.n_iter <= 6
    assert_allclose(declared.theta, [np.log(3)], rtol=1e-12)
