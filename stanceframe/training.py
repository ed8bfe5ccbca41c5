"""labels/ -> model/: validate the labels, evaluate honestly, fit on everything, save with a card."""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import artifact
from .errors import BadInput
from .labels import load_labels, load_sources, load_written, sha256_file
from .project import ROOT

# the bundled data, wherever the command runs from
DEFAULT_LABELS = (str(ROOT / "labels" / "sentences.csv"),)
DEFAULT_WRITTEN = (str(ROOT / "labels" / "written.csv"),)
DEFAULT_SOURCES = (str(ROOT / "seeds" / "sources.csv"),)
SEED_VIEW, WRITTEN_VIEW = "loso", "lovo"
VIEW_NAMES = {SEED_VIEW: "leave-one-source-out (seed outlets)", WRITTEN_VIEW: "leave-one-voice-out (written corpus)"}


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


def _shown(path: Path) -> str:
    """How a file is named in the manifest: relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load_training_data(label_patterns=DEFAULT_LABELS, source_files=DEFAULT_SOURCES, written_patterns=DEFAULT_WRITTEN):
    """Validated labels as one DataFrame, the sources they refer to, and each file's sha256.

    Rows of seed labels have `origin` "seed" and `group` their source; rows of the written corpus
    have `origin` "written" and `group` their voice. Folds hold out one group at a time.
    """
    import pandas as pd

    sources: dict = {}
    source_paths = expand(source_files, "sources")
    for path in source_paths:
        for sid, src in load_sources(path).items():
            if sid in sources:
                raise BadInput(f"{path}: source {sid!r} is also listed in another sources file")
            sources[sid] = src
    label_paths = expand(label_patterns, "labels")
    seeds = load_labels(label_paths, sources).assign(origin="seed")
    seeds["group"] = seeds["source"]
    written_paths = expand(written_patterns, "written corpus") if written_patterns else []
    parts = [seeds[["sentence_id", "group", "origin", "text", "stance", "frame"]]]
    if written_paths:
        written = load_written(written_paths).assign(origin="written")
        clash = sorted(set(written["voice"]) & set(seeds["group"]))
        if clash:
            raise BadInput(f"{written_paths[0]}: voice(s) {', '.join(clash)} have the name of a labelled source")
        written["group"] = written["voice"]
        parts.append(written[["sentence_id", "group", "origin", "text", "stance", "frame"]])
    df = pd.concat(parts, ignore_index=True)
    dup = df["sentence_id"][df["sentence_id"].duplicated()]
    if len(dup):
        raise BadInput(f"sentence_id {dup.iloc[0]!r} is used both in the seed labels and the written corpus")
    hashes = {_shown(p): sha256_file(p) for p in [*label_paths, *written_paths, *source_paths]}
    return df, sources, hashes


def check_trainable(df) -> None:
    """What training needs, said in one line (exit 2) before any fitting starts: two classes per
    target, at least three outlets or voices, and two classes left whichever group a fold holds out."""
    n_groups = df["group"].nunique()
    if n_groups < 3:
        raise BadInput(f"held-out evaluation needs labels from at least three sources or voices; found {n_groups}")
    for target in ("stance", "frame"):
        classes = sorted(df[target].unique())
        if len(classes) < 2:
            raise BadInput(f"{target}: training needs at least two classes; the labels have only "
                           f"{', '.join(classes) or 'none'}")
        for g in sorted(df["group"].unique()):
            if df[target][df["group"] != g].nunique() < 2:
                raise BadInput(f"{target}: without {g!r} the labels have only one class, so the fold that holds "
                               f"{g!r} out cannot be trained; label more classes in the other sources")


def _challenge(stance, frame) -> dict | None:
    """Pass rates of the challenge suite, scored from the exported weights as `predict.py` scores (and
    without transforming with the pipelines, which would leave a run-dependent id() in them)."""
    from . import challenge
    from .linear import LinearModel, export

    if not challenge.CASES.is_file():  # the cases live in the repository (bench/), not in a wheel
        return None
    linear = LinearModel(json.loads(export(stance, frame)))

    def predict(texts):
        P = linear.predict_proba("stance", linear.transform(list(texts)))
        return [linear.classes["stance"][int(i)] for i in P.argmax(1)]

    suite = challenge.run(predict)
    majority = challenge.majority()
    for cap, r in suite["capabilities"].items():
        r["majority_rate"] = majority["capabilities"][cap]["rate"]
    suite["majority_rate"], suite["majority_answer"] = majority["rate"], majority["answer"]
    return {k: v for k, v in suite.items() if k != "failures"}


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
          progress=None, written_patterns=DEFAULT_WRITTEN, compare: bool = True) -> TrainResult:
    """Evaluate on both held-out views, fit on everything, save `out` with its metrics and card.

    With `compare`, the alternatives the card sets beside the shipped model are evaluated on the
    same folds: seeds only (no written corpus) and words only (no concept tokens)."""
    from . import model as M
    from .features import fingerprint

    say = progress or (lambda msg: None)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: is a file; --out names the model folder to write")
    df, sources, hashes = load_training_data(label_patterns, source_files, written_patterns)
    check_trainable(df)
    X = df["text"].to_numpy(dtype=object)
    groups = df["group"].to_numpy(dtype=object)
    is_seed = (df["origin"] == "seed").to_numpy()
    targets = {t: df[t].to_numpy(dtype=object) for t in ("stance", "frame")}
    views = {SEED_VIEW: sorted(set(groups[is_seed]))}
    if (~is_seed).any():
        views[WRITTEN_VIEW] = sorted(set(groups[~is_seed]))
    say(f"{is_seed.sum()} seed sentences from {len(views[SEED_VIEW])} outlets, {(~is_seed).sum()} written "
        f"sentences from {len(views.get(WRITTEN_VIEW, []))} voices; nested evaluation and final fits ...")
    evaluation, final = M.evaluate(X, targets, groups, views, n_jobs=n_jobs, final=True)
    comparison = {}
    if compare:
        variants = {f"{M.FEATURES}, seeds + written": None}
        if (~is_seed).any():
            variants[f"{M.FEATURES}, seeds only"] = dict(train_mask=is_seed)
        other = next(f for f in M.FEATURE_SETS if f != M.FEATURES)
        variants[f"{other}, seeds + written"] = dict(features=other)
        for name, kw in variants.items():
            if kw is None:
                res = evaluation
            else:
                say(f"comparison: {name} ...")
                res = M.evaluate(X, targets, groups, views, n_jobs=n_jobs, quantify=False, **kw)
            comparison[name] = {t: {v: {"macro_f1": r["model"]["macro_f1"], "accuracy": r["model"]["accuracy"]}
                                    for v, r in res[t].items()} for t in targets}
        comparison["majority baseline"] = {t: {v: {m: r["baseline_majority"][m] for m in ("macro_f1", "accuracy")}
                                               for v, r in evaluation[t].items()} for t in targets}
    stance, stance_params, _, quantifier = final["stance"]
    frame, frame_params, _, _ = final["frame"]
    suite = _challenge(stance, frame)

    def counts(col, mask):
        return {c: {g: int(n) for g, n in sub["group"].value_counts().sort_index().items()}
                for c, sub in df[mask].groupby(col, sort=True)}

    data = {
        "n_sentences": int(len(df)),
        "n_seed": int(is_seed.sum()),
        "n_written": int((~is_seed).sum()),
        "per_group": {g: int(n) for g, n in df["group"].value_counts().sort_index().items()},
        "seed_groups": views[SEED_VIEW],
        "written_groups": views.get(WRITTEN_VIEW, []),
        "per_class": {t: {c: int(n) for c, n in df[t].value_counts().sort_index().items()} for t in targets},
        "per_class_seed": {t: {c: int(n) for c, n in df[is_seed][t].value_counts().sort_index().items()}
                           for t in targets},
        "per_class_and_group": {t: counts(t, np.ones(len(df), dtype=bool)) for t in targets},
        "sha256": hashes,
        "outlets": {s: sources[s].outlet for s in views[SEED_VIEW] if s in sources},
    }
    metrics = _round({
        "data": data,
        "evaluation": evaluation,
        "comparison": comparison,
        "challenge": suite,
        "final": {
            "stance": {"params": stance_params, "quantifier": quantifier.method,
                       "quantifier_inner_lean_error": quantifier.inner_lean_error,
                       "calibration": {"temperature": quantifier.temperature,
                                       "bias": dict(zip(quantifier.classes, quantifier.bias.tolist()))}},
            "frame": {"params": frame_params},
            "features": M.FEATURES,
        },
        "top_features": {"stance": M.top_features(stance), "frame": M.top_features(frame)},
        "settings": {"grid": {t: {k: [v if v is None or isinstance(v, (int, float, str)) else str(v) for v in vals]
                                  for k, vals in g.items()} for t, g in M.GRID.items()},
                     "views": {v: VIEW_NAMES[v] for v in views},
                     "inner_cv": "GroupKFold by outlet or voice (4 folds) inside each outer training set",
                     "scoring": M.SCORING, "bootstrap": M.N_BOOT, "seed": M.SEED},
        "versions": artifact.library_versions(),
    })
    from .card import model_card

    with artifact.replacing(out) as new:  # the whole folder is swapped in, or nothing changes
        manifest = artifact.save(new, stance, frame, quantifier, {
            "versions": metrics["versions"], "labels": hashes, "features_fingerprint": fingerprint(),
            "params": {"stance": stance_params, "frame": frame_params}, "quantifier": quantifier.method,
            "created_by": "python train.py",
        })
        text = json.dumps(metrics, indent=1, sort_keys=True) + "\n"
        artifact.write_atomic(new / "metrics.json", text)
        # the card is written from metrics.json as saved, so it can be remade from that file alone
        artifact.write_atomic(new / "MODEL_CARD.md", model_card(json.loads(text), manifest))
    return TrainResult(metrics, manifest, out)
