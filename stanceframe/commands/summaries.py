"""`explain` (one text's decision and its features), `sources` (per-source summaries) and `compare`
(two sources or corpora, A minus B)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from .. import render, rows
from ..errors import BadInput, StanceframeError
from . import emit, load, say


def _table_text(draw, output: Path | None) -> None:
    """`draw(console)` on the terminal, or into `output` atomically."""
    if output is None:
        draw(render.console())
        return
    buffer = io.StringIO()
    draw(render.console(buffer))
    emit(buffer.getvalue(), output)


def explain(text: str, fmt="table", top=8, output: Path | None = None, model=None) -> int:
    """The predicted stance and frame of `text` (- reads standard input) and the features behind them."""
    from ..explain import explain as explain_text

    if fmt not in ("table", "json"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json")
    if text == "-":  # bytes, decoded as files are: invalid UTF-8 must not crash a strict stdin
        from .. import readers

        data = readers._read_bounded(sys.stdin.buffer, readers.STDIN_LIMIT_MB << 20)
        decoded = readers._decode(data) if data is not None else None
        if decoded is None:
            raise BadInput(f"more than {readers.STDIN_LIMIT_MB} MB, or not text", where="<stdin>")
        text = decoded[0]
    else:  # an argument with bytes that are not UTF-8 holds lone surrogates: show them as U+FFFD
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if not text.strip():
        raise BadInput("the text to explain is empty")
    result = explain_text(load(model), text, top=top)
    if fmt == "json":
        emit(json.dumps(result, indent=2, ensure_ascii=False) + "\n", output)
    else:
        _table_text(lambda out: render.explain_tables(out, result), output)
    return 0


NO_LABELS_NOTE = ("note: these intervals ignore the model's own errors; give --labels FILE (a random labelled "
                  "sample of this corpus) for intervals that include them")
SCORED_NO_LABELS_NOTE = ("note: these intervals ignore the model's own errors; --labels, for intervals that "
                         "include them, needs the corpus itself: run this on the files that were scored")


def _sample(labels: Path, loaded):
    """The random labelled sample of `--labels`, refused if the model was trained on it or on any of
    its sentences."""
    from ..heldout import seen_in_training, trained_on
    from ..ppi import read_sample

    try:
        if trained_on(loaded, labels):
            raise BadInput(f"{labels}: the model was trained on these labels; the intervals need labels it has not "
                           "seen (label a random sample of the corpus, or train a model without this file)")
    except OSError as exc:
        raise BadInput(f"{labels}: cannot be read ({exc.strerror or exc})") from None
    sample = read_sample(labels)
    if (n_seen := seen_in_training(loaded, [r["text"] for r in sample.checked])):
        raise BadInput(f"{labels}: the model was trained on {n_seen} of its sentences; the intervals need labels it "
                       "has not seen (keep the random sample out of the training labels)")
    return sample


def _labelled(sample, df, by: str, estimator, others: bool = False) -> dict:
    """Per group, PPI and labels-only estimates from `sample` matched to the scored rows `df`;
    `others`: rows of documents outside `df` are left out (see ppi.match)."""
    from .. import summary as S
    from ..ppi import MIN_LABELLED, match

    positions, gold = match(sample, df["doc_id"].to_numpy(), df["start"].to_numpy(), df["end"].to_numpy(),
                            df["text"].to_numpy(), df[by].to_numpy(), others=others)
    for note in sample.notes():
        say(note)
    result = S.labelled_estimates(df, positions, gold, by, estimator)
    for label, rec in result.items():
        if rec["lean"] is None:
            say(f"warning: {label}: {rec['n_labelled']} labelled sentence(s); PPI needs at least {MIN_LABELLED}, "
                "so it has none")
        elif rec["n_labelled"] < 30:
            say(f"warning: {label}: only {rec['n_labelled']} labelled sentences; with so few, the intervals of rare "
                "stances are often too narrow (bench/ppi_coverage.py: 0.80 coverage at 6-15 labels)")
    return result


def sources(corpus=None, by="source", fmt="table", output: Path | None = None, chart: Path | None = None,
            n_boot=1000, columns=None, furniture=None, duplicate_ids="apart", csv_raw=False, jobs=2,
            over=None, model=None, labels: Path | None = None, sources_csv=None) -> int:
    """Per-source shares, lean, frames and words of a corpus (model predictions), of its scored
    output or of the gold labels; with `labels` (a random labelled sample of the corpus) also their
    PPI estimates."""
    from .. import summary as S
    from ..artifact import model_id
    from ..output import csv_safe, refuse_inputs_as_output, write_failure

    if fmt not in ("table", "json", "csv"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json, csv")
    try:
        inputs = [*(corpus or []), *([str(labels)] if labels else []), *([str(sources_csv)] if sources_csv else [])]
        refuse_inputs_as_output(output, inputs)
        refuse_inputs_as_output(chart, inputs, "--chart")
        if labels and not corpus:
            raise BadInput("--labels needs a corpus: the labels point into its sentences")
        if labels and over:
            raise BadInput("--labels gives per-group figures; it does not work with --over")
        cols = columns or rows.columns()
        if over:
            S.check_over(over)
        files = rows.scored_input(corpus, say) if corpus else None
        if labels and files:
            raise BadInput("--labels needs the corpus itself, not its scored output: give the files that were scored")
        sample = None
        if corpus:
            rows.check_duplicates_option(duplicate_ids)
            loaded = load(model)
            sample = _sample(labels, loaded) if labels else None
            what = "model predictions"
            basis = (f"{what} ({loaded.model_dir.name}/, scoring.json "
                     f"{model_id(loaded)}, shares by {loaded.quantifier.method})")
        if sources_csv and (files or not corpus):
            raise BadInput("--sources gives the outlet and date of each file of a corpus folder to score; "
                           "scored output and the gold labels carry their own")
        if files:  # scored output: summed up a batch at a time, never rescored
            grouped, estimator, missing = rows.scored_groups([(files, None)], loaded, say, by, over, cols.date)
            basis += ", read from scored output"
            result = S.grouped_summaries(grouped, "_group_period" if over else by, n_boot, estimator=estimator)
            if over:
                result = S.in_periods(result, by, over, cols.date, *missing)
        else:
            if corpus:
                df, estimator = rows.corpus_rows(corpus, cols, loaded, say, furniture=furniture,
                                                 duplicates=duplicate_ids, jobs=jobs, sources=sources_csv)
            else:
                df, estimator = rows.gold_rows(by)
                what = "gold labels"
                basis = f"{what} (hand-labelled seed sentences)"
            if over:  # corpus rows carry each article's date; the seeds' is their sources.csv `published`
                result = S.over_time(df, over, "date" if corpus else "published", by=by, n_boot=n_boot,
                                     estimator=estimator)
            else:
                result = S.source_summaries(df, by=by, n_boot=n_boot, estimator=estimator)
        single = [w for w in result.warnings if "one article only" in w]
        if len(single) > 1:  # the seeds are one article each: say it once
            say(f"warning: {len(single)} sources have one article only, so their intervals resample sentences "
                "and understate how much another article could differ")
        for w in result.warnings:
            if len(single) <= 1 or w not in single:
                say(f"warning: {w}")
        labelled = _labelled(sample, df, by, estimator) if sample else {}
        if chart:
            from ..chart import write_chart, write_time_chart

            (write_time_chart if over else write_chart)(result, chart, what=what)
            say(f"wrote chart to {chart}")
        if fmt == "json":
            records = [{**r, "basis": basis} | ({"labelled": labelled[r["source"]]} if labelled else {})
                       for r in result.to_records()]
            emit(json.dumps(records, indent=2, ensure_ascii=False) + "\n", output)
        elif fmt == "csv":
            frame = S.summaries_to_frame(result)
            if labelled:
                import pandas as pd

                extra = pd.DataFrame([S.labelled_columns(labelled[s.source]) for s in result.sources])
                frame = pd.concat([frame, extra], axis=1)
            frame = frame.round(4).assign(basis=basis)
            emit((frame if csv_raw else frame.map(csv_safe)).to_csv(index=False), output)
        else:
            def draw(out):
                out.print(render.sources_table(result, out.width))
                if labelled:
                    out.print(_labelled_table(result, labelled, out.width))

            if output is None:  # piped: widened until the table renders whole
                table = render.sources_table(result, render.console().width)
                render.console(fit=table).print(table)
                if labelled:
                    table = _labelled_table(result, labelled, render.console().width)
                    render.console(fit=table).print(table)
            else:
                _table_text(draw, output)
            say(f"({'model predictions' if corpus else 'gold labels'}; shares and lean with 95% bootstrap "
                f"intervals; sorted by {'group, then time' if over else 'lean'})")
        if corpus and not labels:
            say(SCORED_NO_LABELS_NOTE if files else NO_LABELS_NOTE)
    except StanceframeError:
        raise
    except OSError as exc:  # disk full or read-only place for --output or --chart
        raise write_failure(exc, " or ".join(str(p) for p in (output, chart) if p)) from None
    return 0


def compare(a: str, b: str, fmt="table", output: Path | None = None, n_boot=1000, columns=None, furniture=None,
            duplicate_ids="apart", jobs=2, model=None, labels: Path | None = None) -> int:
    """Stance shares and lean of A and B and their difference (A minus B), and each side's words; with
    `labels` (a random labelled sample of both corpora) also their PPI estimates."""
    from .. import summary as S
    from ..output import refuse_inputs_as_output

    if fmt not in ("table", "json"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json")
    refuse_inputs_as_output(output, [a, b, *([str(labels)] if labels else [])])
    if Path(a).exists() != Path(b).exists():  # neither: two sources of the gold labels
        raise BadInput(f"{b if Path(a).exists() else a}: no such file or folder (comparing two corpora)")
    sides = [rows.scored_input([x], say) if Path(x).exists() else None for x in (a, b)]
    if any(sides) and not all(sides):
        scored_side, other = (a, b) if sides[0] else (b, a)
        raise BadInput(f"{scored_side} is scored output but {other} is not; compare two of the same kind")
    sample = None
    if labels:
        if not (Path(a).exists() and Path(b).exists()):
            raise BadInput("--labels needs two corpus paths: the labels point into their sentences")
        if all(sides):
            raise BadInput("--labels needs the corpora themselves, not their scored output: give the files that "
                           "were scored")
        loaded = load(model)
        sample = _sample(labels, loaded)
    if all(sides):
        if Path(a).resolve() == Path(b).resolve():
            raise BadInput(f"{a} and {b} are the same corpus; compare needs two different ones")
        grouped, estimator, _ = rows.scored_groups([(sides[0], a), (sides[1], b)], load(model), say)
        result = S.grouped_compare(grouped, a, b, n_boot=n_boot, estimator=estimator)
        name_a, name_b = a, b
    else:
        da, db, name_a, name_b, estimator = rows.compare_rows(a, b, columns or rows.columns(),
                                                              (lambda: loaded) if labels else (lambda: load(model)),
                                                              say, furniture=furniture, duplicates=duplicate_ids,
                                                              jobs=jobs)
        result = S.compare_groups(da, db, name_a, name_b, n_boot=n_boot, estimator=estimator)
    for w in result.get("warnings", []):
        say(f"warning: {w}")
    if sample:
        result["labelled"] = _labelled_sides(sample, da, db, name_a, name_b, estimator)
    elif Path(a).exists():
        say(SCORED_NO_LABELS_NOTE if all(sides) else NO_LABELS_NOTE)
    if fmt == "json":
        emit(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", output)
    else:
        def draw(out):
            render.compare_table(out, result, name_a, name_b)
            if sample:
                lab = result["labelled"]
                sides = [(name_a, result["a"], lab["a"]), (name_b, result["b"], lab["b"]),
                         (f"{name_a} - {name_b}", result["diff_a_minus_b"], lab["diff_a_minus_b"])]
                out.print(render.labelled_table("side", sides, out.width))

        _table_text(draw, output)
    return 0


def _labelled_sides(sample, da, db, name_a: str, name_b: str, estimator) -> dict:
    """PPI for each side of `compare` and for A minus B (the sides' samples are independent)."""
    import pandas as pd

    from ..ppi import difference

    both = pd.concat([da.assign(source=name_a), db.assign(source=name_b)], ignore_index=True)
    rec = _labelled(sample, both, "source", estimator, others=True)  # a sample of the whole corpus is fine
    return {"a": rec[name_a], "b": rec[name_b], "diff_a_minus_b": difference(rec[name_a], rec[name_b])}


def _labelled_table(result, labelled: dict, width: int):
    return render.labelled_table(result.by, [(s.source, {"stance_shares": s.stance_shares, "lean": s.lean},
                                              labelled[s.source]) for s in result.sources], width)


def test(labels: Path, fmt="table", output: Path | None = None, n_boot=1000, model=None) -> int:
    """The model's figures on a labelled file it was not trained on, beside the majority baseline."""
    from ..heldout import read_labels, seen_in_training, trained_on
    from ..heldout import test as test_labels
    from ..output import refuse_inputs_as_output

    if fmt not in ("table", "json"):
        raise BadInput(f"unknown format {fmt!r}; accepted: table, json")
    refuse_inputs_as_output(output, [str(labels)])
    try:
        loaded = load(model)
        rows_ = read_labels(labels, say)
        if trained_on(loaded, labels):
            say(f"warning: {labels} is one of the files this model was trained on: these figures are not held out "
                "(model/MODEL_CARD.md has the held-out ones)")
        elif (n_seen := seen_in_training(loaded, [r["text"] for r in rows_])):
            say(f"warning: the model was trained on {n_seen} of the {len(rows_)} sentences of {labels}: these figures "
                "are not wholly held out")
        result = test_labels(loaded, rows_, n_boot=n_boot)
    except OSError as exc:
        raise BadInput(f"{labels}: cannot be read ({exc.strerror or exc})") from None
    if fmt == "json":
        emit(json.dumps(result, indent=2, ensure_ascii=False) + "\n", output)
    else:
        _table_text(lambda out: render.test_tables(out, result), output)
    return 0
