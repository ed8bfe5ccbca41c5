"""labels/ -> model/: validate the labels, evaluate honestly, fit on everything, save with a card."""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import artifact
from .errors import BadInput
from .labels import load_labels, load_sources, sha256_file

DEFAULT_LABELS = ("labels/*.csv",)
DEFAULT_SOURCES = ("seeds/sources.csv",)


@dataclass
class TrainResult:
    metrics: dict
    manifest: dict
    out: Path


def expand(patterns, what: str) -> list[Path]:
    """Files named by paths or globs; a pattern that names nothing is an error."""
    paths: list[Path] = []
    for pattern in patterns:
        found = sorted(glob.glob(str(pattern))) if glob.has_magic(str(pattern)) else [str(pattern)]
        if not found:
            raise BadInput(f"no {what} file matches {pattern!r}")
        paths.extend(Path(p) for p in found)
    return list(dict.fromkeys(paths))


def load_training_data(label_patterns=DEFAULT_LABELS, source_files=DEFAULT_SOURCES):
    """Validated labels (one DataFrame), the sources they refer to, and each file's sha256."""
    sources: dict = {}
    source_paths = expand(source_files, "sources")
    for path in source_paths:
        for sid, src in load_sources(path).items():
            if sid in sources:
                raise BadInput(f"{path}: source {sid!r} is also listed in another sources file")
            sources[sid] = src
    label_paths = expand(label_patterns, "labels")
    df = load_labels(label_paths, sources)
    hashes = {str(p): sha256_file(p) for p in [*label_paths, *source_paths]}
    return df, sources, hashes


def _round(obj, nd: int = 6):
    """Round floats so metrics.json is byte-identical across runs and readable."""
    if isinstance(obj, float):
        return round(obj, nd)
    if isinstance(obj, dict):
        return {str(k): _round(v, nd) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_round(v, nd) for v in obj]
    if isinstance(obj, np.generic):
        return _round(obj.item(), nd)
    return obj


def train(label_patterns=DEFAULT_LABELS, source_files=DEFAULT_SOURCES, out="model", n_jobs: int = 2,
          progress=None) -> TrainResult:
    from . import model as M

    say = progress or (lambda msg: None)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: is a file; --out names the model folder to write")
    df, sources, hashes = load_training_data(label_patterns, source_files)
    X = df["text"].to_numpy(dtype=object)
    groups = df["source"].to_numpy(dtype=object)
    targets = {t: df[t].to_numpy(dtype=object) for t in ("stance", "frame")}
    if len(set(groups)) < 2:
        raise BadInput("leave-one-source-out evaluation needs labels from at least two sources")
    say(f"{len(df)} labelled sentences from {len(set(groups))} sources; nested evaluation and final fits ...")
    evaluation, final = M.evaluate(X, targets, groups, n_jobs=n_jobs, final=True)
    stance, stance_params, _, quantifier = final["stance"]
    frame, frame_params, _, _ = final["frame"]

    data = {
        "n_sentences": int(len(df)),
        "per_source": {s: int(n) for s, n in df["source"].value_counts().sort_index().items()},
        "per_class": {t: {c: int(n) for c, n in df[t].value_counts().sort_index().items()} for t in targets},
        "per_class_and_source": {
            t: {c: {s: int(n) for s, n in g["source"].value_counts().sort_index().items()}
                for c, g in df.groupby(t, sort=True)} for t in targets
        },
        "sha256": hashes,
        "outlets": {s: sources[s].outlet for s in sorted(set(groups))},
    }
    metrics = _round({
        "data": data,
        "evaluation": evaluation,
        "final": {
            "stance": {"params": stance_params, "quantifier": quantifier.method,
                       "calibration": {"temperature": quantifier.temperature,
                                       "bias": dict(zip(quantifier.classes, quantifier.bias.tolist()))}},
            "frame": {"params": frame_params},
        },
        "top_features": {"stance": M.top_features(stance), "frame": M.top_features(frame)},
        "settings": {"grid": {t: {k: [v if v is None or isinstance(v, (int, float, str)) else str(v) for v in vals]
                                  for k, vals in g.items()} for t, g in M.GRID.items()},
                     "inner_cv": "GroupKFold by source (4 folds) inside each outer training set",
                     "scoring": M.SCORING, "bootstrap": M.N_BOOT, "seed": M.SEED},
        "versions": artifact.library_versions(),
    })
    from .card import model_card

    with artifact.replacing(out) as new:  # the whole folder is swapped in, or nothing changes
        manifest = artifact.save(new, stance, frame, quantifier, {
            "versions": metrics["versions"], "labels": hashes,
            "params": {"stance": stance_params, "frame": frame_params}, "quantifier": quantifier.method,
            "created_by": "python train.py",
        })
        artifact.write_atomic(new / "metrics.json", json.dumps(metrics, indent=1, sort_keys=True) + "\n")
        artifact.write_atomic(new / "MODEL_CARD.md", model_card(metrics, manifest))
    return TrainResult(metrics, manifest, out)

