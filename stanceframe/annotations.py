"""Labels made in annotation tools, read into rows of the corpus labels format.

Three exports are read, told apart by their content (not by the file's extension):

- Label Studio's JSON export: a list of tasks, ``{"data": {...}, "annotations": [...], "predictions": [...]}``.
  The last annotation that was not cancelled is the label; ``predictions`` are the model's and are
  never read.
- doccano's text-classification JSONL: ``{"text", "label": [classes], meta at top level or under "meta"}``.
- Prodigy's answers JSONL: ``{"text", "meta": {...}, "options", "accept": [classes], "answer"}``; only
  ``answer == "accept"`` is a label, and a task answered again later takes its last answer.

A class name says its target: stance and frame classes are disjoint (labels.TARGETS), so one list
holds at most one stance and one frame. Every row comes back as a dict of the corpus labels
columns (labels.CORPUS_COLUMNS, plus the extras found) with the place it came from; a task nobody
labelled is not a row but is counted, by reason.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadInput
from .labels import CORPUS_COLUMNS, CORPUS_EXTRAS, TARGETS, LabelError

KINDS = {"label_studio": "Label Studio", "doccano": "doccano", "prodigy": "Prodigy"}
ACCEPTED = ("a labels CSV (corpus labels: doc_id,source,start,end,text,stance,frame,note; or seed labels), "
            "a Label Studio JSON export, a doccano JSONL export or Prodigy answers (JSONL)")
# what a task carries beside the sentence; never its stance or frame: a task's input data is no
# human judgement (only annotation results, doccano's `label` and Prodigy's `accept` are)
_META = (*(c for c in CORPUS_COLUMNS if c not in TARGETS), *CORPUS_EXTRAS)
_CLASS_TARGET = {c: t for t, classes in TARGETS.items() for c in classes}


@dataclass
class Imported:
    kind: str  # a key of KINDS
    rows: list[tuple[str, dict]]  # (where, row in the corpus labels format)
    skipped: Counter = field(default_factory=Counter)  # tasks that are no label, by reason

    def summary(self, path) -> str:
        """One line: what was read and what was skipped."""
        line = f"{path}: {KINDS[self.kind]} export, {len(self.rows)} labelled sentences"
        if self.skipped:
            line += f"; {sum(self.skipped.values())} tasks skipped (" + ", ".join(
                f"{n} {why}" for why, n in sorted(self.skipped.items())) + ")"
        return line


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text; accepted: {ACCEPTED}") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _objects(path: Path, text: str) -> list[tuple[str, object]]:
    """(where, parsed object) of a JSON list (where: its task number) or of each JSONL line."""
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{exc.lineno}: broken JSON ({exc.msg}); accepted: {ACCEPTED}") from None
        return [(f"{path}: task {i}", item) for i, item in enumerate(items, 1)]
    out = []
    for line, raw in enumerate(text.splitlines(), 1):
        if raw.strip():
            try:
                out.append((f"{path}:{line}", json.loads(raw)))
            except json.JSONDecodeError as exc:
                raise BadInput(f"{path}:{line}: not a JSON object per line ({exc.msg}); accepted: {ACCEPTED}") from None
    return out


def _kind_of(obj) -> str | None:
    if not isinstance(obj, dict):
        return None
    if "annotations" in obj or isinstance(obj.get("data"), dict):
        return "label_studio"
    if "answer" in obj:
        return "prodigy"
    if "label" in obj:
        return "doccano"
    return None


def sniff(path: str | Path) -> str:
    """"csv", or the KINDS key of the annotation tool's export in `path`, from its content."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError:
        head = b"["  # _text says what is wrong with the file
    if not head.startswith((b"[", b"{")):
        return "csv"
    objects = _objects(path, _text(path))
    if not objects:
        raise BadInput(f"{path}: no tasks in the file; accepted: {ACCEPTED}")
    where, first = objects[0]
    kind = _kind_of(first)
    if kind is None and isinstance(first, dict) and "options" in first:
        raise BadInput(f"{where}: Prodigy tasks without answers; label them in Prodigy and export the answers "
                       "(prodigy db-out DATASET > answers.jsonl)")
    if kind is None:
        keys = ", ".join(map(str, first)) if isinstance(first, dict) else type(first).__name__
        raise BadInput(f"{where}: JSON, but not a Label Studio task, doccano row or Prodigy answer (found: {keys}); "
                       f"accepted: {ACCEPTED}")
    return kind


