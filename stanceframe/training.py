"""labels/ -> model/: validate the labels, evaluate honestly, fit on everything, save with a card."""

from __future__ import annotations

import glob
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import artifact
from .errors import BadInput
from .corpuslabels import load_corpus_labels, read_corpus_labels
from .heldout import text_key
from .labels import CORPUS_COLUMNS, LABEL_COLUMNS, TARGETS, load_labels, load_sources, load_written, sha256_file
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


COLUMNS = ["sentence_id", "group", "origin", "text", "stance", "frame"]


def label_kind(path) -> str:
    """What a labels file holds, by its content: "seed" (sentence_id into the pages of sources.csv),
    "corpus" (doc_id into a corpus) or an annotation tool's export (stanceframe.annotations.KINDS)."""
    from . import annotations
    from .labels import csv_header

    kind = annotations.sniff(path)
    if kind != "csv":
        return kind
    header = csv_header(path)
    if not header:
        raise BadInput(f"{path}: file is empty; accepted: {annotations.ACCEPTED}")
    if "doc_id" in header:
        return "corpus"
    if "sentence_id" in header:
        return "seed"
    raise BadInput(f"{path}:1: a labels file has a doc_id column (corpus labels: {','.join(CORPUS_COLUMNS)}) or a "
                   f"sentence_id column (seed labels: {','.join(LABEL_COLUMNS)}); found: {','.join(header)}")


def load_training_data(label_patterns=DEFAULT_LABELS, source_files=DEFAULT_SOURCES, written_patterns=DEFAULT_WRITTEN,
                       corpus=(), say=None, columns=None):
    """Validated labels as one DataFrame, the sources they refer to, and each file's sha256.

    Rows of seed labels have `origin` "seed" and `group` their source; rows of corpus labels (and of
    annotation tools' exports) "corpus" and their outlet (`source`), whatever file or document they
    come from; rows of the written corpus "written" and their voice. Folds hold out one group at a
    time. An empty stance or frame is "" (not labelled for that target). With `corpus` (paths the
    tool reads), corpus labels' offsets are checked against the documents' text; without, the text
    is trusted and `say` says so; `columns` (readers.Columns) names a CSV/JSONL/Parquet corpus's columns.
    """
    import pandas as pd

    from . import annotations

    say = say or (lambda msg: None)
    label_paths = expand(label_patterns, "labels")
    kinds = {p: label_kind(p) for p in label_paths}
    seed_paths = [p for p in label_paths if kinds[p] == "seed"]
    sources: dict = {}
    source_paths = expand(source_files, "sources") if seed_paths and source_files else []
    if seed_paths and not source_paths:
        raise BadInput(f"{seed_paths[0]}: seed labels (sentence_id, source) point into the pages a sources.csv lists; "
                       "name it with --sources")
    for path in source_paths:
        for sid, src in load_sources(path).items():
            if sid in sources:
                raise BadInput(f"{path}: source {sid!r} is also listed in another sources file")
            sources[sid] = src
    parts = []
    if seed_paths:
        seeds = load_labels(seed_paths, sources).assign(origin="seed")
        seeds["group"] = seeds["source"]
        parts.append(seeds[COLUMNS])
    written_paths = expand(written_patterns, "written corpus") if written_patterns else []
    written = load_written(written_paths).assign(origin="written") if written_paths else None
    if written is not None:
        clash = sorted(set(written["voice"]) & set(parts[0]["group"] if parts else ()))
        if clash:
            raise BadInput(f"{written_paths[0]}: voice(s) {', '.join(clash)} have the name of a labelled source")
        written["group"] = written["voice"]
    corpus_rows = []
    for path in label_paths:
        if kinds[path] == "corpus":
            corpus_rows += read_corpus_labels(path)
        elif kinds[path] != "seed":
            imported = annotations.read(path)
            if not imported.rows:
                raise BadInput(f"{imported.summary(path)}: no human labels in it")
            say(imported.summary(path))
            corpus_rows += imported.rows
    if corpus_rows:
        parts.append(_corpus_part(corpus_rows, corpus, sources, written, say, columns))
    elif corpus:
        say("note: --corpus is for corpus labels (doc_id, source, start, end); no labels file has them")
    if written is not None:
        parts.append(written[COLUMNS])
    if not parts:
        raise BadInput(f"{', '.join(map(str, label_paths))}: no labelled sentences")
    df = pd.concat(parts, ignore_index=True)
    dup = df["sentence_id"][df["sentence_id"].duplicated()]
    if len(dup):
        raise BadInput(f"sentence_id {dup.iloc[0]!r} is used twice among the seed labels, corpus labels and the "
                       "written corpus")
    hashes = {_shown(p): sha256_file(p) for p in [*label_paths, *written_paths, *source_paths]}
    return df, sources, hashes


