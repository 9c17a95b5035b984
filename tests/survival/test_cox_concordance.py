"""Harrell's concordance against a brute-force count over all pairs, with weights and strata.

A pair (i, j) is comparable when i has an event and j a later time, or j is
censored at i's time, both in one stratum; it counts ``w_i w_j``, concordant
when i's score is higher by more than 1e-8 and ½ when within it
(scikit-survival's ``concordance_index_censored``).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from skfisher.survival._concordance import concordance_index, pair_counts


def brute_force(time, event, score, weights, strata, tol=1e-8):
    concordant = discordant = tied = 0.0
    for i in np.flatnonzero(event == 1):
        later = (time > time[i]) | ((time == time[i]) & (event == 0))
        for j in np.flatnonzero(later & (strata == strata[i])):
            pair = weights[i] * weights[j]
            if abs(score[i] - score[j]) <= tol:
                tied += pair
            elif score[i] > score[j]:
                concordant += pair
            else:
                discordant += pair
    return concordant, discordant, tied


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.integers(1, 70),
    st.integers(0, 2**31 - 1),
    st.sampled_from([1, 2, 5]),
    st.booleans(),
)
def test_pair_counts_are_the_brute_force_counts(n, seed, n_strata, weighted):
    rng = np.random.default_rng(seed)
    time = rng.integers(0, max(2, n // 3), n).astype(float)
    event = (rng.uniform(size=n) < 0.6).astype(float)
    score = np.round(rng.normal(size=n), 1)  # many ties in risk
    weights = rng.uniform(0.5, 3.0, n) if weighted else np.ones(n)
    strata = rng.integers(0, n_strata, n)
    expected = brute_force(time, event, score, weights, strata)
    assert_allclose(pair_counts(time, event, score, weights, strata), expected, atol=1e-9)
    if n_strata == 1:
        assert_allclose(pair_counts(time, event, score, weights), expected, atol=1e-9)


def test_the_index_and_its_refusal():
    time, event = np.array([1.0, 2.0, 3.0, 3.0]), np.array([1.0, 1.0, 1.0, 0.0])
    assert concordance_index(time, event, np.array([3.0, 2.0, 1.0, 0.0])) == 1.0
    assert concordance_index(time, event, -np.array([3.0, 2.0, 1.0, 0.0])) == 0.0
    assert concordance_index(time, event, np.zeros(4)) == 0.5
    with pytest.raises(ValueError, match="no comparable pairs"):
        concordance_index(np.array([2.0, 1.0]), np.array([0.0, 0.0]), np.zeros(2))
