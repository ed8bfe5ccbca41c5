"""Score articles for stance and frame, explain a decision, and compare outlets.

    python predict.py score article.txt                 # a table on the terminal
    python predict.py score corpus.jsonl --format jsonl --output scored.jsonl
    python predict.py segment page.txt                  # every line: kept (as what) or dropped (by which rule)
    python predict.py explain "Baku did not join the sanctions against Russia."
    python predict.py sources                           # the seed outlets, from the gold labels
    python predict.py sources corpus/ --chart outlets.png
    python predict.py compare 000 004
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from stanceframe.errors import BadInput, StanceframeError

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  no_args_is_help=True, help=__doc__.split("\n")[0])

SENTENCE_FIELDS = ["doc_id", "source", "index", "start", "end", "kind", "text", "stance", "p_pro_ukraine",
                   "p_russia_accommodating", "p_balancing", "p_none", "frame", "p_frame", "uncertain",
                   "uncertain_reason"]
ARTICLE_FIELDS = ["doc_id", "source", "title", "date", "author", "url", "n_sentences", "n_stance_bearing",
                  "n_uncertain", "n_dropped_lines", *[f"share_{s}{e}" for s in ("pro_ukraine", "russia_accommodating", "balancing", "none")
                    for e in ("", "_lo", "_hi")], "lean", "lean_lo", "lean_hi", "top_frames", "quantifier"]

ModelOpt = Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder. Default: the project's model/.")]
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
MAX_DUPLICATES_SHOWN = 20


def _say(msg: str) -> None:
    typer.echo(msg, err=True)


def _fail(exc: StanceframeError):
    _say(f"error: {exc}")
    raise typer.Exit(exc.exit_code) from None


def _columns(text_column, id_column, source_column):
    from stanceframe.readers import Columns

    return Columns(text=text_column, id=id_column, source=source_column)


def _load(model_dir):
    from stanceframe.project import load_model

    return load_model(model_dir, say=_say)


def _documents(inputs, columns, failures, stdin=None, furniture: bool | None = None,
               stdin_limit_mb: float | None = None):
    """Yield every readable document of `inputs`; collect failures, say warnings and notes."""
    from stanceframe.readers import STDIN_LIMIT_MB, InputFailure, InputWarning, iter_documents

    for item in iter_documents(list(inputs), columns, stdin=stdin, furniture=furniture,
                               stdin_limit_mb=stdin_limit_mb or STDIN_LIMIT_MB):
        if isinstance(item, InputFailure):
            failures.append(item)
        elif isinstance(item, InputWarning):
            _say(f"warning: {item.origin}: {item.message}")
        else:
            if item.encoding not in ("utf-8", "ascii"):
                _say(f"note: {item.origin}: decoded as {item.encoding}")
            if item.replaced:
                _say(f"note: {item.origin}: {item.replaced} byte(s) that are not valid UTF-8 were replaced "
                     "by U+FFFD; the rest decoded as UTF-8")
            yield item


def _scored(inputs, columns, model, n_boot, failures, stdin=None, jobs: int = 1, records: bool = True,
            furniture: bool | None = None, stdin_limit_mb: float | None = None):
    """Yield (document, sentence records, article profile) for every readable input; collect failures.

    `model` is a loaded model (see `_load`)."""
    from stanceframe.readers import large_input
    from stanceframe.scoring import Scorer

    scorer = Scorer(model, n_boot=n_boot, records=records)
    docs = _documents(inputs, columns, failures, stdin, furniture, stdin_limit_mb)
    for doc, records, article in scorer.score(docs, jobs=jobs, workers_first=large_input(list(inputs))):
        if article["n_sentences"] == 0:
            _say(f"warning: {doc.origin}: no article sentences found (empty, or only page furniture); "
                 "written as a zero-sentence record")
        yield doc, records, article


def _progress():
    """A progress bar on a terminal, nothing when piped."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    # refreshed by the caller, not by a thread of rich's own: scoring forks worker processes
    return Progress(SpinnerColumn(), TextColumn("{task.fields[docs]} articles, {task.completed} sentences"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True, auto_refresh=False)


@app.command()
def score(
    inputs: Annotated[list[str], typer.Argument(help="Files (.txt .md .html .htm .csv .jsonl .parquet), folders, "
                                                    "or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, jsonl, csv or parquet.")] = "table",
    level: Annotated[str, typer.Option("--level", "-l", help="sentence or article.")] = "sentence",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically).")] = None,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    n_boot: Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples for article intervals.")] = 200,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes for large inputs.")] = 2,
    furniture: FurnitureOpt = None, allow_empty: AllowEmpty = False,
    csv_raw: Annotated[bool, typer.Option("--csv-raw", help="CSV: write cells starting with = + - @ as they are "
                                                          "(by default they get a ' so spreadsheets do not run them "
                                                          "as formulas).")] = False,
    max_stdin_mb: Annotated[float, typer.Option("--max-stdin-mb", min=0.001, help="Read at most this much from "
                                                "standard input (or a pipe named as an input).")] = 100,
    duplicate_ids: DupIds = "apart", model: ModelOpt = None,
):
    """Score every sentence of every article: stance, frame, probabilities, uncertainty; or article profiles."""
    from stanceframe.output import FORMATS, RecordWriter, refuse_inputs_as_output, write_failure

    if fmt not in FORMATS:
        _fail(BadInput(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}"))
    if level not in ("sentence", "article"):
        _fail(BadInput(f"unknown level {level!r}; accepted: sentence, article"))
    failures: list = []
    n_docs = n_empty = 0
    table_rows: list = []
    writer = None
    try:
        refuse_inputs_as_output(output, inputs)
        _check_duplicates_option(duplicate_ids)
        from stanceframe.readers import DuplicateIds

        duplicates = DuplicateIds(refuse=duplicate_ids == "refuse", shown=MAX_DUPLICATES_SHOWN)
        if fmt != "table":
            writer = RecordWriter(fmt, output, SENTENCE_FIELDS if level == "sentence" else ARTICLE_FIELDS,
                                  csv_raw=csv_raw)
        progress = _progress()
        task, shown = None, 0.0
        if progress:
            progress.start()
            task = progress.add_task("scoring", total=None, docs=0)
        from stanceframe.lifeline import capped_jobs

        jobs = capped_jobs(jobs, "--jobs", _say)
        # sentence rows written to a file need no article shares: skip counting them
        boot = 0 if level == "sentence" and fmt != "table" else n_boot
        for doc, sentences, article in _scored(inputs, _columns(text_column, id_column, source_column), _load(model),
                                               boot, failures, jobs=jobs, records=level == "sentence",
                                               furniture=furniture, stdin_limit_mb=max_stdin_mb):
            n_docs += 1
            n_empty += article["n_sentences"] == 0
            if (said := duplicates.check(doc)):
                _say(f"warning: {said}")
            records = sentences if level == "sentence" else [article]
            if writer:
                for r in records:
                    writer.write(r)
            else:
                table_rows.append((doc, records, article))
            if progress:
                progress.update(task, advance=article["n_sentences"], docs=n_docs)
                if time.monotonic() - shown > 0.1:
                    progress.refresh()
                    shown = time.monotonic()
        if progress:
            progress.stop()
        if duplicates.summary():
            _say(f"warning: {duplicates.summary()}")
        if writer and n_docs == 0:
            writer.abort()  # nothing scored: an existing output file keeps its content
        elif writer:
            writer.close()
            if output:
                _say(f"wrote {writer.count} {level} records to {output}")
        elif n_docs:
            _print_score_table(table_rows, level, output)
    except StanceframeError as exc:
        if writer:
            writer.abort()
        _fail(exc)
    except OSError as exc:  # disk full, read-only place, standard output closed
        if writer:
            writer.abort()
        _fail(write_failure(exc, output))
    except KeyboardInterrupt:
        if writer:
            writer.abort()
        _say("interrupted; no output file was written")
        raise typer.Exit(130) from None
    except BaseException:
        if writer:
            writer.abort()
        raise
    _finish(failures, n_docs)
    _finish_empty(n_empty, allow_empty)


def _finish(failures, n_ok: int) -> None:
    if failures:
        _say(f"{len(failures)} input(s) could not be scored:")
        for f in failures:
            _say(f"  {f.origin}: {' '.join(f.message.split())}")  # one line each, whatever a library said
        raise typer.Exit(1 if n_ok else 2)


def _finish_empty(n_empty: int, allow_empty: bool) -> None:
    """Exit 1 when documents gave no article sentence (each was warned about), unless allowed."""
    if n_empty and not allow_empty:
        _say(f"{n_empty} document(s) gave no article sentences (see `predict.py segment` for what each line "
             "became); pass --allow-empty to accept that")
        raise typer.Exit(1)


def _print_score_table(rows, level: str, output: Path | None) -> None:
    """Print the tables, or write them to `output` atomically."""
    import io

    if output is None:
        _render_score_table(_console(), rows, level)
        return
    from stanceframe.output import output_folder

    output_folder(output)
    buffer = io.StringIO()
    _render_score_table(_console(buffer), rows, level)
    from stanceframe.artifact import write_atomic

    write_atomic(output, buffer.getvalue())
    _say(f"wrote the table to {output}")


def _render_score_table(console, rows, level: str) -> None:
    from rich.table import Table

    if level == "article":
        table = Table(title="Articles", title_justify="left")
        for h in ("doc", "sentences", "stance-bearing", "uncertain", "pro_ukraine", "russia_acc.", "balancing",
                  "none", "lean [95% CI]", "top frames"):
            table.add_column(h)
        for doc, _, a in rows:
            table.add_row(doc.id, str(a["n_sentences"]), str(a["n_stance_bearing"]), str(a["n_uncertain"]),
                          *(_pct(a, s) for s in ("pro_ukraine", "russia_accommodating", "balancing", "none")),
                          _lean(a), a["top_frames"])
        console.print(table)
        console.print(f"  {sum(a['n_dropped_lines'] for _, _, a in rows)} lines dropped as page furniture "
                      "(n_dropped_lines per article in --format csv/json; predict.py segment lists them)")
        return
    for doc, records, a in rows:
        table = Table(title=f"{doc.id}", title_justify="left", show_lines=False)
        for h in ("#", "stance", "p", "frame", "p", "flag"):
            table.add_column(h, no_wrap=True)
        table.add_column("sentence", overflow="fold", ratio=1)
        for r in records:
            if r["index"] is None:
                table.add_row("-", "", "", "", "", "no sentences", "")
                continue
            table.add_row(str(r["index"]), r["stance"], f"{r['p_' + r['stance']]:.2f}", r["frame"],
                          f"{r['p_frame']:.2f}", r["uncertain_reason"], r["text"])
        console.print(table)
        console.print(f"  {a['n_sentences']} sentences, {a['n_stance_bearing']} stance-bearing, "
                      f"{a['n_uncertain']} uncertain; lean {_lean(a)} ({a['quantifier']}); "
                      f"pro_ukraine {_pct(a, 'pro_ukraine')}, russia_accommodating "
                      f"{_pct(a, 'russia_accommodating')}, balancing {_pct(a, 'balancing')}, none {_pct(a, 'none')}; "
                      f"frames: {a['top_frames'] or '-'}\n"
                      f"  {a['n_dropped_lines']} lines dropped as page furniture (predict.py segment lists them)\n")


def _console(file=None, fit=None):
    """A console for tables: the terminal's width, or a wide page when piped or written to a file,
    widened until table `fit` renders whole (rich crops a table whose columns cannot shrink enough)."""
    from stanceframe.output import plain_console as Console

    width = 160 if fit is None else _uncropped_width(fit, 160)
    if file is not None:
        return Console(file=file, width=width)
    return Console() if sys.stdout.isatty() else Console(width=width)


def _uncropped_width(table, start: int) -> int:
    """The narrowest width from `start` up at which every row of `table` keeps its right border."""
    import io

    from rich.measure import Measurement

    from stanceframe.output import plain_console as Console

    probe = Console(width=10_000)
    widest = max(start, Measurement.get(probe, probe.options, table).maximum)
    for width in [*range(start, widest, 10), widest]:
        buffer = io.StringIO()
        Console(file=buffer, width=width).print(table)
        rows = [ln.rstrip() for ln in buffer.getvalue().splitlines() if ln[:1] in "┏┃┡│└"]
        if all(r[-1:] in "┓┃┩│┘" for r in rows):
            return width
    return widest


def _pct(a: dict, s: str) -> str:
    v = a.get(f"share_{s}")
    return "-" if v is None else f"{v:.0%} [{a[f'share_{s}_lo']:.0%}-{a[f'share_{s}_hi']:.0%}]"


def _lean(a: dict) -> str:
    if a.get("lean") is None:
        return "-"
    from stanceframe.output import signed

    return f"{signed(a['lean'])} [{signed(a['lean_lo'])}, {signed(a['lean_hi'])}]"


@app.command()
def segment(
    inputs: Annotated[list[str], typer.Argument(help="Files (.txt .md .html .htm .csv .jsonl .parquet), folders, "
                                                    "or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, jsonl or csv.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically).")] = None,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, allow_empty: AllowEmpty = False,
):
    """Show what becomes of every line: kept (headline, heading or body) or dropped, and by which rule."""
    from stanceframe.segment import line_records

    if fmt not in ("table", "json", "jsonl", "csv"):
        _fail(BadInput(f"unknown format {fmt!r}; accepted: table, json, jsonl, csv"))
    failures: list = []
    docs = _documents(inputs, _columns(text_column, id_column, source_column), failures, furniture=furniture)
    n_docs, n_empty = _write_lines(((d, line_records(d.text, d.id, d.furniture, d.headline_end)) for d in docs),
                                   fmt, output)
    _finish(failures, n_docs)
    _finish_empty(n_empty, allow_empty)


def _write_lines(items, fmt: str, output: Path | None) -> tuple[int, int]:
    """Write (document, line records) pairs as a table or records; (documents, documents with no kept line)."""
    import io
    from collections import Counter

    from rich.table import Table

    from stanceframe.output import RecordWriter
    from stanceframe.segment import LINE_FIELDS

    writer = RecordWriter(fmt, output, LINE_FIELDS) if fmt != "table" else None
    buffer = io.StringIO() if output and not writer else None
    console = _console(buffer)
    n_docs = n_empty = 0
    try:
        for doc, records in items:
            n_docs += 1
            kept = [r for r in records if r["status"] == "kept"]
            if not kept:
                n_empty += 1
                _say(f"warning: {doc.origin}: no article sentences found (empty, or only page furniture)")
            if writer:
                for r in records:
                    writer.write(r)
                continue
            table = Table(title=doc.id, title_justify="left")
            for h in ("line", "status", "kind / rule", "sentences"):
                table.add_column(h, no_wrap=True)
            table.add_column("text", overflow="fold", ratio=1)
            for r in records:
                table.add_row(str(r["line"]), r["status"], r["kind"] or r["rule"], str(r["n_sentences"] or ""),
                              r["text"])
            console.print(table)
            kinds = Counter(r["kind"] for r in kept)
            rules = Counter(r["rule"] for r in records if r["status"] == "dropped")
            console.print(f"  {len(kept)} lines kept ({', '.join(f'{n} {k}' for k, n in kinds.items()) or 'none'}; "
                          f"{sum(r['n_sentences'] for r in kept)} sentences), {sum(rules.values())} dropped"
                          + (f" ({', '.join(f'{n} {k}' for k, n in rules.most_common())})" if rules else "") + "\n")
    except BaseException:
        if writer:
            writer.abort()
        raise
    if writer and n_docs == 0:
        writer.abort()
    elif writer:
        writer.close()
    elif buffer is not None and n_docs:
        from stanceframe.artifact import write_atomic
        from stanceframe.output import output_folder

        output_folder(output)
        write_atomic(output, buffer.getvalue())
    if output and n_docs:
        _say(f"wrote the lines of {n_docs} document(s) to {output}")
    return n_docs, n_empty


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="A sentence or short text (or - to read standard input).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    top: Annotated[int, typer.Option("--top", min=1, help="How many features each way.")] = 8,
    model: ModelOpt = None,
):
    """Show the predicted stance and frame and the n-grams that pushed toward and away from them."""
    import json

    from stanceframe.explain import explain as explain_text

    if fmt not in ("table", "json"):
        _fail(BadInput(f"unknown format {fmt!r}; accepted: table, json"))
    if text == "-":  # bytes, decoded as files are: invalid UTF-8 must not crash a strict stdin
        from stanceframe import readers

        data = readers._read_bounded(sys.stdin.buffer, readers.STDIN_LIMIT_MB << 20)
        decoded = readers._decode(data) if data is not None else None
        if decoded is None:
            _fail(BadInput(f"more than {readers.STDIN_LIMIT_MB} MB, or not text", where="<stdin>"))
        text = decoded[0]
    else:  # an argument with bytes that are not UTF-8 holds lone surrogates: show them as U+FFFD
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if not text.strip():
        _fail(BadInput("the text to explain is empty"))
    try:
        result = explain_text(_load(model), text, top=top)
    except StanceframeError as exc:
        _fail(exc)
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    from rich.table import Table
    from rich.text import Text

    console = _console()
    for target in ("stance", "frame"):
        r = result[target]
        others = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["probabilities"].items(), key=lambda kv: -kv[1])[:4])
        console.print(Text.assemble((f"{target}: {r['label']}", "bold"), f" (p={r['probability']:.2f}; {others})"))
        table = Table(show_header=True)
        for h in ("toward " + r["label"], "kind", "weight", "away from it", "kind", "weight"):
            table.add_column(h)
        for i in range(max(len(r["toward"]), len(r["away"]))):
            t = r["toward"][i] if i < len(r["toward"]) else None
            a = r["away"][i] if i < len(r["away"]) else None
            table.add_row(*(t and (t["feature"], t["kind"], f"{t['contribution']:+.3f}") or ("", "", "")),
                          *(a and (a["feature"], a["kind"], f"{a['contribution']:+.3f}") or ("", "", "")))
        console.print(table)


