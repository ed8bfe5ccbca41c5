"""`score` (sentence records or article profiles of every input) and `segment` (what became of every line)."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from .. import render, rows
from ..errors import BadInput, StanceframeError
from . import finish, load, prog, say


def _progress():
    """A progress bar on a terminal, nothing when piped."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # refreshed by the caller, not by a thread of rich's own: scoring forks worker processes
    return Progress(SpinnerColumn(), TextColumn("{task.fields[docs]} articles, {task.completed} sentences"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True, auto_refresh=False)


def score(inputs, fmt="table", level="sentence", output: str | Path | None = None, columns=None, n_boot=200, jobs=2,
          furniture=None, allow_empty=False, csv_raw=False, max_stdin_mb=100.0, duplicate_ids="apart",
          model=None, shard: str | None = None, engine="local", scheduler=None) -> int:
    """Score every sentence of every input; write records (`fmt` other than table) or print the tables.

    `output` ending in / (or an existing folder) with fmt parquet: a Parquet dataset (output.DatasetWriter).
    `shard` "I/N": only the documents of shard I of N (scoring.in_shard). `engine` "dask": partitions on
    a Dask cluster into a Parquet dataset (commands/engine.py)."""
    if engine != "local" or scheduler:
        from .engine import ENGINES, score_dask

        if engine not in ENGINES:
            raise BadInput(f"unknown --engine {engine!r}; accepted: {', '.join(ENGINES)}")
        if engine == "local":
            raise BadInput("--scheduler needs --engine dask")
        if shard:
            raise BadInput("--shard is for job arrays without Dask; a Dask cluster splits the corpus itself")
        given = {"--duplicate-ids refuse": duplicate_ids == "refuse", "--csv-raw": csv_raw,
                 "--max-stdin-mb": max_stdin_mb != 100.0, "--n-boot": n_boot != 200}
        if any(given.values()):
            raise BadInput(f"{next(k for k, v in given.items() if v)} has no meaning with --engine dask (it writes "
                           "Parquet sentence rows from files, keeping documents with one id apart)")
        return score_dask(inputs, fmt, level, output, columns, scheduler, furniture, jobs, model, allow_empty)
    from ..lifeline import capped_jobs
    from ..artifact import model_id
    from ..output import (FORMATS, MODEL_METADATA, DatasetWriter, RecordWriter, is_dataset_target,
                          refuse_inputs_as_output, write_failure)
    from ..readers import large_input
    from ..scoring import ARTICLE_FIELDS, SENTENCE_FIELDS, Scorer, no_sentences_warning, parse_shard

    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
    if level not in ("sentence", "article"):
        raise BadInput(f"unknown level {level!r}; accepted: sentence, article")
    dataset = is_dataset_target(output, fmt)
    output = Path(output) if output is not None else None
    shard_of = parse_shard(shard) if shard else None
    failures: list = []
    n_docs = n_empty = 0
    table_rows: list = []
    writer = None
    try:
        refuse_inputs_as_output(output, inputs)
        if dataset:
            _refuse_inputs_inside(output, inputs)
        rows.check_duplicates_option(duplicate_ids)
        from ..readers import DuplicateIds

        duplicates = DuplicateIds(refuse=duplicate_ids == "refuse", shown=rows.MAX_DUPLICATES_SHOWN)
        fields = SENTENCE_FIELDS if level == "sentence" else ARTICLE_FIELDS
        model = load(model)
        if fmt != "table":
            # Parquet says which model scored its rows, as `--engine dask` does; JSONL and CSV rows keep
            # their fixed columns, so `sources` of them says the model cannot be checked
            meta = {MODEL_METADATA: model_id(model).encode()} if fmt == "parquet" else None
            writer = (DatasetWriter(output, fields, meta) if dataset else
                      RecordWriter(fmt, output, fields, csv_raw=csv_raw, metadata=meta))
        progress = _progress()
        task, shown = None, 0.0
        if progress:
            progress.start()
            task = progress.add_task("scoring", total=None, docs=0)
        jobs = capped_jobs(jobs, "--jobs", say)
        # sentence rows written to a file need no article shares: skip counting them
        boot = 0 if level == "sentence" and fmt != "table" else n_boot

        def seen(doc, n_sentences):
            nonlocal n_docs, n_empty
            n_docs += 1
            n_empty += n_sentences == 0
            if (said := duplicates.check(doc)):
                say(f"warning: {said}")

        def advance(n_sentences):
            nonlocal shown
            if progress:
                progress.update(task, advance=n_sentences, docs=n_docs)
                if time.monotonic() - shown > 0.1:
                    progress.refresh()
                    shown = time.monotonic()

        docs = rows.documents(inputs, columns or rows.columns(), failures, say, furniture=furniture,
                              stdin_limit_mb=max_stdin_mb)
        if shard_of:
            docs = (doc for doc in docs if shard_of(doc))
        workers_first = large_input(list(inputs))
        if writer and level == "sentence":  # rows encoded by the scoring workers, written as they come
            scorer = Scorer(model, n_boot=0, records=False)
            for batch, counts, encoded in scorer.encoded(docs, fmt, csv_raw, jobs=jobs, workers_first=workers_first):
                for doc, n in zip(batch, counts):
                    if not n:
                        say(no_sentences_warning(doc))
                    seen(doc, n)
                writer.write_encoded(encoded)
                advance(sum(counts))
        else:
            scorer = Scorer(model, n_boot=boot, records=level == "sentence")
            for doc, sentences, article in scorer.score(docs, jobs=jobs, workers_first=workers_first):
                if not article["n_sentences"]:
                    say(no_sentences_warning(doc))
                seen(doc, article["n_sentences"])
                if writer:
                    writer.write(article)
                else:
                    table_rows.append((doc, sentences if level == "sentence" else [article], article))
                advance(article["n_sentences"])
        if progress:
            progress.stop()
        if duplicates.summary():
            say(f"warning: {duplicates.summary()}")
        if writer and n_docs == 0:
            writer.abort()  # nothing scored: an existing output file keeps its content
        elif writer:
            writer.close()
            if output:
                say(f"wrote {writer.count} {level} records to {output}")
        elif n_docs:
            _print_tables(lambda out: render.score_tables(out, table_rows, level, prog()), output)
            if output:
                say(f"wrote the table to {output}")
    except StanceframeError:
        if writer:
            writer.abort()
        raise
    except OSError as exc:  # disk full, read-only place, standard output closed
        if writer:
            writer.abort()
        raise write_failure(exc, output) from None
    except KeyboardInterrupt:
        if writer:
            writer.abort()
        say("interrupted; no output file was written")
        return 130
    except BaseException:
        if writer:
            writer.abort()
        raise
    return finish(failures, n_docs, n_empty, allow_empty)


def _refuse_inputs_inside(folder: Path, inputs) -> None:
    """An input inside the dataset folder would be replaced with it: refuse (exit 2)."""
    import os

    if not folder.is_dir():
        return
    real = os.path.realpath(folder)
    for arg in inputs:
        if arg != "-" and os.path.exists(arg) and os.path.commonpath([real, os.path.realpath(arg)]) == real:
            raise BadInput(f"{folder}: --output holds the input {arg}, which the dataset would replace; name another folder")


def _print_tables(draw, output: Path | None) -> None:
    """`draw(console)` on the terminal, or into `output` atomically."""
    if output is None:
        draw(render.console())
        return
    from ..artifact import write_atomic
    from ..output import output_folder

    output_folder(output)
    buffer = io.StringIO()
    draw(render.console(buffer))
    write_atomic(output, buffer.getvalue())


def segment(inputs, fmt="table", output: Path | None = None, columns=None, furniture=None,
            allow_empty=False) -> int:
    """Write what becomes of every line of every input: kept (as what) or dropped (by which rule)."""
    from ..output import RecordWriter
    from ..segment import LINE_FIELDS, line_records

    if fmt not in ("table", "json", "jsonl", "csv"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json, jsonl, csv")
    failures: list = []
    docs = rows.documents(inputs, columns or rows.columns(), failures, say, furniture=furniture)
    writer = RecordWriter(fmt, output, LINE_FIELDS) if fmt != "table" else None
    buffer = io.StringIO() if output and not writer else None
    out = render.console(buffer)
    n_docs = n_empty = 0
    try:
        for doc in docs:
            records = line_records(doc.text, doc.id, doc.furniture, doc.headline_end)
            n_docs += 1
            if not any(r["status"] == "kept" for r in records):
                n_empty += 1
                say(f"warning: {doc.origin}: no article sentences found (empty, or only page furniture)")
            if writer:
                for r in records:
                    writer.write(r)
            else:
                render.segment_table(out, doc, records)
    except BaseException:
        if writer:
            writer.abort()
        raise
    if writer and n_docs == 0:
        writer.abort()
    elif writer:
        writer.close()
    elif buffer is not None and n_docs:
        from ..artifact import write_atomic
        from ..output import output_folder

        output_folder(output)
        write_atomic(output, buffer.getvalue())
    if output and n_docs:
        say(f"wrote the lines of {n_docs} document(s) to {output}")
    return finish(failures, n_docs, n_empty, allow_empty)
