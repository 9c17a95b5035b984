"""Real datasets shipped with skfisher (sources and licences in README.md here)."""

from ._loaders import load_anes96

__all__ = ["load_anes96"]
