"""Inter-annotator agreement between the two independent labelling passes, and label counts.

    python bench/agreement.py

Prints Cohen's kappa (stance, frame) between labels/passes/pass1.csv and pass2.csv, and the
counts per class and per source of the adjudicated labels in labels/sentences.csv.
"""

from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

root = Path(__file__).resolve().parent.parent
p1 = pd.read_csv(root / "labels/passes/pass1.csv", dtype=str, keep_default_na=False)
p2 = pd.read_csv(root / "labels/passes/pass2.csv", dtype=str, keep_default_na=False)
gold = pd.read_csv(root / "labels/sentences.csv", dtype=str, keep_default_na=False)
both = p1.merge(p2, on="sentence_id", suffixes=("_1", "_2"), validate="one_to_one")
assert len(both) == len(gold), "the passes must cover every labelled sentence"

print(f"sentences: {len(gold)}")
for target in ("stance", "frame"):
    a, b = both[f"{target}_1"].tolist(), both[f"{target}_2"].tolist()
    agree = sum(x == y for x, y in zip(a, b))
    kappa = cohen_kappa_score(a, b)
    print(f"{target:6s} kappa {kappa:.3f}  raw agreement {agree}/{len(a)} ({agree / len(a):.1%})")
for target in ("stance", "frame"):
    print(f"\n{target} counts per source (adjudicated labels)")
    print(pd.crosstab(gold[target], gold["source"], margins=True, margins_name="all").to_string())
