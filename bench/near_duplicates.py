"""Near-duplicate sentences in the written corpus: between its writers, within a writer, and
against the seed pages' sentences (which must never be copied or paraphrased).

    python bench/near_duplicates.py [--threshold 0.6]

Similarity is the cosine of word 1-3-gram TF-IDF vectors (stop words kept, so a copied sentence
with one name changed still scores high). Prints every pair above the threshold and the counts
beside the same figure for pairs of seed sentences from different outlets, as a reference.
"""

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stanceframe.labels import load_labels, load_sources  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threshold", type=float, default=0.6)
ap.add_argument("--written", default=str(ROOT / "labels/written.csv"))
args = ap.parse_args()

written = []
for path in sorted((ROOT / "labels/passes/written").glob("pass1_writer*.csv")) if not Path(args.written).is_file() \
        else [Path(args.written)]:
    with open(path, newline="", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), 1):
            written.append((r.get("sentence_id") or f"w-{path.stem[-1]}{i:03d}", r["text"]))
seeds = load_labels([ROOT / "labels/sentences.csv"], load_sources(ROOT / "seeds/sources.csv"))
seed_rows = list(zip(seeds["sentence_id"], seeds["text"]))

texts = [t for _, t in written] + [t for _, t in seed_rows]
vec = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b").fit(texts)
W, S = vec.transform([t for _, t in written]), vec.transform([t for _, t in seed_rows])

ww = (W @ W.T).toarray()
np.fill_diagonal(ww, 0)
i, j = np.nonzero(np.triu(ww) > args.threshold)
print(f"written corpus: {len(written)} sentences; pairs above {args.threshold}: {len(i)}")
for a, b in sorted(zip(i, j), key=lambda p: -ww[p]):
    print(f"  {ww[a, b]:.2f}  {written[a][0]} | {written[b][0]}\n        {written[a][1]}\n        {written[b][1]}")
ws = (W @ S.T).toarray()
i, j = np.nonzero(ws > args.threshold)
print(f"against the {len(seed_rows)} seed sentences: pairs above {args.threshold}: {len(i)}; "
      f"highest {ws.max():.2f}")
for a, b in zip(i, j):
    print(f"  {ws[a, b]:.2f}  {written[a][0]} | seed {seed_rows[b][0]}\n        {written[a][1]}\n        {seed_rows[b][1]}")
ss = (S @ S.T).toarray()
src = np.array([sid[:3] for sid, _ in seed_rows])
other = src[:, None] != src[None, :]
print(f"reference: seed sentences of different outlets above {args.threshold}: {int((np.triu(ss * other) > args.threshold).sum())}; "
      f"highest {(ss * other).max():.2f}")
