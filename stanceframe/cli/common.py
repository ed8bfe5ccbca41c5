"""What the command-line modules share: option types (one meaning per flag in every command),
`--version`, and `run`, which calls a command function and turns its failures into one line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .. import __version__


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"stanceframe {__version__}")
        raise typer.Exit(0)


Version = Annotated[Optional[bool], typer.Option("--version", callback=_show_version, is_eager=True,
                                                 help="Print the version and exit.")]
Inputs = Annotated[list[str], typer.Argument(help="Files (.txt .md .html .htm .csv .jsonl .parquet), folders, "
                                                  "or - for standard input.")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically) instead "
                                                                       "of standard output.")]
Jobs = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for large inputs.")]
ModelOpt = Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder. Default: the bundled model "
                                                                        "(model/ in a checkout).")]
TextCol = Annotated[str, typer.Option("--text-column", help="Corpus column holding the article text.")]
IdCol = Annotated[str, typer.Option("--id-column", help="Corpus column holding the article id.")]
SourceCol = Annotated[str, typer.Option("--source-column", help="Corpus column holding the outlet.")]
FurnitureOpt = Annotated[Optional[bool], typer.Option(
    "--furniture/--no-furniture", help="Drop web-page furniture (menus, bylines, captions, teasers...) everywhere, or "
    "nowhere. Default: in files and standard input, not in corpus rows (already article text).")]
AllowEmpty = Annotated[bool, typer.Option("--allow-empty", help="A document without article sentences is not an "
                                                                "error (exit code 0, not 1).")]
DupIds = Annotated[str, typer.Option("--duplicate-ids", help="Corpus documents sharing an id: 'apart' (report "
                                                             "them, keep them as separate articles) or 'refuse'.")]
CsvRaw = Annotated[bool, typer.Option("--csv-raw", help="CSV: write cells starting with = + - @ as they are (by "
                                                        "default they get a ' so spreadsheets do not run them as "
                                                        "formulas).")]


def fmt_option(formats: str):
    return Annotated[str, typer.Option("--format", "-f", help=f"{formats}.")]


def run(command, **options) -> None:
    """Call `command(**options)`; a StanceframeError (or a file that cannot be written) is one line on
    standard error and its exit code; a nonzero return is the exit code."""
    from ..errors import StanceframeError
    from ..output import write_failure

    try:
        code = command(**options)
    except StanceframeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except OSError as exc:
        if not exc.filename:  # standard output: output.run_cli reports it, also at the final flush
            raise
        typer.echo(f"error: {write_failure(exc)}", err=True)
        raise typer.Exit(1) from None
    if code:
        raise typer.Exit(code)
