"""``log y!`` of the Poisson count part: the table and gammaln agree on either side of it."""

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import gammaln

from skfisher.counts._distributions import log_factorial


def test_the_table_is_gammaln_and_larger_or_fractional_values_use_it():
    counts = np.arange(0.0, 1100.0)  # across the table's end at 1024
    assert_array_equal(log_factorial(counts[:1025]), gammaln(counts[:1025] + 1.0))
    assert_allclose(log_factorial(counts), gammaln(counts + 1.0), rtol=1e-15)
    halves = np.array([0.5, 3.5, 10.0])  # not whole: never truncated to a table entry
    assert_array_equal(log_factorial(halves), gammaln(halves + 1.0))
    assert log_factorial(np.array([])).shape == (0,)
