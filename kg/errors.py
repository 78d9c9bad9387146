"""Errors a user can act on.

Everything raised as :class:`KgError` is shown as one line (``file:line: message``)
without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class KgError(Exception):
    """A problem with the user's input or environment, reported in one line."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 where: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.where = where

    def __str__(self) -> str:
        place = ""
        if self.path:
            place = self.path
            if self.line is not None:
                place += f":{self.line}"
            place += ": "
        if self.where:
            place += f"{self.where}: "
        return place + self.message


class InputError(KgError):
    """An input document cannot be read as a report."""


class DataError(KgError):
    """A shipped or user-supplied data file (gazetteer, registry, vocabulary) is malformed."""


class NotConforming(KgError):
    """A graph does not satisfy the SHACL shapes (exit status 1, like ``kg validate``)."""

    exit_code = 1


@dataclass(frozen=True)
class ReportWarning:
    """Something the report gets wrong that the build can read past.

    Kept with its place so the build summary and ``report.json`` can list it.
    """

    path: str
    message: str
    line: int | None = None
    paragraph: int | None = None

    def __str__(self) -> str:
        place = self.path
        if self.line is not None:
            place += f":{self.line}"
        if self.paragraph is not None:
            place += f": paragraph {self.paragraph}"
        return f"{place}: {self.message}"
