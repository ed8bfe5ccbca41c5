"""The rows the commands work on: readable documents, scored documents, the gold labels and a scored
corpus as summary rows, and the two sides of a comparison.

Warnings and notes go to `say` (a function of one line); unreadable inputs are collected in
`failures` (readers.InputFailure) so that the caller decides the exit code.
"""

from __future__ import annotations

from pathlib import Path

from .errors import BadInput
from .labels import STANCES

MAX_DUPLICATES_SHOWN = 20
GOLD_BY = ("source", "outlet", "kind", "author", "published")


def columns(text: str = "text", id: str = "id", source: str = "source", date: str = "date"):
    from .readers import Columns

    return Columns(text=text, id=id, source=source, date=date)


def documents(inputs, cols, failures: list, say, stdin=None, furniture: bool | None = None,
              stdin_limit_mb: float | None = None):
    """Yield every readable document of `inputs`; collect failures, say warnings and notes."""
    from .readers import STDIN_LIMIT_MB, InputFailure, InputWarning, iter_documents

    for item in iter_documents(list(inputs), cols, stdin=stdin, furniture=furniture,
                               stdin_limit_mb=stdin_limit_mb or STDIN_LIMIT_MB):
        if isinstance(item, InputFailure):
            failures.append(item)
        elif isinstance(item, InputWarning):
            say(f"warning: {item.origin}: {item.message}")
        else:
            if item.encoding not in ("utf-8", "ascii"):
                say(f"note: {item.origin}: decoded as {item.encoding}")
            if item.replaced:
                say(f"note: {item.origin}: {item.replaced} byte(s) that are not valid UTF-8 were replaced "
                    "by U+FFFD; the rest decoded as UTF-8")
            yield item


def scored(inputs, cols, model, n_boot: int, failures: list, say, stdin=None, jobs: int = 1, records: bool = True,
           furniture: bool | None = None, stdin_limit_mb: float | None = None):
    """Yield (document, sentence records, article profile) for every readable input; collect failures.

    `model` is a loaded model (project.load_model)."""
    from .readers import large_input
    from .scoring import Scorer, no_sentences_warning

    scorer = Scorer(model, n_boot=n_boot, records=records)
    docs = documents(inputs, cols, failures, say, stdin, furniture, stdin_limit_mb)
    for doc, recs, article in scorer.score(docs, jobs=jobs, workers_first=large_input(list(inputs))):
        if article["n_sentences"] == 0:
            say(no_sentences_warning(doc))
        yield doc, recs, article


def gold_rows(by: str):
    """The gold labels as summary rows: one article per seed, one-hot stance probabilities; and None
    (no share estimator: the shares of gold labels are counted)."""
    import pandas as pd

    from .project import require_checkout
    from .training import load_training_data

    require_checkout("the gold labels of the seed outlets", "give a corpus instead (e.g. `stanceframe sources "
                     "corpus/`, or two corpus paths to compare)")
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
        raise BadInput(f"unknown --by column {by!r}; accepted for the gold labels: {', '.join(GOLD_BY)}")
    if by != "source":  # a seed the page does not name a value for stays a group of its own, not a blank one
        df[by] = [v or f"{sid} (no {by})" for v, sid in zip(df[by], df["source_id"])]
    return df, None


def check_duplicates_option(value: str) -> None:
    if value not in ("apart", "refuse"):
        raise BadInput(f"unknown --duplicate-ids {value!r}; accepted: apart, refuse")


def sources_file(path) -> dict[str, dict[str, str]]:
    """A sources CSV (as seeds/sources.csv: source, file, outlet, title, published, ...; `file` relative to
    the CSV's folder) as {real path of the file: {"source", "title", "date"}}, the values it gives."""
    import os

    from .labels import load_sources

    out = {}
    for s in load_sources(path).values():
        given = {"source": s.outlet, "title": s.title, "date": s.published}
        out[os.path.realpath(s.file)] = {k: v for k, v in given.items() if v}
    return out


