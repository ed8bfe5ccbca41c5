"""The `train` command (`python train.py`, and `stanceframe train`): one call of stanceframe.commands.train."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..commands import train as train_cmd
from .common import IdCol, TextCol, Version, fmt_option, run

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)


@app.command()
def main(
    labels: Annotated[list[str], typer.Option(
        "--labels", "-l", help="Labels files or globs (repeatable): seed labels, corpus labels (doc_id, source, "
        "start, end, text, stance, frame, note), or Label Studio, doccano or Prodigy exports. An empty stance or "
        "frame: not labelled for it. Default: labels/sentences.csv (kept beside corpus labels, see "
        "--no-seeds)")] = None,
    corpus: Annotated[list[str], typer.Option(
        "--corpus", "-c", help="The corpus (files or folders, as given to `predict.py score`) that corpus labels "
        "point into: their offsets are checked against it (repeatable). Without it their text is trusted.")] = None,
    written: Annotated[list[str], typer.Option(
        "--written", "-w", help="Written-corpus CSV files (invented sentences, no offsets; repeatable). "
        "Default: labels/written.csv")] = None,
    no_written: Annotated[bool, typer.Option("--no-written", help="Train without a written corpus.")] = False,
    no_seeds: Annotated[bool, typer.Option("--no-seeds", help="Corpus labels only: without the seed labels "
                                           "(labels/sentences.csv), which corpus labels are otherwise added to.")] = False,
    compare: Annotated[bool, typer.Option("--compare/--no-compare",
                                          help="Also evaluate the alternatives the model card compares.")] = True,
    sources: Annotated[list[str], typer.Option(
        "--sources", "-s", help="sources.csv files listing every source the seed labels use (repeatable). "
        "Default: seeds/sources.csv")] = None,
    out: Annotated[Path, typer.Option("--out", "--output", "-o", help="Model folder to write.")] = Path("model"),
    jobs: Annotated[int, typer.Option("--jobs", "--n-jobs", "-j", min=1, help="Processes for the evaluation "
                                                                              "folds.")] = 2,
    check: Annotated[bool, typer.Option("--check", help="Only validate the labels and sources, and check what training needs "
                                                "(two classes per target, in every fold), then exit.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")] = False,
    fmt: fmt_option("table (the held-out results as tables) or json (metrics.json's content on standard "
                    "output, the summary line on standard error)") = "table",
    text_column: TextCol = "text",
    id_column: IdCol = "id",
    version: Version = None,
):
    """Validate labels, evaluate nested (leave-one-source-out over the seed and corpus outlets,
    leave-one-voice-out over the written corpus), fit, and save model/.

    \b
    Examples:
      python train.py                        # labels/ + seeds/sources.csv -> model/ (in a checkout)
      stanceframe train --labels mine.csv --sources my_sources.csv --no-written --out mymodel
      python train.py --labels mine.csv --corpus pages/ --check   # the seed labels + yours
    """
    run(train_cmd.train, labels=labels, written=written, no_written=no_written, compare=compare, sources=sources,
        out=out, jobs=jobs, check=check, quiet=quiet, fmt=fmt, corpus=corpus, text_column=text_column,
        id_column=id_column, no_seeds=no_seeds)
