"""Where the commands write: standard output, standard error (rich consoles), and the --debug flag.

Nothing kg prints is read as markup: the consoles have Rich's markup, emoji codes and
highlighting off, so ``[/]`` in a value or ``:smile:`` in a file name is printed as it is. And
nothing from outside (file names, values of the graph, a remote server's words) reaches the
terminal raw: :func:`printable` writes control characters, invisible format characters and
undecodable bytes as visible escapes, so a file name cannot set the window title, clear the
screen or fake a line of kg's own.
"""

from __future__ import annotations

import re

from rich.console import Console

console = Console(markup=False, emoji=False, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)
state = {"debug": False}  # set by kg's --debug option (kg.cli): full tracebacks for errors

# C0 and C1 control characters (line breaks included: a message is one line), DEL, Unicode's
# format characters that reorder or hide text (bidirectional controls, zero-width characters),
# line and paragraph separators, and the lone surrogates that stand for undecodable bytes in a
# file name.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                          "\ufeff\ufff9-\ufffb\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}"


def printable(text: object, lines: bool = False) -> str:
    """``text`` with everything that would act on a terminal instead of showing written as an escape;
    ``lines``: line breaks kept (a table cell of several lines), every other control character escaped."""
    if lines:
        return "\n".join(_UNPRINTABLE.sub(_escape, line) for line in str(text).split("\n"))
    return _UNPRINTABLE.sub(_escape, str(text))


def printable_table(table):
    """A rich Table with every string cell, header and title made :func:`printable` (values of the
    graph can hold anything a report held)."""
    if isinstance(table.title, str):
        table.title = printable(table.title)
    for column in table.columns:
        if isinstance(column.header, str):
            column.header = printable(column.header)
        column._cells = [printable(cell, lines=True) if isinstance(cell, str) else cell for cell in column._cells]
    return table


def error(message: object) -> None:
    """``kg: error: MESSAGE`` on standard error, one line."""
    err_console.print(f"kg: error: {printable(message)}", style="red")


def warning(message: object) -> None:
    """``warning: MESSAGE`` on standard error, one line."""
    err_console.print(f"warning: {printable(message)}", style="yellow")


def note(message: object) -> None:
    """A line of kg's own on standard error (what was written, where the endpoint listens)."""
    err_console.print(printable(message))
