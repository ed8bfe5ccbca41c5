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

# --- the written corpus: pass 1 (the writers' own labels) against the blind pass 2 ---------------
passes = root / "labels/passes/written"
rows = []
for p1_path in sorted(passes.glob("pass1_writer*.csv")):
    n = p1_path.stem.removeprefix("pass1_writer")
    a = pd.read_csv(p1_path, dtype=str, keep_default_na=False)
    b = pd.read_csv(passes / f"pass2_writer{n}.csv", dtype=str, keep_default_na=False)
    assert len(a) == len(b), f"writer {n}: the passes differ in length"
    rows.append(pd.DataFrame({"writer": n, "voice": a["voice"], "stance_1": a["stance"], "stance_2": b["stance"],
                              "frame_1": a["frame"], "frame_2": b["frame"]}))
if rows:
    w = pd.concat(rows, ignore_index=True)
    print(f"\nwritten corpus, before adjudication: {len(w)} sentences from {w['writer'].nunique()} writers")
    for target in ("stance", "frame"):
        a, b = w[f"{target}_1"], w[f"{target}_2"]
        print(f"{target:6s} kappa {cohen_kappa_score(a, b):.3f}  raw agreement {(a == b).sum()}/{len(w)} "
              f"({(a == b).mean():.1%})")
    print("per writer (stance kappa, frame kappa):",
          ", ".join(f"{n}: {cohen_kappa_score(g['stance_1'], g['stance_2']):.3f}, "
                    f"{cohen_kappa_score(g['frame_1'], g['frame_2']):.3f}" for n, g in w.groupby("writer")))
    written = pd.read_csv(root / "labels/written.csv", dtype=str, keep_default_na=False)
    print(f"\nwritten.csv (adjudicated, near-duplicates left out): {len(written)} sentences")
    for col in ("stance", "frame", "voice", "register", "year"):
        print(f"{col}: " + ", ".join(f"{k} {v}" for k, v in written[col].value_counts().sort_index().items()))
