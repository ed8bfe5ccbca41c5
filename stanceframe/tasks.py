"""Sentences to label, written for the tool that labels them, chosen by the output's name:

- ``.csv``: the corpus labels format (`LABELS_CSV`): doc_id, source, start, end, text, stance,
  frame, note (stance, frame and note empty, to fill), then title, date, sample, the model's
  suggestion and every class's probability. `predict.py label` reads and writes the same file.
- ``.doccano.jsonl``: doccano text-classification import lines (metadata at the top level).
- ``.jsonl``: Prodigy tasks for a choice interface (stance classes, then frame classes, as options).
- ``.json``: Label Studio tasks with the model's suggestion as `predictions`, and the labelling
  config beside it (the same name, ``.xml``).

The suggestion never looks like an answer: in Prodigy it is in `meta` (not `accept`), in Label
Studio it is a prediction (not an annotation), in doccano `label` is empty. `doc_id`, `start` and
`end` are exactly those of `predict.py score` (offsets into the document's extracted text), and
`sample` says how the sentence was picked (stanceframe.sampling).

Text cells are written as they are, never with the leading ' that score's CSV puts before a cell
starting with = + - @: the text must equal the document's text between the offsets.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .errors import BadInput
from .labels import FRAMES, STANCES
from .sampling import Candidate

LABEL_FIELDS = ["doc_id", "source", "start", "end", "text", "stance", "frame", "note"]
LABELS_CSV = LABEL_FIELDS + ["title", "date", "sample", "suggested_stance", "suggested_frame",
                             *[f"p_stance_{s}" for s in STANCES], *[f"p_frame_{f}" for f in FRAMES]]
KINDS = {".doccano.jsonl": "doccano", ".jsonl": "prodigy", ".json": "label studio", ".csv": "csv"}
ACCEPTED = ".csv (corpus labels), .jsonl (Prodigy), .json (Label Studio), .doccano.jsonl (doccano)"
META = ("doc_id", "source", "start", "end", "sample", "title", "date")


def kind(path: Path) -> str:
    name = path.name.lower()
    for ext, k in KINDS.items():  # .doccano.jsonl before .jsonl
        if name.endswith(ext):
            return k
    raise BadInput(f"{path}: cannot tell what to write from the name; accepted: {ACCEPTED}")


def config_path(path: Path) -> Path:
    """Where the Label Studio labelling config of tasks `path` goes."""
    return path.with_suffix(".xml")


def labels_row(c: Candidate, stance: str = "", frame: str = "", note: str = "") -> dict:
    """A row of the corpus labels CSV. A class the model does not know has an empty probability."""
    row = {"doc_id": c.doc_id, "source": c.source, "start": c.start, "end": c.end, "text": c.text,
           "stance": stance, "frame": frame, "note": note, "title": c.title, "date": c.date, "sample": c.sample,
           "suggested_stance": c.suggested_stance, "suggested_frame": c.suggested_frame}
    row.update({f"p_stance_{s}": c.p_stance.get(s, "") for s in STANCES})
    row.update({f"p_frame_{f}": c.p_frame.get(f, "") for f in FRAMES})
    return row


def candidate(row: dict) -> Candidate:
    """A labels CSV row back as a candidate (no neighbours: the CSV does not carry them)."""
    def probs(prefix, classes):
        return {k: float(row[f"{prefix}{k}"]) for k in classes if row.get(f"{prefix}{k}") not in (None, "")}

    return Candidate(doc_id=row["doc_id"], source=row.get("source", ""), start=int(row["start"]),
                     end=int(row["end"]), text=row.get("text", ""), title=row.get("title", ""),
                     date=row.get("date", ""), p_stance=probs("p_stance_", STANCES),
                     p_frame=probs("p_frame_", FRAMES), suggested_stance=row.get("suggested_stance", ""),
                     suggested_frame=row.get("suggested_frame", ""), sample=row.get("sample", ""))


def labels_csv(rows: list[dict]) -> str:
    """The CSV text of labels rows; columns of the user's own (beyond LABELS_CSV) are kept, after ours."""
    extra = list(dict.fromkeys(k for r in rows for k in r if k not in LABELS_CSV))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LABELS_CSV + extra, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_labels_csv(path: Path) -> list[dict]:
    """The rows of a corpus labels CSV (a suggest file or a file `label` writes), read by the one
    reader of the format (corpuslabels.read_corpus_labels)."""
    from .corpuslabels import read_corpus_labels

    return [row for _, row in read_corpus_labels(path)]


def answered(rows: list[dict]) -> int:
    """How many rows carry a stance or a frame."""
    return sum(bool((r.get("stance") or "").strip() or (r.get("frame") or "").strip()) for r in rows)