def _gold_frame(by: str):
    """The gold labels as summary rows: one article per seed, one-hot stance probabilities."""
    import pandas as pd

    from stanceframe.labels import STANCES
    from stanceframe.training import load_training_data

    df, sources, _ = load_training_data(written_patterns=())  # the seed outlets' labels; the written corpus has no outlets
    df = df.rename(columns={"group": "source"})
    meta = pd.DataFrame([{"source_id": s.source, "outlet": s.outlet, "kind": s.kind, "author": s.author,
                          "published": s.published} for s in sources.values()])
    df = df.merge(meta, left_on="source", right_on="source_id", how="left")
    df["doc_id"] = df["source"]
    df["source"] = [f"{s} {o}".strip() for s, o in zip(df["source_id"], df["outlet"])]
    for s in STANCES:
        df[f"p_{s}"] = (df["stance"] == s).astype(float)
    df["uncertain"] = False
    if by not in df.columns:
        raise BadInput(f"unknown --by column {by!r}; accepted for the gold labels: source, outlet, kind, author, "
                       "published")
    if by != "source":  # a seed the page does not name a value for stays a group of its own, not a blank one
        df[by] = [v or f"{sid} (no {by})" for v, sid in zip(df[by], df["source_id"])]
    return df, None


def _corpus_frame(inputs, columns, model, label: str | None = None, furniture: bool | None = None,
                  duplicates: str = "apart"):
    """Model predictions for a corpus as summary rows, and the model's share estimator.

    Only sentence rows are used (the summary resamples them itself), so articles get no shares.

    With `label`, every row's source is that label (one corpus compared as a whole). Two documents
    with one id are reported and kept apart (`duplicates` "apart") or refused ("refuse").
    """
    import pandas as pd

    from stanceframe.labels import STANCES
    from stanceframe.quantify import ShareEstimator

    failures: list = []
    rows = []
    first_at: dict[str, str] = {}
    n_dup = 0
    for doc, records, article in _scored(inputs, columns, model, 0, failures, jobs=2, furniture=furniture):
        key = doc.id
        if key in first_at:
            if duplicates == "refuse":
                raise BadInput(f"{doc.origin}: id {doc.id!r} is also the id of {first_at[key]}; ids must be unique "
                               "(--duplicate-ids apart keeps such documents as separate articles)")
            n_dup += 1
            if n_dup <= MAX_DUPLICATES_SHOWN:
                _say(f"warning: {doc.origin}: id {doc.id!r} is also the id of {first_at[key]}; kept as a separate "
                     "article (--duplicate-ids refuse to stop instead)")
            key = f"{doc.id}\x00{doc.origin}"  # an article of its own in the summaries
        else:
            first_at[key] = doc.origin
        if article["n_sentences"] == 0:
            continue
        for r in records:
            rows.append({"doc_id": key, "source": doc.source, "title": doc.title, "date": doc.date,
                         "text": r["text"], "frame": r["frame"], "uncertain": r["uncertain"],
                         **{f"p_{st}": r[f"p_{st}"] for st in STANCES}})
    if n_dup > MAX_DUPLICATES_SHOWN:
        _say(f"warning: ... and {n_dup - MAX_DUPLICATES_SHOWN} more documents whose id an earlier one has")
    for f in failures:
        _say(f"warning: {f.origin}: {f.message}")
    if not rows:
        raise BadInput("nothing could be scored in " + ", ".join(inputs))
    df = pd.DataFrame(rows)
    if label is not None:
        df["source"] = label
    missing = int((df["source"] == "").sum())
    if missing:
        raise BadInput(f"{missing} sentences have no source: name the outlet column with --source-column, or put "
                       "each outlet's files in a folder of its own")
    return df, ShareEstimator(model.quantifier, STANCES)


