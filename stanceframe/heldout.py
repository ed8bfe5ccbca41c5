"""`test`: a trained model scored on labelled sentences it was not trained on (fastText's `test`).

The labels file is a CSV with a `text` column and a `stance` and/or `frame` column (the seed
labels, the written corpus, corpus labels and files of your own all qualify), or a Label Studio,
doccano or Prodigy export; an empty cell means "not labelled for that target". With a `source` column (an outlet), each source's gold lean is set beside the
lean the model estimates for it, by the model's own counting method on all the source's sentences.
The majority baseline answers every row with the most common label of the rows tested (an
optimistic baseline: it knows the test set's commonest class).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import BadInput
from .labels import FRAMES, STANCES, TARGETS, LabelError
from .quantify import lean

N_BOOT = 1000


def read_labels(path: str | Path, say=None) -> list[dict]:
    """Rows of a labels CSV or of an annotation tool's export (Label Studio, doccano, Prodigy; see
    stanceframe.annotations), checked: a text, and allowed labels or empty cells. A corpus labels CSV
    (doc_id, start, end) is read by the format's one reader (corpuslabels.read_labels_file). `say`
    gets one line on what an export held and what was skipped."""
    from .corpuslabels import read_labels_file
    from .labels import _read_rows, csv_header

    path = Path(path)
    header = csv_header(path) if path.is_file() and _is_csv(path) else None
    if header is None or {"doc_id", "start", "end"} <= set(header):
        found, imported = read_labels_file(path)
        if imported and say:
            say(imported.summary(path))
        rows = [{k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()} for _, row in found]
        check_rows(rows, str(path), wheres=[where for where, _ in found])
        return rows
    if "text" not in header or not {"stance", "frame"} & set(header):
        raise BadInput(f"{path}:1: a labels file needs a 'text' column and a 'stance' and/or 'frame' column; "
                       f"found: {', '.join(header) or 'no header'}")
    rows, wheres, problems = [], [], []
    for line, row in _read_rows(path, ("text",), None):
        if "__error__" in row:
            problems.append(f"{path}:{line}: row {row['__error__']}")
        else:
            rows.append({k: v.strip() for k, v in row.items()})
            wheres.append(f"{path}:{line}")
    if problems:
        raise LabelError(problems)
    check_rows(rows, str(path), wheres=wheres)
    return rows


def _is_csv(path: Path) -> bool:
    from .annotations import sniff

    return sniff(path) == "csv"


def check_rows(rows: list[dict], where: str, first_line: int = 1, wheres: list[str] | None = None) -> None:
    """Every row has a text and, per target, an allowed label or nothing; else one line per problem,
    each at `where:line` (or at its own place in `wheres`)."""
    problems = []
    places = wheres or [f"{where}:{line}" for line in range(first_line, first_line + len(rows))]
    for at, row in zip(places, rows):
        if not row.get("text"):
            problems.append(f"{at}: empty text")
        for target, allowed in TARGETS.items():
            value = row.get(target, "")
            if value and value not in allowed:
                problems.append(f"{at}: unknown {target} {value!r}; accepted: {', '.join(allowed)} "
                                "or empty (not labelled)")
    if problems:
        raise LabelError(problems)
    if not rows:
        raise BadInput(f"{where}: no labelled rows")


def trained_on(model, path: str | Path) -> bool:
    """Whether `path` is one of the label files the model was trained on (by sha256)."""
    from .labels import sha256_file

    return sha256_file(Path(path)) in set(model.manifest.get("labels", {}).values())


def text_key(text: str) -> str:
    """A short digest of a sentence, blind to case and spacing: the manifest keeps one per training
    sentence, so a labels file can be checked for sentences the model has seen (an edited copy or a
    subset of the training labels, which the file's sha256 does not catch)."""
    import hashlib

    return hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()[:16]


def seen_in_training(model, texts) -> int:
    """How many of `texts` the model was trained on (0 for a model that keeps no digests)."""
    seen = set(model.manifest.get("trained_texts", ()))
    return sum(text_key(t) in seen for t in texts) if seen else 0


def test(model, rows: list[dict], n_boot: int = N_BOOT) -> dict:
    """Metrics of `model` (a loaded artifact.Model) on labelled rows (see `read_labels`)."""
    from .model import scores  # sklearn's metrics: only `test` needs them
    from .scoring import Scorer

    scorer = Scorer(model, n_boot=0, records=False)
    texts = [r["text"] for r in rows]
    P, frames, _ = scorer.predict(texts)
    predicted = {"stance": [STANCES[i] for i in P.argmax(1)], "frame": list(frames)}
    out: dict = {"n": len(rows), "model": str(model.model_dir), "quantifier": model.quantifier.method}
    for target in ("stance", "frame"):
        mask = [bool(r.get(target)) for r in rows]
        gold = [r[target] for r, m in zip(rows, mask) if m]
        if not gold:
            continue
        pred = [p for p, m in zip(predicted[target], mask) if m]
        classes = [c for c in (STANCES if target == "stance" else FRAMES) if c in set(gold) | set(pred)]
        values, counts = np.unique(gold, return_counts=True)
        majority = str(values[counts.argmax()])
        out[target] = {"n": len(gold), "model": scores(gold, pred, classes, n_boot=n_boot),
                       "baseline_majority": {"label": majority,
                                             **scores(gold, [majority] * len(gold), classes, n_boot=n_boot)}}
    if "stance" in out and any(r.get("source") for r in rows):
        out["per_source"] = {}
        sources = sorted({r.get("source", "") for r in rows if r.get("stance")})
        for src in sources:
            idx = [i for i, r in enumerate(rows) if r.get("stance") and r.get("source", "") == src]
            gold = np.array([[rows[i]["stance"] == s for s in STANCES] for i in idx], dtype=float).mean(0)
            est = model.quantifier.shares_in(P[idx], STANCES)[0]
            out["per_source"][src or "(no source)"] = {
                "n": len(idx), "gold_lean": lean(gold, STANCES), "estimated_lean": lean(est, STANCES),
                "lean_error": abs(lean(gold, STANCES) - lean(est, STANCES))}
    return out
