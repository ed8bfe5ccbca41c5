"""The behavioural challenge suite (after CheckList, Ribeiro et al. 2020) on a trained model.

    python bench/challenge.py [--model model] [--failures]

The cases (bench/challenge.csv) were written for this suite and are never used for training:
minimal pairs for negation and for who does what to whom, Baku in conflict with Moscow, cooperation
with Moscow without Ukraine, invariance to names, reported speech, `none` sentences naming both
sides, and mixed sentences. Prints the pass rate per capability beside a majority-class answer
(every case given the most common expected stance) on the same cases. The model scores from its
exported weights (scoring.json), as `predict.py score` does.
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stanceframe import challenge  # noqa: E402
from stanceframe.labels import STANCES  # noqa: E402
from stanceframe.project import load_model  # noqa: E402
from stanceframe.scoring import Scorer  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--model", default=None, help="model folder (default: the bundled model/)")
ap.add_argument("--failures", action="store_true", help="also list every failed case")
args = ap.parse_args()

scorer = Scorer(load_model(args.model))


def model(texts):
    P, _, _ = scorer.predict(list(texts))
    return [STANCES[i] for i in P.argmax(1)]


majority = Counter(c["expected_stance"] for c in challenge.load_cases()).most_common(1)[0][0]
ours, base = challenge.run(model), challenge.run(lambda texts: [majority] * len(texts))
print(f"{'capability':26s} {'cases':>5s} {'model':>7s} {'groups':>7s} {'majority':>9s}")
for cap, r in ours["capabilities"].items():
    b = base["capabilities"][cap]
    print(f"{cap:26s} {r['n']:5d} {r['rate']:7.2f} {r['groups_passed']:3d}/{r['groups']:<3d} {b['rate']:9.2f}")
print(f"{'all':26s} {ours['n']:5d} {ours['rate']:7.2f} {ours['groups_passed']:3d}/{ours['groups']:<3d} "
      f"{base['rate']:9.2f}   (majority answer: {majority})")
if args.failures:
    for f in ours["failures"]:
        print(f"{f['case_id']}  expected {f['expected']:21s} got {f['got']:21s} {f['text']}")