def _check_duplicates_option(value: str) -> None:
    if value not in ("apart", "refuse"):
        raise BadInput(f"unknown --duplicate-ids {value!r}; accepted: apart, refuse")


@app.command()
def sources(
    corpus: Annotated[Optional[list[str]], typer.Argument(help="Corpus inputs (as for score). Default: the gold "
                                                               "labels of the seed outlets.")] = None,
    by: Annotated[str, typer.Option("--by", help="Group by this column (gold: source, outlet, kind, author, "
                                                 "published; corpus: source, title, date).")] = "source",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (atomically).")] = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", help="Also draw the charts to this .png or .svg.")] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples.")] = 1000,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, duplicate_ids: DupIds = "apart",
    csv_raw: Annotated[bool, typer.Option("--csv-raw", help="CSV: write cells starting with = + - @ as they "
                                                          "are (by default prefixed with ').")] = False,
    model: ModelOpt = None,
):
    """Per-source stance shares and lean with 95% intervals, frames, and the words that set each apart."""
    import json

    from stanceframe import summary as S
    from stanceframe.output import csv_safe, refuse_inputs_as_output, write_failure

    if fmt not in ("table", "json", "csv"):
        _fail(BadInput(f"unknown format {fmt!r}; accepted: table, json, csv"))
    try:
        refuse_inputs_as_output(output, corpus or [])
        refuse_inputs_as_output(chart, corpus or [], "--chart")
        if corpus:
            _check_duplicates_option(duplicate_ids)
            df, estimator = _corpus_frame(corpus, _columns(text_column, id_column, source_column), _load(model),
                                          furniture=furniture, duplicates=duplicate_ids)
        else:
            df, estimator = _gold_frame(by)
        result = S.source_summaries(df, by=by, n_boot=n_boot, estimator=estimator)
        single = [w for w in result.warnings if "one article only" in w]
        if len(single) > 1:  # the seeds are one article each: say it once
            _say(f"warning: {len(single)} sources have one article only, so their intervals resample sentences "
                 "and understate how much another article could differ")
        for w in result.warnings:
            if len(single) <= 1 or w not in single:
                _say(f"warning: {w}")
        if chart:
            S.write_chart(result, chart)
            _say(f"wrote chart to {chart}")
        if fmt == "json":
            _emit(json.dumps(result.to_records(), indent=2, ensure_ascii=False) + "\n", output)
        elif fmt == "csv":
            frame = S.summaries_to_frame(result).round(4)
            if not csv_raw:
                frame = frame.map(csv_safe)
            _emit(frame.to_csv(index=False), output)
        else:
            table = S.format_table(result)
            _console(fit=table).print(table)
            what = "model predictions" if corpus else "gold labels"
            _say(f"({what}; shares and lean with 95% bootstrap intervals; sorted by lean)")
    except StanceframeError as exc:
        _fail(exc)
    except OSError as exc:  # disk full or read-only place for --output or --chart
        _fail(write_failure(exc, " or ".join(str(p) for p in (output, chart) if p)))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from stanceframe.artifact import write_atomic
    from stanceframe.output import output_folder

    output_folder(output)
    write_atomic(output, text)
    _say(f"wrote {output}")


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="A source of the gold labels (e.g. 000) or a corpus path.")],
    b: Annotated[str, typer.Argument(help="Another source or corpus path.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    n_boot: Annotated[int, typer.Option("--n-boot", min=1, help="Bootstrap resamples.")] = 1000,
    text_column: TextCol = "text", id_column: IdCol = "id", source_column: SourceCol = "source",
    furniture: FurnitureOpt = None, duplicate_ids: DupIds = "apart",
    model: ModelOpt = None,
):
    """Differences in stance shares and lean between two sources or corpora (A minus B), and their words."""
    import json

    from stanceframe import summary as S

    if fmt not in ("table", "json"):
        _fail(BadInput(f"unknown format {fmt!r}; accepted: table, json"))
    try:
        if Path(a).exists() or Path(b).exists():
            for name in (a, b):
                if not Path(name).exists():
                    raise BadInput(f"{name}: no such file or folder (comparing two corpora)")
            if Path(a).resolve() == Path(b).resolve():
                raise BadInput(f"{a} and {b} are the same corpus; compare needs two different ones")
            cols = _columns(text_column, id_column, source_column)
            loaded = _load(model)
            _check_duplicates_option(duplicate_ids)
            da, estimator = _corpus_frame([a], cols, loaded, label=a, furniture=furniture, duplicates=duplicate_ids)
            db, _ = _corpus_frame([b], cols, loaded, label=b, furniture=furniture, duplicates=duplicate_ids)
            names = (a, b)
        else:
            gold, estimator = _gold_frame("source")
            picks = []
            for name in (a, b):
                hit = gold[(gold["source_id"] == name) | (gold["outlet"].str.lower() == name.lower())]
                if hit.empty:
                    raise BadInput(f"{name!r} is neither a corpus path nor a source of the gold labels; sources: "
                                   + ", ".join(sorted(gold["source"].unique())))
                picks.append(hit)
            da, db = picks
            names = (da["source"].iloc[0], db["source"].iloc[0])  # the names `sources` uses, so intervals match
            if names[0] == names[1]:
                raise BadInput(f"{a!r} and {b!r} are both {names[0]!r}; compare needs two different sources")
        result = S.compare_groups(da, db, *names, n_boot=n_boot, estimator=estimator)
    except StanceframeError as exc:
        _fail(exc)
    for w in result.get("warnings", []):
        _say(f"warning: {w}")
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    _print_compare(result, *names)


def _print_compare(r: dict, a: str, b: str) -> None:
    from rich.table import Table

    from stanceframe.output import signed

    console = _console()
    table = Table(title=f"{a} vs {b}: stance shares and lean (95% bootstrap intervals)", title_justify="left")
    for h in ("", a, b, f"{a} - {b}"):
        table.add_column(h)

    def cell(d):
        return f"{signed(d['share'] if 'share' in d else d['value'])} [{signed(d['lo'])}, {signed(d['hi'])}]"

    for s, d in r["diff_a_minus_b"]["stance_shares"].items():
        table.add_row(s, cell(r["a"]["stance_shares"][s]), cell(r["b"]["stance_shares"][s]), cell(d))
    table.add_row("lean", cell(r["a"]["lean"]), cell(r["b"]["lean"]), cell(r["diff_a_minus_b"]["lean"]))
    table.add_row("sentences", str(r["a"]["n_sentences"]), str(r["b"]["n_sentences"]), "")
    console.print(table)
    for side in ("a", "b"):
        terms = ", ".join(f"{t} ({z:+.1f})" for t, z, _ in r[side]["distinctive_terms"][:10])
        console.print(f"words typical of {r[side]['label']}: {terms or '-'}")


if __name__ == "__main__":
    from stanceframe.output import run_cli

    run_cli(app)
