"""Larger hyperparameter grids, each searched inside the training folds only (nested), against the
shipped grid: do they move the leave-one-source-out figures, and what do they cost?

    python bench/variants.py [--only NAME ...]

The issue lists C, word and character n-gram ranges, min_df, sublinear tf and class weights as
candidates for the nested search. The shipped grid searches C alone; this script measures what
searching the others as well would give, so that choice rests on numbers. Every variant is
evaluated exactly as train.py evaluates (model.evaluate on both held-out views: seed outlets and
written voices), and the values the inner searches chose are printed. These are the reported folds: the table informs, it is not a
license to pick the best-scoring row.
"""

import argparse
import sys
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from stanceframe import model as M  # noqa: E402
from stanceframe.features import clean  # noqa: E402
from stanceframe.training import load_training_data  # noqa: E402

CHARS = TfidfVectorizer(preprocessor=clean, analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
VARIANTS = {
    "shipped (C)": {},
    "C up to 10": {"clf__C": [0.3, 1.0, 3.0, 10.0]},  # frame always chooses the shipped grid's top C
    "+ class weight": {"clf__class_weight": ["balanced", None]},
    "+ char 2-5-grams": {"features__chars": ["drop", CHARS]},
    "+ min_df, sublinear tf": {"features__words__min_df": [1, 2], "features__words__sublinear_tf": [True, False]},
}

ap = argparse.ArgumentParser()
ap.add_argument("--only", nargs="*", choices=list(VARIANTS), help="Run only these variants.")
args = ap.parse_args()

shipped_pipeline, shipped_grid = M.make_pipeline, {t: dict(g) for t, g in M.GRID.items()}


def with_chars_slot(memory=None, features=M.FEATURES):
    pipe = shipped_pipeline(memory, features)
    pipe.named_steps["features"].transformer_list.append(("chars", "drop"))  # off unless the grid turns it on
    return pipe


df, _, _ = load_training_data()
X, groups = df["text"].to_numpy(dtype=object), df["group"].to_numpy(dtype=object)
targets = {t: df[t].to_numpy(dtype=object) for t in ("stance", "frame")}
seed = (df["origin"] == "seed").to_numpy()
views = {"loso": sorted(set(groups[seed])), "lovo": sorted(set(groups[~seed]))}
print(f"{len(df)} sentences, {len(set(groups))} sources and voices; nested search; LOSO / LOVO\n")
print(f"{'variant':26s} {'stance F1':>13s} {'frame acc':>13s} {'lean err':>13s} {'time':>6s}  chosen (frame, LOSO)")
for name, extra in VARIANTS.items():
    if args.only and name not in args.only:
        continue
    M.make_pipeline = with_chars_slot
    M.GRID.update({t: {**g, **extra} for t, g in shipped_grid.items()})
    started = time.perf_counter()
    # the variant lives in this process's module state: only forked workers (Linux) inherit it
    res = M.evaluate(X, targets, groups, views, n_jobs=2 if sys.platform.startswith("linux") else 1)
    took = time.perf_counter() - started
    st, fr = res["stance"], res["frame"]

    def pair(r, key, measure):
        return " / ".join(f"{r[v]['model' if key == 'model' else 'baseline_majority'][measure]['value']:.3f}" for v in views)

    lean = " / ".join(f"{st[v]['quantification']['selected']['mean_lean_error']:.3f}" for v in views)
    chosen = "; ".join(",".join(f"{k}={str(v)[:8]}" for k, v in f["chosen"].items()) for f in fr["loso"]["folds"])
    print(f"{name:26s} {pair(st, 'model', 'macro_f1'):>13s} {pair(fr, 'model', 'accuracy'):>13s} {lean:>13s} "
          f"{took:5.1f}s  {chosen}", flush=True)
print(f"\nmajority baseline: stance F1 {pair(st, 'base', 'macro_f1')}, frame acc {pair(fr, 'base', 'accuracy')}")