def _corpus_part(rows, corpus, sources, written, say, columns):
    """The corpus labels' rows (COLUMNS): each outlet one group, a name of its own."""
    from .corpuslabels import corpus_texts

    reserved = {sid: f"the id of seed source {sid} in sources.csv" for sid in sources}
    if written is not None:
        reserved.update({v: "a voice of the written corpus" for v in written["voice"].unique()})
    texts = None
    if corpus:
        paths = expand(corpus, "corpus")
        missing = [str(c) for c in paths if not c.exists()]
        if missing:
            raise BadInput(f"{missing[0]}: no such file or folder (--corpus names the corpus the labels point into)")
        texts = corpus_texts(paths, {(r.get("doc_id") or "").strip() for _, r in rows}, columns)
        for line in texts.failed:
            say(f"warning: corpus input {line}")
    df, unlabelled = load_corpus_labels(rows, texts, reserved)
    if df.empty:
        raise BadInput(f"{rows[0][0].rsplit(':', 1)[0]}: no labelled sentences (no row has a stance or a frame)")
    if unlabelled:
        say(f"{unlabelled} corpus label rows have neither a stance nor a frame: not labelled, left out")
    if texts is None:
        say(f"note: {len(df)} corpus labels are not checked against their documents (no --corpus given): "
            "their text is trusted as written")
    outlets = {s.outlet: s.source for s in sources.values() if s.outlet}
    for name in sorted(set(df["source"]) & set(outlets)):
        say(f"warning: corpus outlet {name!r} is also the outlet of seed source {outlets[name]}: they are two groups, "
            "so the fold holding out one trains on the other")
    # a sentence_id column (written by some tools) is ignored: a corpus sentence is its document and span
    ids = [f"{d}@{a}-{b}" for d, a, b in zip(df["doc_id"], df["start"], df["end"])]
    return df.assign(sentence_id=ids, group=df["source"], origin="corpus")[COLUMNS]


def views_of(df) -> dict:
    """The held-out views of labelled rows: every real outlet (seed or corpus) held out in turn
    (leave-one-source-out), and every written voice (leave-one-voice-out) when there are voices."""
    real = (df["origin"] != "written").to_numpy()
    groups = df["group"].to_numpy(dtype=object)
    views = {SEED_VIEW: sorted(set(groups[real]))}
    if (~real).any():
        views[WRITTEN_VIEW] = sorted(set(groups[~real]))
    return views


def check_trainable(df, compare: bool = False) -> None:
    """What training needs, said in one line (exit 2) before any fitting starts, per target on the rows
    labelled for it: two classes, at least three outlets or voices, real outlets to hold out, and two
    classes in every set a model is fitted on (each fold's training rows, and the splits its settings
    are chosen on), for the comparison's real-outlets-only training too with `compare`."""
    for target in TARGETS:
        sub = df[df[target] != ""]
        if sub.empty:
            raise BadInput(f"{target}: no sentence is labelled for {target}; the model has a stance and a frame "
                           f"classifier, so both need labels (the seed labels, labels/sentences.csv, have both)")
        n_groups = sub["group"].nunique()
        if n_groups < 3:
            raise BadInput(f"held-out evaluation needs labels from at least three sources or voices; found {n_groups}"
                           + (f" labelled for {target}" if len(sub) < len(df) else ""))
        classes = sorted(sub[target].unique())
        if len(classes) < 2:
            raise BadInput(f"{target}: training needs at least two classes; the labels have only "
                           f"{', '.join(classes) or 'none'}")
        views = views_of(sub)
        if not views[SEED_VIEW]:
            raise BadInput(f"{target}: only written voices are labelled for {target}; leave-one-source-out needs "
                           "sentences of real outlets labelled for it (the seed labels or corpus labels)")
        y, groups = sub[target].to_numpy(dtype=object), sub["group"].to_numpy(dtype=object)
        real = (sub["origin"] != "written").to_numpy()
        masks = {"": np.ones(len(sub), dtype=bool)}
        if compare and (~real).any():
            masks[" (the comparison trained on real outlets only; --no-compare skips it)"] = real
        problem = _untrainable(y, groups, [g for held in views.values() for g in held], masks)
        if problem:
            raise BadInput(f"{target}: {problem}")


