"""The project's error classes.

Every error the toolkit raises on purpose derives from :class:`BerakhlakError`,
so a caller (or the command line) can catch the family at once. Errors that
wrap a lower-level failure chain it (``raise ... from err``).
"""

from __future__ import annotations

__all__ = [
    "BerakhlakError",
    "FrameworkError",
    "RegionError",
    "AmbiguousRegionError",
    "UnknownRegionError",
    "InputError",
    "FileProblem",
    "ValidationError",
    "EstimationError",
    "ReportError",
    "ParameterError",
]


class BerakhlakError(Exception):
    """Base class of the toolkit's own errors."""


class FrameworkError(BerakhlakError, ValueError):
    """A domain constant was asked for with a value the framework does not know."""


class RegionError(BerakhlakError, LookupError):
    """A government name or code could not be resolved."""

    def __init__(self, message: str, text: str = "", candidates: tuple = ()):
        super().__init__(message)
        self.text = text
        self.candidates = tuple(candidates)


class AmbiguousRegionError(RegionError):
    """The text matches more than one government; ``candidates`` lists them."""


class UnknownRegionError(RegionError):
    """The text matches no government; ``candidates`` holds close-match suggestions."""


class InputError(BerakhlakError):
    """Problem with user input (files, tables, parameters)."""


class FileProblem(InputError):
    """A file-level problem: unreadable, empty, missing column, sheet not found, unknown table.

    The command line exits with code 2; nothing is written.
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class ValidationError(InputError):
    """Rows broke validation rules; ``failures`` is a table of the failure cases."""

    def __init__(self, message: str, failures=None):
        super().__init__(message)
        self.failures = failures


class EstimationError(BerakhlakError, ValueError):
    """A statistical estimate cannot be computed from the data given (and why)."""


class ReportError(BerakhlakError):
    """Rendering a report failed."""


class ParameterError(BerakhlakError, ValueError):
    """A report or command parameter is invalid (unknown code, bad language, path outside a folder)."""