def read(path: str | Path) -> Imported:
    """The human labels of an annotation tool's export (see the module's docstring)."""
    path = Path(path)
    kind = sniff(path)
    if kind == "csv":
        raise BadInput(f"{path}: a CSV file, not an annotation tool's export")
    out = Imported(kind, [])
    problems: list[str] = []
    seen: dict[str, int] = {}  # Prodigy: a task's hash -> its row, replaced by a later answer
    for where, obj in _objects(path, _text(path)):
        if _kind_of(obj) != kind:
            problems.append(f"{where}: not a {KINDS[kind]} {'task' if kind == 'label_studio' else 'row'} like the "
                            "first one")
            continue
        try:
            row = {"label_studio": _label_studio, "doccano": _doccano, "prodigy": _prodigy}[kind](obj, out.skipped)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        key = obj.get("_task_hash") if kind == "prodigy" else None
        if key is not None and key in seen:
            out.skipped["answered again later"] += 1
            out.rows[seen.pop(key)] = None
        if row is None:
            continue
        if key is not None:
            seen[key] = len(out.rows)
        out.rows.append((where, row))
    if problems:
        raise LabelError(problems)
    out.rows = [r for r in out.rows if r is not None]
    return out


def _meta(*dicts) -> dict:
    """The corpus labels fields found in the dicts (the first that has a field gives it), as text."""
    row = {c: "" for c in CORPUS_COLUMNS}
    for name in _META:
        for d in dicts:
            if isinstance(d, dict) and d.get(name) not in (None, ""):
                v = d[name]
                row[name] = v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v)
                break
    return row


def _assign(row: dict, classes, what: str) -> None:
    """Put each class in its target's cell; an unknown class or two of one target is an error."""
    for c in classes:
        target = _CLASS_TARGET.get(c) if isinstance(c, str) else None
        if target is None:
            raise ValueError(f"unknown {what} {c!r}; accepted: a stance ({', '.join(TARGETS['stance'])}) or a frame "
                             f"({', '.join(TARGETS['frame'])})")
        if row[target] and row[target] != c:
            raise ValueError(f"two {target} labels ({row[target]!r}, {c!r}); a sentence has at most one stance and "
                             "one frame")
        row[target] = c


def _labelled(row: dict | None, skipped: Counter) -> dict | None:
    if row is not None and not (row["stance"] or row["frame"]):
        skipped["without a stance or frame"] += 1
        return None
    return row


def _label_studio(task: dict, skipped: Counter) -> dict | None:
    done = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not done:  # `predictions` are the model's suggestions, never labels
        skipped["without an annotation"] += 1
        return None
    row = _meta(task.get("data"))
    for result in done[-1].get("result") or []:
        if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
            raise ValueError("an annotation result without a value")
        name, value = result.get("from_name"), result["value"]
        if result.get("type") == "choices":
            choices = value.get("choices") or []
            if name in TARGETS and len(choices) > 1:
                raise ValueError(f"{len(choices)} {name} choices ({', '.join(map(str, choices))}); choose one")
            if name in TARGETS and choices and choices[0] not in TARGETS[name]:
                raise ValueError(f"unknown {name} {choices[0]!r}; accepted: {', '.join(TARGETS[name])}")
            _assign(row, choices, "choice")
        elif result.get("type") == "textarea" and name == "note":
            row["note"] = " ".join(map(str, value.get("text") or []))
    return _labelled(row, skipped)


def _doccano(obj: dict, skipped: Counter) -> dict | None:
    labels = obj.get("label")
    if not isinstance(labels, list):
        raise ValueError(f"'label' must be a list of class names, got {json.dumps(labels)}")
    row = _meta(obj.get("meta"), obj)
    _assign(row, labels, "label")
    return _labelled(row, skipped)


def _prodigy(obj: dict, skipped: Counter) -> dict | None:
    if obj.get("answer") != "accept":
        skipped["not accepted"] += 1
        return None
    accepted = obj.get("accept") or []
    if not isinstance(accepted, list):
        raise ValueError(f"'accept' must be a list of option ids, got {json.dumps(accepted)}")
    # an option's id is usually its class; when it is not (a number), the option's text is
    ids = {o.get("id"): o.get("text") for o in obj.get("options") or [] if isinstance(o, dict)}
    row = _meta(obj.get("meta"), obj)
    _assign(row, [c if c in _CLASS_TARGET else ids.get(c, c) for c in accepted], "option")
    return _labelled(row, skipped)