def _untrainable(y, groups, held_out, masks: dict) -> str | None:
    """Why some fit of the evaluation would see one class only (None: none would): the final fit on
    all rows and each outer fold (training rows within each of `masks`), with the inner splits
    model.search chooses hyperparameters on, replayed without fitting anything."""
    from .model import inner_cv

    fits = [(g, mask & (groups != g), why) for why, mask in masks.items() for g in held_out]
    fits.append((None, np.ones(len(y), dtype=bool), ""))
    for held, rows, why in fits:
        name = "the final model" if held is None else f"the fold that holds {held!r} out"
        yy, gg = y[rows], groups[rows]
        if len(set(yy)) < 2:  # the final model sees every class (checked before)
            return (f"without {held!r} the labels have only one class, so {name} cannot be trained{why}; label "
                    "more classes in the other sources")
        try:
            with warnings.catch_warnings():  # "the least populated class has only 1 member" is the fit's to say
                warnings.simplefilter("ignore")
                splits = list(inner_cv(gg).split(yy, yy, gg))
        except ValueError as exc:
            return f"{name} cannot be split to choose its settings{why} ({exc}); label more sentences of each class"
        for tr, _ in splits:
            if len(set(yy[tr])) < 2:
                return (f"{name} chooses its settings on splits by outlet or voice{why}, and one of them has only "
                        f"{yy[tr][0]!r}; label more of every class, in more sources")
    return None