def label_keys(paths) -> set[tuple[str, int, int]]:
    """(doc_id, start, end) of every row of labels files (corpus labels CSVs, suggest files or a
    labelling tool's export): the sentences `suggest --exclude` leaves out."""
    from .corpuslabels import read_labels_file

    keys = set()
    for path in map(Path, paths):
        for where, r in read_labels_file(path)[0]:
            try:
                keys.add((str(r["doc_id"]), int(r["start"]), int(r["end"])))
            except (KeyError, TypeError, ValueError):
                raise BadInput(f"{where}: --exclude needs doc_id, start and end in every row") from None
    return keys


def is_labels_csv(path: str) -> bool:
    """A CSV whose header is that of the corpus labels format (a queue for `label`), not a corpus."""
    if not path.lower().endswith(".csv") or not Path(path).is_file():
        return False
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        header = next(csv.reader(fh), [])
    return {"doc_id", "start", "end", "sample", "suggested_stance"} <= set(header)


def _hash(*parts) -> int:
    """A signed 32-bit int, as Prodigy's hashes are."""
    digest = hashlib.blake2b("\x00".join(map(str, parts)).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _meta(c: Candidate) -> dict:
    return {"doc_id": c.doc_id, "source": c.source, "start": c.start, "end": c.end, "sample": c.sample,
            "title": c.title, "date": c.date}


def prodigy_task(c: Candidate, classes: dict) -> dict:
    """A Prodigy choice task. The input hash covers the sentence's place, not only its text, so two
    documents' identical sentences stay two tasks."""
    options = [{"id": k, "text": k} for k in classes["stance"] + classes["frame"]]
    input_hash = _hash(c.doc_id, c.start, c.end, c.text)
    return {"text": c.text,
            "meta": {**_meta(c), "suggested_stance": c.suggested_stance, "suggested_frame": c.suggested_frame,
                     **{f"p_stance_{k}": v for k, v in c.p_stance.items()},
                     **{f"p_frame_{k}": v for k, v in c.p_frame.items()}},
            "options": options, "_input_hash": input_hash,
            "_task_hash": _hash(input_hash, *(o["id"] for o in options))}


def label_studio_task(c: Candidate, model_version: str) -> dict:
    def choice(name, value):
        return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [value]}}

    return {"data": {"text": c.text, **_meta(c), "before": c.before, "after": c.after},
            "predictions": [{"model_version": model_version, "score": c.p_stance.get(c.suggested_stance),
                             "result": [choice("stance", c.suggested_stance), choice("frame", c.suggested_frame)]}]}


def label_studio_config(classes: dict) -> str:
    """The labelling config: the sentence between its neighbours, one stance and one frame."""
    def choices(name):
        items = "".join(f"\n    <Choice value={quoteattr(k)}/>" for k in classes[name])
        return f'  <Header value="{name}"/>\n  <Choices name="{name}" toName="text" choice="single" ' \
               f'showInline="true">{items}\n  </Choices>\n'

    return ('<View>\n  <Header value="$source · $title · $date"/>\n'
            '  <Text name="before" value="$before"/>\n  <Text name="text" value="$text"/>\n'
            '  <Text name="after" value="$after"/>\n' + choices("stance") + choices("frame") + "</View>\n")


def doccano_line(c: Candidate) -> dict:
    return {"text": c.text, "label": [], **_meta(c), "suggested_stance": c.suggested_stance,
            "suggested_frame": c.suggested_frame}


def model_classes(model) -> dict:
    """The model's classes per target, in the codebook's order."""
    known = model.linear.classes
    return {"stance": [s for s in STANCES if s in known["stance"]],
            "frame": [f for f in FRAMES if f in known["frame"]]}


def model_version(model) -> str:
    """Which model made the suggestions: its folder and the start of its weights' sha256."""
    from .artifact import model_id

    return f"stanceframe {Path(model.model_dir).name} {model_id(model)}"


def write(picks: list[Candidate], path: Path, model) -> list[Path]:
    """Write the tasks to `path` (atomically), in the format its name says; return the files written."""
    from .artifact import write_atomic
    from .output import output_folder

    k = kind(path)
    output_folder(path)
    if k == "csv":
        write_atomic(path, labels_csv([labels_row(c) for c in picks]))
        return [path]
    if k == "label studio":
        version = model_version(model)
        write_atomic(path, json.dumps([label_studio_task(c, version) for c in picks], ensure_ascii=False,
                                      indent=1) + "\n")
        write_atomic(config_path(path), label_studio_config(model_classes(model)))
        return [path, config_path(path)]
    classes = model_classes(model)
    line = (lambda c: prodigy_task(c, classes)) if k == "prodigy" else doccano_line
    write_atomic(path, "".join(json.dumps(line(c), ensure_ascii=False) + "\n" for c in picks))
    return [path]