def corpus_rows(inputs, cols, model, say, label: str | None = None, furniture: bool | None = None,
                duplicates: str = "apart", jobs: int = 2, sources: str | None = None):
    """Model predictions for a corpus as summary rows, and the model's share estimator.

    Only sentence rows are used (the summary resamples them itself), so articles get no shares.
    With `label`, every row's source is that label (one corpus compared as a whole). Two documents
    with one id are reported and kept apart (`duplicates` "apart") or refused ("refuse"). `sources`:
    a sources CSV whose outlet, title and published date of a file win over what the file gives.
    """
    import os

    import pandas as pd

    from .quantify import ShareEstimator

    check_duplicates_option(duplicates)
    from .readers import DuplicateIds

    listed = sources_file(sources) if sources else {}
    failures: list = []
    rows = []
    seen = DuplicateIds(refuse=duplicates == "refuse", shown=MAX_DUPLICATES_SHOWN)
    for doc, records, article in scored(inputs, cols, model, 0, failures, say, jobs=jobs, furniture=furniture):
        given = listed.get(os.path.realpath(doc.origin)) if listed else None
        if given:
            doc.source, doc.title, doc.date = (given.get(k, v) for k, v in
                                               (("source", doc.source), ("title", doc.title), ("date", doc.date)))
        before = seen.count
        said = seen.check(doc)  # raises with --duplicate-ids refuse
        if said:
            say(f"warning: {said}")
        # a document whose id came before is an article of its own in the summaries
        key = doc.id if seen.count == before else f"{doc.id}\x00{doc.origin}"
        if article["n_sentences"] == 0:
            continue
        for r in records:
            rows.append({"doc_id": key, "source": doc.source, "title": doc.title, "date": doc.date,
                         "start": r["start"], "end": r["end"],  # where a labelled sentence is matched (ppi)
                         "text": r["text"], "frame": r["frame"], "uncertain": r["uncertain"],
                         **{f"p_{st}": r[f"p_{st}"] for st in STANCES}})
    if seen.summary():
        say(f"warning: {seen.summary()}")
    if sources:  # the sources CSV inside the corpus folder is no corpus of its own
        failures = [f for f in failures if os.path.realpath(f.origin) != os.path.realpath(sources)]
    for f in failures:
        say(f"warning: {f.origin}: {f.message}")
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


def scored_input(inputs, say) -> list[str] | None:
    """The files of `inputs` when they are scored output (said in one line), else None."""
    from .scored import scored_files

    files = scored_files(inputs)
    if files:
        say(f"note: reading scored output ({len(files)} file(s)): the sentence probabilities as scored, not rescored")
    return files


def scored_groups(sides, model, say, by: str = "source", over: str | None = None, date_column: str = "date"):
    """Scored output as arrays per group (groups.Grouped), the model's share estimator, and the
    sentences and articles without a readable date (with `over`). `sides`: (files, label) pairs; a
    label puts all of its files' rows in one group (one corpus compared as a whole). Says in one line
    when some files do not record their scoring model."""
    from .artifact import model_id
    from .groups import GroupBuilder
    from .quantify import ShareEstimator
    from .scored import UNCHECKED_NOTE, add_scored, release_freed_memory

    builder = GroupBuilder()
    n_missing = n_missing_docs = 0
    unchecked = []
    for files, label in sides:
        rows_, docs, unknown = add_scored(builder, files, by, model_id(model), label, over, date_column)
        n_missing, n_missing_docs, unchecked = n_missing + rows_, n_missing_docs + docs, unchecked + unknown
    if unchecked:
        more = f" and {len(unchecked) - 1} other file(s)" if len(unchecked) > 1 else ""
        say(UNCHECKED_NOTE.format(files=unchecked[0] + more))
    grouped = builder.finish()
    del builder
    release_freed_memory()
    if not grouped.labels:
        if n_missing:
            raise BadInput(f"no sentence has a readable date in column {date_column!r} (e.g. 2024-05-17)")
        raise BadInput("no sentences in the scored output " + ", ".join(f for files, _ in sides for f in files[:3]))
    return grouped, ShareEstimator(model.quantifier, STANCES), (n_missing, n_missing_docs)


def compare_rows(a: str, b: str, cols, load, say, furniture: bool | None = None, duplicates: str = "apart",
                 jobs: int = 2):
    """The two sides of `compare a b`: two corpus paths (scored by the model `load()` gives) or two
    sources of the gold labels (by id or outlet name). Returns (rows a, rows b, name a, name b, estimator)."""
    if Path(a).exists() or Path(b).exists():
        for name in (a, b):
            if not Path(name).exists():
                raise BadInput(f"{name}: no such file or folder (comparing two corpora)")
        if Path(a).resolve() == Path(b).resolve():
            raise BadInput(f"{a} and {b} are the same corpus; compare needs two different ones")
        check_duplicates_option(duplicates)
        model = load()
        da, estimator = corpus_rows([a], cols, model, say, label=a, furniture=furniture, duplicates=duplicates,
                                    jobs=jobs)
        db, _ = corpus_rows([b], cols, model, say, label=b, furniture=furniture, duplicates=duplicates, jobs=jobs)
        return da, db, a, b, estimator
    gold, estimator = gold_rows("source")
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
    return da, db, *names, estimator
