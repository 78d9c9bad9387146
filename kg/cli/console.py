"""Where the commands write: standard output, standard error (rich consoles), and the --debug flag."""

from __future__ import annotations

from rich.console import Console

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
state = {"debug": False}  # set by kg's --debug option (kg.cli): full tracebacks for errors
