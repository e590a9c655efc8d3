"""jiesu: dispatch suggestions and ticket workflow for Beijing's 12345 citizen service hotline."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jiesu")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