def _evaluate(df, n_jobs, final=False, train_mask=None, **options):
    """model.evaluate on each target's labelled rows (an empty cell: not labelled for that target);
    targets labelled on the same rows share one call, as the seed labels and written corpus do."""
    from . import model as M

    by_rows: dict = {}
    for t in TARGETS:
        mask = (df[t] != "").to_numpy()
        by_rows.setdefault(mask.tobytes(), (mask, []))[1].append(t)
    results, finals = {}, {}
    for mask, targets in by_rows.values():
        sub = df[mask]
        try:
            done = M.evaluate(sub["text"].to_numpy(dtype=object), {t: sub[t].to_numpy(dtype=object) for t in targets},
                              sub["group"].to_numpy(dtype=object), views_of(sub), n_jobs=n_jobs, final=final,
                              train_mask=None if train_mask is None else train_mask[mask], **options)
        except ValueError as exc:  # what check_trainable did not foresee, still one line
            raise BadInput(f"these labels cannot be trained ({' '.join(str(exc).split())}); label more sentences of "
                           "each class, in more sources") from None
        res, fin = done if final else (done, {})
        results.update(res)
        finals.update(fin)
    results = {t: results[t] for t in TARGETS}
    return (results, finals) if final else results


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
          progress=None, written_patterns=DEFAULT_WRITTEN, compare: bool = True, corpus=(),
          columns=None, notes=None) -> TrainResult:
    """Evaluate on both held-out views, fit on everything, save `out` with its metrics and card.

    With `compare`, the alternatives the card sets beside the shipped model are evaluated on the
    same folds: seeds only (no written corpus; with corpus labels: real outlets only) and words
    only (no concept tokens). Each target is trained and evaluated on the rows labelled for it.
    `progress` gets progress lines, `notes` what the labels' reading says (default: `progress`)."""
    from . import model as M
    from .features import fingerprint

    say = progress or (lambda msg: None)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out}: is a file; --out names the model folder to write")
    df, sources, hashes = load_training_data(label_patterns, source_files, written_patterns, corpus, notes or say,
                                             columns)
    check_trainable(df, compare)
    is_seed = (df["origin"] == "seed").to_numpy()
    is_real = (df["origin"] != "written").to_numpy()
    n_corpus = int((df["origin"] == "corpus").sum())
    targets = tuple(TARGETS)
    views = views_of(df)
    def outlets(origin):
        return df["group"][df["origin"] == origin].nunique()

    say(f"{is_seed.sum()} seed sentences from {outlets('seed')} outlets"
        + (f", {n_corpus} corpus sentences from {outlets('corpus')} outlets" if n_corpus else "")
        + f", {(~is_real).sum()} written sentences from "
        f"{len(views.get(WRITTEN_VIEW, []))} voices; nested evaluation and final fits ...")
    evaluation, final = _evaluate(df, n_jobs, final=True)
    comparison = {}
    if compare:
        variants = {f"{M.FEATURES}, seeds + written": None}
        if (~is_real).any():
            variants[f"{M.FEATURES}, {'real outlets' if n_corpus else 'seeds'} only"] = dict(train_mask=is_real)
        other = next(f for f in M.FEATURE_SETS if f != M.FEATURES)
        variants[f"{other}, seeds + written"] = dict(features=other)
        for name, kw in variants.items():
            if kw is None:
                res = evaluation
            else:
                say(f"comparison: {name} ...")
                res = _evaluate(df, n_jobs, quantify=False, **kw)
            comparison[name] = {t: {v: {"macro_f1": r["model"]["macro_f1"], "accuracy": r["model"]["accuracy"]}
                                    for v, r in res[t].items()} for t in targets}
        comparison["majority baseline"] = {t: {v: {m: r["baseline_majority"][m] for m in ("macro_f1", "accuracy")}
                                               for v, r in evaluation[t].items()} for t in targets}
    stance, stance_params, _, quantifier = final["stance"]
    frame, frame_params, _, _ = final["frame"]
    labelled = {t: (df[t] != "").to_numpy() for t in targets}
    if not all(m.all() for m in labelled.values()):
        shared = M.share_features({"stance": stance, "frame": frame}, df["text"].to_numpy(dtype=object),
                                  {t: (m, df[t][m].to_numpy(dtype=object)) for t, m in labelled.items()})
        stance, frame = shared["stance"], shared["frame"]
    suite = _challenge(stance, frame)

    def counts(col):
        return {c: {g: int(n) for g, n in sub["group"].value_counts().sort_index().items()}
                for c, sub in df[df[col] != ""].groupby(col, sort=True)}

    def per_class(rows):
        return {t: {c: int(n) for c, n in rows[t][rows[t] != ""].value_counts().sort_index().items()} for t in targets}

    data = {
        "n_sentences": int(len(df)),
        "n_seed": int(is_seed.sum()),
        "n_written": int((~is_real).sum()),
        "per_group": {g: int(n) for g, n in df["group"].value_counts().sort_index().items()},
        "seed_groups": views[SEED_VIEW],
        "written_groups": views.get(WRITTEN_VIEW, []),
        "per_class": per_class(df),
        "per_class_seed": per_class(df[is_seed]),
        "per_class_and_group": {t: counts(t) for t in targets},
        "sha256": hashes,
        "outlets": {s: sources[s].outlet for s in views[SEED_VIEW] if s in sources},
    }
    if n_corpus or (df[list(targets)] == "").any(axis=None):  # absent from the shipped model's metrics
        data["n_corpus"] = n_corpus
        data["corpus_groups"] = sorted(set(df["group"][df["origin"] == "corpus"]))
        data["n_labelled"] = {t: int((df[t] != "").sum()) for t in targets}
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
            "trained_texts": sorted({text_key(t) for t in df["text"]}),  # heldout.seen_in_training
            "params": {"stance": stance_params, "frame": frame_params}, "quantifier": quantifier.method,
            "created_by": "python train.py",
        })
        text = json.dumps(metrics, indent=1, sort_keys=True) + "\n"
        artifact.write_atomic(new / "metrics.json", text)
        # the card is written from metrics.json as saved, so it can be remade from that file alone
        artifact.write_atomic(new / "MODEL_CARD.md", model_card(json.loads(text), manifest))
    return TrainResult(metrics, manifest, out)
