"""GLM families: each a small class that declares its likelihood and variance."""

from ._base import GLMFamily
from .binomial import Binomial

__all__ = ["GLMFamily", "Binomial", "get_family"]

_FAMILIES = {cls.name: cls for cls in (Binomial,)}


def get_family(family):
    """Return a :class:`GLMFamily` instance from its name or an instance.

    Raises
    ------
    ValueError
        When the name is unknown; the message lists the known names.
    """
    if isinstance(family, GLMFamily):
        return family
    if isinstance(family, str) and family in _FAMILIES:
        return _FAMILIES[family]()
    raise ValueError(f"Unknown family {family!r}; the known families are {sorted(_FAMILIES)}.")
