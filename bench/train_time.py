"""Wall time of the whole training run, evaluation included.

    python bench/train_time.py [--runs 3]

Runs `python train.py --out TMP --quiet` (nested leave-one-source-out and k-fold evaluation of
both targets, final fits, model card) and prints the median wall time. Target: <= 10 s here.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=3)
args = ap.parse_args()

times = []
with tempfile.TemporaryDirectory() as tmp:
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, str(root / "train.py"), "--out", tmp, "--quiet"], cwd=root, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
print(f"python train.py: median {statistics.median(times):.1f} s over {args.runs} runs "
      f"(min {min(times):.1f}, max {max(times):.1f})")
