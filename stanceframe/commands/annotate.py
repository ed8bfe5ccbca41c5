"""`suggest` (sentences of a corpus to label, as a file for a labelling tool) and `label` (label them
in the terminal, into a corpus labels CSV)."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import rows, sampling, tasks
from ..errors import BadInput
from . import finish, load, say


def pick(inputs, n, strategy, seed, model, columns=None, furniture=None, jobs=2, warn_short=True, exclude=()):
    """(the picked candidates, failures, documents read): the batch `strategy` picks from the corpus;
    `warn_short`: say so when the corpus gives fewer than `n`; `exclude`: (doc_id, start, end) of
    sentences never to pick. Random picks stay a uniform sample of the sentences not excluded."""
    from ..readers import DuplicateIds

    pools = sampling.Pools(n, strategy, seed)
    failures: list = []
    ids = DuplicateIds(refuse=True)  # a label must point at one document
    n_docs = n_excluded = 0
    for doc, records, article in rows.scored(inputs, columns or rows.columns(), model, 0, failures, say,
                                             jobs=jobs, furniture=furniture):
        ids.check(doc)
        n_docs += 1
        if article["n_sentences"]:
            for c in sampling.candidates(doc, records):
                if c.where in exclude:
                    n_excluded += 1
                else:
                    pools.add(c)
    if not pools.seen and n_excluded:
        raise BadInput(f"all {n_excluded} sentences of {', '.join(inputs)} are in the --exclude files; "
                       "nothing is left to pick")
    if not pools.seen:
        for f in failures:
            say(f"  {f.origin}: {f.message}")
        raise BadInput(f"no sentences to label in {', '.join(inputs)}")
    if exclude:
        say(f"left out {n_excluded} sentences already in --exclude files")
    picks = pools.picks()
    sampling.add_frames(picks, model)
    if warn_short and len(picks) < n:
        why = ("the corpus has only " if len(picks) == pools.seen else
               "near-duplicates left only ") + f"{len(picks)} sentences to pick"
        say(f"warning: asked for {n}; {why}")
    return picks, failures, n_docs


def neighbours(queue, corpus, columns=None, furniture=None) -> None:
    """Fill in the sentence before and after each queued sentence (a CSV does not carry them) from
    the corpus, segmented as score segments it."""
    from ..corpuslabels import DocIndex
    from ..segment import segment_page

    wanted = DocIndex()  # the queue's ids, so the corpus may be named otherwise than to suggest
    for c in queue:
        wanted.add(c.doc_id, c, whole_file=True)
    failures: list = []
    for doc in rows.documents(corpus, columns or rows.columns(), failures, say, furniture=furniture):
        queued = wanted.get(doc.id) if doc.id == doc.origin else wanted.by_id.get(doc.id)
        if not queued:
            continue
        sents = segment_page(doc.text, doc.id, doc.furniture, doc.headline_end)[0]
        at = {(s.start, s.end): i for i, s in enumerate(sents)}
        for c in queued:
            i = at.get((c.start, c.end))
            if i is not None:
                c.before = sents[i - 1].text if i else ""
                c.after = sents[i + 1].text if i + 1 < len(sents) else ""
    for f in failures:
        say(f"warning: {f.origin}: {f.message}")


def suggest(inputs, output: Path, n=50, strategy="random", seed=0, columns=None, furniture=None, jobs=2,
            model=None, exclude=()) -> int:
    """Write `n` sentences of the corpus to label, in the format `output`'s name says, none of them
    in the `exclude` labels files (a sample kept apart for testing, an earlier batch)."""
    from ..output import refuse_inputs_as_output

    refuse_inputs_as_output(output, inputs)
    excluded = tasks.label_keys(exclude)
    kind = tasks.kind(output)  # an unknown format fails before any scoring
    if kind == "label studio":
        refuse_inputs_as_output(tasks.config_path(output), inputs)
    if kind == "csv" and output.is_file() and tasks.is_labels_csv(str(output)):
        if (n_answers := tasks.answered(tasks.read_labels_csv(output))):
            raise BadInput(f"{output}: holds {n_answers} answers, which suggest would overwrite; name another file")
    m = load(model)
    try:
        picks, failures, n_docs = pick(inputs, n, strategy, seed, m, columns, furniture, jobs, exclude=excluded)
    except KeyboardInterrupt:
        say("interrupted; nothing was written")
        return 130
    written = tasks.write(picks, output, m)
    counts = {s: sum(c.sample == s for c in picks) for s in ("random", "uncertain")}
    say(f"wrote {len(picks)} sentences ({counts['random']} random, {counts['uncertain']} uncertain) to "
        + " and ".join(map(str, written)))
    return finish(failures, n_docs)


def label(inputs, output: Path, n=200, strategy="random", seed=0, corpus=None, columns=None, furniture=None,
          jobs=2, model=None, read=None, write=None) -> int:
    """Label sentences in the terminal into the corpus labels CSV `output`, resuming what it holds.

    The queue is a suggest CSV (the one input), or `n` sentences of the corpus in `strategy` order.
    `read`/`write`: the terminal (default: standard input and output, a line at a time)."""
    from ..artifact import exclusive
    from ..output import output_folder, refuse_inputs_as_output

    if tasks.kind(output) != "csv":
        raise BadInput(f"{output}: label writes a corpus labels CSV; name a .csv file")
    refuse_inputs_as_output(output, list(inputs) + list(corpus or []))
    for path in [*inputs, *(corpus or [])]:
        if path != "-" and not any(ch in path for ch in "*?[") and not Path(path).exists():
            raise BadInput(f"{path}: no such file or folder")
    output_folder(output)
    busy = f"{output}: another label session is writing this file now; finish it first or name another --output"
    with exclusive(output.parent / f".{output.name}.lock", busy):  # two sessions would drop each other's answers
        return _label(inputs, output, n, strategy, seed, corpus, columns, furniture, jobs, model, read, write)


def _label(inputs, output, n, strategy, seed, corpus, columns, furniture, jobs, model, read, write) -> int:
    from ..artifact import write_atomic
    from ..labelloop import Session

    answers = tasks.read_labels_csv(output) if output.exists() else []
    if (n_open := len(answers) - tasks.answered(answers)):
        raise BadInput(f"{output}: {n_open} of its rows have neither a stance nor a frame (a suggest file?); "
                       f"label it as the queue instead: label {output} --output another.csv")
    failures, n_docs = [], 0
    if len(inputs) == 1 and tasks.is_labels_csv(inputs[0]):
        queue = [tasks.candidate(r) for r in tasks.read_labels_csv(Path(inputs[0]))]
        if corpus:
            neighbours(queue, corpus, columns, furniture)
        stances, frames = tasks.STANCES, tasks.FRAMES
    else:
        if corpus:
            raise BadInput("--corpus goes with a suggest CSV as the queue; to label a corpus, give it as the input")
        m = load(model)
        try:
            queue, failures, n_docs = pick(inputs, n, strategy, seed, m, columns, furniture, jobs, warn_short=False)
        except KeyboardInterrupt:
            say("interrupted before the first sentence; nothing was written")
            return 130
        classes = tasks.model_classes(m)
        stances, frames = classes["stance"], classes["frame"]

    def save(rows_):
        write_atomic(output, tasks.labels_csv(rows_))

    session = Session(queue, answers, save, read or _read_line, write or _write, target=str(output),
                      stances=stances, frames=frames)
    how = session.run()
    if failures:
        finish(failures, n_docs)
    return 130 if how == "interrupted" else 0


def _read_line(prompt: str) -> str:
    return input(prompt)


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()

