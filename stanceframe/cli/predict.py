"""The scoring commands: score, segment, explain, test, sources, compare, and suggest and label for
labelling a corpus (`python predict.py ...`, and the same commands in the installed `stanceframe`).
Each body is one call of stanceframe.commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..commands import annotate
from ..commands import score as score_cmd
from ..commands import summaries
from ..rows import columns
from .common import (AllowEmpty, CsvRaw, DupIds, FurnitureOpt, IdCol, Inputs, Jobs, ModelOpt, Output, SourceCol,
                     TextCol, Version, fmt_option, run)

HELP = "Score articles for stance and frame, explain a decision, and compare outlets."
app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  no_args_is_help=True, help=HELP)


@app.callback()
def group(version: Version = None):
    """Score articles for stance and frame, explain a decision, and compare outlets.

    \b
    Example:
      python predict.py score examples/article.md
    """


NBoot = Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples.")]
LabelsOpt = Annotated[Optional[Path], typer.Option("--labels", help="A random labelled sample of the corpus (corpus "
                                                   "labels CSV: doc_id, start, end as `score --format csv` prints "
                                                   "them, and stance): shares and lean also by prediction-powered "
                                                   "inference, with intervals that include the model's errors.")]


@app.command()
def score(
    inputs: Inputs, fmt: fmt_option("table, json, jsonl, csv or parquet") = "table",
    level: Annotated[str, typer.Option("--level", "-l", help="sentence or article.")] = "sentence",
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file (atomically) instead of "
                                                  "standard output; with --format parquet, a folder (DIR/, or an "
                                                  "existing one) gets a Parquet dataset of part files.")] = None,
    shard: Annotated[Optional[str], typer.Option("--shard", help="I/N: score only shard I (1 to N) of the documents, "
                                                 "by a hash of each document's id (for job arrays).")] = None,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    n_boot: Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples for article intervals.")] = 200,
    jobs: Jobs = 2, furniture: FurnitureOpt = None, allow_empty: AllowEmpty = False, csv_raw: CsvRaw = False,
    max_stdin_mb: Annotated[float, typer.Option("--max-stdin-mb", min=0.001, help="Read at most this much from "
                                                "standard input (or a pipe named as an input).")] = 100,
    duplicate_ids: DupIds = "apart", model: ModelOpt = None,
    engine: Annotated[str, typer.Option("--engine", help="local, or dask: score in Dask partitions into a Parquet "
                                        "dataset --output DIR/ (pip install 'stanceframe[dask]').")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="With --engine dask: the address of a "
                                                     "running scheduler (tcp://host:8786); default: a LocalCluster "
                                                     "of --jobs workers.")] = None,
    version: Version = None,
):
    """Score every sentence of every article: stance, frame, probabilities, uncertainty; or article profiles.

    \b
    Examples:
      stanceframe score examples/article.md
      stanceframe score corpus.jsonl --format jsonl --output scored.jsonl
      stanceframe score corpus.jsonl --format parquet --output scored/ --shard 1/4
      stanceframe score 'corpus/*.jsonl' --engine dask --output scored/
    """
    run(score_cmd.score, inputs=inputs, fmt=fmt, level=level, output=output, shard=shard,
        columns=columns(text_column, id_column, source_column), n_boot=n_boot, jobs=jobs, furniture=furniture,
        allow_empty=allow_empty, csv_raw=csv_raw, max_stdin_mb=max_stdin_mb, duplicate_ids=duplicate_ids, model=model,
        engine=engine, scheduler=scheduler)


@app.command()
def segment(
    inputs: Inputs, fmt: fmt_option("table, json, jsonl or csv") = "table", output: Output = None,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, allow_empty: AllowEmpty = False, version: Version = None,
):
    """Show what becomes of every line: kept (headline, heading or body) or dropped, and by which rule.

    \b
    Example:
      stanceframe segment page.html --format csv -o lines.csv
    """
    run(score_cmd.segment, inputs=inputs, fmt=fmt, output=output, columns=columns(text_column, id_column, source_column),
        furniture=furniture, allow_empty=allow_empty)


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="A sentence or short text (or - to read standard input).")],
    fmt: fmt_option("table or json") = "table",
    top: Annotated[int, typer.Option("--top", min=1, help="How many features each way.")] = 8,
    output: Output = None, model: ModelOpt = None, version: Version = None,
):
    """Show the predicted stance and frame and the n-grams that pushed toward and away from them.

    \b
    Example:
      stanceframe explain "Baku did not join the sanctions against Russia."
    """
    run(summaries.explain, text=text, fmt=fmt, top=top, output=output, model=model)


@app.command()
def test(
    labels: Annotated[Path, typer.Argument(help="A labels CSV: text, and stance and/or frame (empty: not labelled), "
                                                "optionally source.")],
    fmt: fmt_option("table or json") = "table", output: Output = None,
    n_boot: Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples.")] = 1000,
    model: ModelOpt = None, version: Version = None,
):
    """Score a trained model on labelled sentences it was not trained on, beside the majority baseline.

    \b
    Example:
      stanceframe test my_labels.csv --model mymodel
    """
    run(summaries.test, labels=labels, fmt=fmt, output=output, n_boot=n_boot, model=model)


@app.command()
def sources(
    corpus: Annotated[Optional[list[str]], typer.Argument(help="Corpus inputs (as for score). Default: the gold "
                                                               "labels of the seed outlets (in a checkout).")] = None,
    by: Annotated[str, typer.Option("--by", help="Group by this column (gold: source, outlet, kind, author, "
                                                 "published; corpus: source, title, date).")] = "source",
    fmt: fmt_option("table, json or csv") = "table", output: Output = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", help="Also draw the charts to this .png or .svg.")] = None,
    n_boot: NBoot = 1000, text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, duplicate_ids: DupIds = "apart", csv_raw: CsvRaw = False, jobs: Jobs = 2,
    over: Annotated[Optional[str], typer.Option("--over", help="Per period as well: day, week, month or year of "
                                                "each article's date; rows sorted by group, then time.")] = None,
    date_column: Annotated[str, typer.Option("--date-column", help="Corpus column (CSV/JSONL/Parquet) with each "
                                             "article's date; HTML pages take theirs from the page.")] = "date",
    labels: LabelsOpt = None,
    sources_csv: Annotated[Optional[Path], typer.Option("--sources", help="A sources CSV for a folder of files "
                                                        "(columns as seeds/sources.csv: source, file, outlet, title, "
                                                        "published): each file's outlet, title and date.")] = None,
    model: ModelOpt = None, version: Version = None,
):
    """Per-source stance shares and lean with 95% intervals, frames, and the words that set each apart.

    \b
    Examples:
      stanceframe sources                      # the seed outlets' gold labels (in a checkout)
      stanceframe sources corpus/ --chart outlets.png
      stanceframe sources corpus.jsonl --over month --chart lean_by_month.png
      stanceframe sources corpus/ --labels my_random_labels.csv
      stanceframe sources pages/ --sources pages/sources.csv --over month
      stanceframe sources scored/                # scored output (score --format parquet|jsonl|csv)
    """
    run(summaries.sources, corpus=corpus, by=by, fmt=fmt, output=output, chart=chart, n_boot=n_boot,
        columns=columns(text_column, id_column, source_column, date_column), furniture=furniture,
        duplicate_ids=duplicate_ids, csv_raw=csv_raw, jobs=jobs, over=over, model=model, labels=labels,
        sources_csv=str(sources_csv) if sources_csv else None)


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="A source of the gold labels (e.g. 000) or a corpus path.")],
    b: Annotated[str, typer.Argument(help="Another source or corpus path.")],
    fmt: fmt_option("table or json") = "table", output: Output = None, n_boot: NBoot = 1000,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, duplicate_ids: DupIds = "apart", jobs: Jobs = 2, labels: LabelsOpt = None,
    model: ModelOpt = None, version: Version = None,
):
    """Differences in stance shares and lean between two sources or corpora (A minus B), and their words.

    \b
    Examples:
      stanceframe compare 000 004              # two seed sources (in a checkout)
      stanceframe compare outlet_a/ outlet_b/ --format json
    """
    run(summaries.compare, a=a, b=b, fmt=fmt, output=output, n_boot=n_boot,
        columns=columns(text_column, id_column, source_column), furniture=furniture, duplicate_ids=duplicate_ids,
        jobs=jobs, model=model, labels=labels)


Strategy = Annotated[str, typer.Option("--strategy", help="random (a uniform sample), uncertain (the model's least "
                                       "certain first) or mixed (random and uncertain in turn).")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the random sample (the same seed, the same sample).")]


@app.command()
def suggest(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="Tasks file: .csv (corpus labels), .jsonl (Prodigy), "
                                         ".json (Label Studio, with its config as .xml), .doccano.jsonl.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many sentences.")] = 50,
    strategy: Strategy = "random", seed: Seed = 0, text_column: TextCol = "text", id_column: IdCol = "id",
    source_column: SourceCol = "source", furniture: FurnitureOpt = None, jobs: Jobs = 2, model: ModelOpt = None,
    exclude: Annotated[Optional[list[Path]], typer.Option("--exclude", help="Labels files (CSV or a tool's export) "
                                                          "whose sentences are never picked (repeatable).")] = None,
    version: Version = None,
):
    """Pick sentences of a corpus to label and write them for a labelling tool, with the model's suggestion.

    \b
    Examples:
      stanceframe suggest pages/ --n 100 --output to_label.csv
      stanceframe suggest corpus.jsonl --n 200 --strategy mixed --seed 7 --output tasks.json
      stanceframe suggest pages/ --n 200 --exclude check.csv --output train_batch.csv
    """
    run(annotate.suggest, inputs=inputs, output=output, n=n, strategy=strategy, seed=seed,
        columns=columns(text_column, id_column, source_column), furniture=furniture, jobs=jobs, model=model,
        exclude=exclude or ())


@app.command()
def label(
    inputs: Annotated[list[str], typer.Argument(help="A corpus (as for score), or a CSV written by suggest.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The corpus labels CSV to write (a rerun resumes "
                                         "it).")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many corpus sentences to queue.")] = 200,
    strategy: Strategy = "random", seed: Seed = 0,
    corpus: Annotated[Optional[list[str]], typer.Option("--corpus", help="With a suggest CSV: the corpus, to show "
                                                        "each sentence's neighbours.")] = None,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, jobs: Jobs = 2, model: ModelOpt = None, version: Version = None,
):
    """Label sentences in the terminal: Enter accepts, 1-4 stance, f frame, s skip, u undo, n note, q quit.

    \b
    Every answer is saved at once; a rerun resumes. Examples:
      stanceframe label pages/ --output mine.csv
      stanceframe label to_label.csv --corpus pages/ --output mine.csv
    """
    run(annotate.label, inputs=inputs, output=output, n=n, strategy=strategy, seed=seed, corpus=corpus,
        columns=columns(text_column, id_column, source_column), furniture=furniture, jobs=jobs, model=model)
