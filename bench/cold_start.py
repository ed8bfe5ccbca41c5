"""Cold start: `predict.py score one_article.txt` against `python -c "import sklearn.linear_model"`.

    python bench/cold_start.py [--runs 7]

Median wall time of several runs of each. Target: scoring one article <= 1.3x the sklearn import.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=7)
args = ap.parse_args()


def median_wall(cmd):
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


article = root / "examples" / "article.md"
base = median_wall([sys.executable, "-c", "import sklearn.linear_model"])
score = median_wall([sys.executable, str(root / "predict.py"), "score", str(article)])
explain = median_wall([sys.executable, str(root / "predict.py"), "explain", "Baku sent aid to Ukraine."])
print(f"python -c 'import sklearn.linear_model': {base:.2f} s (median of {args.runs})")
print(f"predict.py score {article.relative_to(root)}: {score:.2f} s = {score / base:.2f}x")
print(f"predict.py explain (loads the sklearn pipelines): {explain:.2f} s = {explain / base:.2f}x")
