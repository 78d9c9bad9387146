"""The ``kg`` command line, thin on top of everything else.

Each command parses its options and calls the package that does the work:
``kg build`` (:mod:`kg.cli.build` → :mod:`kg.build`), ``kg validate``
(:mod:`kg.cli.validate` → :mod:`kg.shacl`), ``kg docs``, ``kg export`` and ``kg publish``
(:mod:`kg.cli.exports` → :mod:`kg.exports`), ``kg query``, ``kg queries`` and ``kg serve``
(:mod:`kg.cli.queries` → :mod:`kg.store`), ``kg report`` (:mod:`kg.cli.report` → :mod:`kg.report`), ``kg train`` (:mod:`kg.cli.train` → :mod:`kg.training`). Here: the application, its commands in the
order ``kg --help`` lists them, and :func:`main`, the console entry point (``kg =
"kg.cli:main"``), which turns user errors into one line on stderr. Nothing imports it.
"""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import click
import typer

from kg import __version__
from kg.cli import build, exports, queries, report, train, validate
from kg.cli.console import error as console_error
from kg.cli.console import printable, state
from kg.errors import KgError

app = typer.Typer(
    name="kg",
    help="Build an RDF knowledge graph from the UN system's SDG reporting "
         "(WIPO's CDIP reports and similar documents).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for errors.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    state["debug"] = debug


# In the order `kg --help` lists them.
for command in (build.build, validate.validate, exports.docs, exports.export, exports.publish,
                queries.query, queries.queries, queries.serve, report.report, train.train):
    app.command()(command)


# Typer 0.2x parses with a click of its own (typer._click): a bad option raises its
# exceptions, not click's.
_USAGE_ERRORS = tuple({click.ClickException, getattr(getattr(typer, "_click", None), "ClickException",
                                                     click.ClickException)})


def _terminate(signum, frame) -> None:
    # A `kill` stops a build the way Ctrl-C does: staged outputs are removed, earlier ones kept.
    raise KeyboardInterrupt


def _interrupted() -> None:
    # Plain stderr: the interruption may have come while rich's live display held it.
    try:
        print("kg: interrupted; earlier outputs are unchanged", file=sys.__stderr__, flush=True)
    except OSError:
        pass


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit status 2."""
    try:
        _main_unguarded()
    except SystemExit as done:
        from kg import processes

        if processes.used_deep_stack:  # see kg.processes: end without the interpreter's shutdown
            import os

            status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(status)
        raise
    from kg import processes

    if processes.used_deep_stack:
        import os

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(0)


def _main_unguarded() -> None:
    import errno
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    try:
        try:
            # Without standalone mode click returns (rather than raises) the status of typer.Exit.
            status = app(standalone_mode=False)
            sys.stdout.flush()  # a full disk shows here, where it can still be reported
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`kg query … | head`): nothing to say
                _quiet_stdout()
                sys.exit(141)
            if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EDQUOT, errno.EROFS, errno.EBADF):
                _quiet_stdout()
                raise KgError(f"cannot write the output: {exc.strerror or exc}", path="standard output") from None
            raise
        if status == 130:  # typer's word for a KeyboardInterrupt (Ctrl-C, or SIGTERM: see _terminate)
            _interrupted()
        if isinstance(status, int) and status:
            sys.exit(status)
    except KgError as error:
        if state["debug"]:
            raise
        try:
            console_error(error)
        except OSError:
            pass
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exc:
        if exc.exit_code == 130:  # typer's word for a KeyboardInterrupt
            _interrupted()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _interrupted()
        sys.exit(130)
    except _USAGE_ERRORS as exc:
        exc.message = printable(exc.message) if isinstance(getattr(exc, "message", None), str) else exc.message
        exc.show()
        sys.exit(exc.exit_code)
