"""The unconstrained scales Fisher scoring iterates on, one transform per parameter.

A transform maps the unconstrained ``φ`` to the reported ``θ`` (``θ = exp φ``
for a scale), gives ``dθ/dφ`` for the chain rule, and says which θ are allowed.
"""

import numpy as np
from scipy.special import expit, logit


class Identity:
    """``θ = φ`` for a parameter that may take any real value."""

    def to_natural(self, phi):
        return phi

    def to_unconstrained(self, theta):
        return theta

    def derivative(self, phi):
        """``dθ/dφ``."""
        return np.ones_like(phi)

    def contains(self, theta):
        return np.isfinite(theta)

    def __str__(self):
        return "any real number"


class Log:
    """``θ = low + exp(φ)`` for a parameter bounded below (a scale, a shape)."""

    def __init__(self, low=0.0):
        self.low = low

    def to_natural(self, phi):
        return self.low + np.exp(phi)

    def to_unconstrained(self, theta):
        return np.log(theta - self.low)

    def derivative(self, phi):
        return np.exp(phi)

    def contains(self, theta):
        return np.isfinite(theta) & (theta > self.low)

    def __str__(self):
        return f"a number > {self.low:g}"


class Logit:
    """``θ = low + (high − low) expit(φ)`` for a parameter in an open interval."""

    def __init__(self, low=0.0, high=1.0):
        self.low, self.high = low, high

    def to_natural(self, phi):
        return self.low + (self.high - self.low) * expit(phi)

    def to_unconstrained(self, theta):
        return logit((theta - self.low) / (self.high - self.low))

    def derivative(self, phi):
        p = expit(phi)
        return (self.high - self.low) * p * (1.0 - p)

    def contains(self, theta):
        return (theta > self.low) & (theta < self.high)

    def __str__(self):
        return f"a number in ({self.low:g}, {self.high:g})"
