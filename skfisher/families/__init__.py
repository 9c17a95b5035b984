"""GLM families: each a small class that declares its likelihood and variance."""

from ._base import GLMFamily
from .binomial import Binomial
from .gamma import Gamma
from .gaussian import Gaussian
from .inverse_gaussian import InverseGaussian
from .negative_binomial import NegativeBinomial
from .poisson import Poisson
from .quasi import QuasiBinomial, QuasiPoisson
from .tweedie import Tweedie

__all__ = [
    "GLMFamily",
    "Binomial",
    "Gamma",
    "Gaussian",
    "InverseGaussian",
    "NegativeBinomial",
    "Poisson",
    "QuasiBinomial",
    "QuasiPoisson",
    "Tweedie",
    "get_family",
]

_FAMILIES = {
    cls.name: cls
    for cls in (
        Binomial,
        Poisson,
        Gaussian,
        Gamma,
        InverseGaussian,
        NegativeBinomial,
        Tweedie,
        QuasiPoisson,
        QuasiBinomial,
    )
}
# The names get_family knows (for parameter validation; not in __all__).
FAMILY_NAMES = tuple(_FAMILIES)
# By name, the negative binomial's α is estimated; NegativeBinomial(alpha=...) fixes it.
_NAMED_ARGUMENTS = {"negative_binomial": {"alpha": None}}


def get_family(family):
    """Return a :class:`GLMFamily` instance from its name or an instance.

    ``"negative_binomial"`` gives ``NegativeBinomial(alpha=None)`` (α estimated)
    and ``"tweedie"`` gives ``Tweedie(power=1.5)``.

    Raises
    ------
    ValueError
        When the name is unknown; the message lists the known names.
    """
    if isinstance(family, GLMFamily):
        return family
    if isinstance(family, str) and family in _FAMILIES:
        return _FAMILIES[family](**_NAMED_ARGUMENTS.get(family, {}))
    raise ValueError(f"Unknown family {family!r}; the known families are {sorted(_FAMILIES)}.")
