"""Wall and CPU time of the whole training run, evaluation included, beside lighter runs.

    python bench/train_time.py [--runs 3]

Runs `python train.py --out TMP --quiet` in three settings, each `--runs` times (default 3; the
README says how many runs its figure is the median of), and prints the median wall time and the
median CPU seconds (the machine is shared, CPU time is steadier) beside the seeds-only reference,
with the load average before and after:
- default: seeds + written corpus, both held-out views, the card's comparison (seeds only, words
  only) included;
- --no-compare: the shipped model's evaluation and final fits only;
- --no-written --no-compare: the seed labels alone, the reference (what training cost before the
  written corpus).
"""

import argparse
import os
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

SETTINGS = {"default (with comparison)": [], "--no-compare": ["--no-compare"],
            "seeds only (--no-written --no-compare)": ["--no-written", "--no-compare"]}
results = {}
load_before = os.getloadavg()[0]
with tempfile.TemporaryDirectory() as tmp:
    for name, extra in SETTINGS.items():
        walls, cpus = [], []
        for i in range(args.runs):
            before = os.times()
            t = time.perf_counter()
            subprocess.run([sys.executable, str(root / "train.py"), "--out", f"{tmp}/m{i}", "--quiet", *extra],
                           cwd=root, check=True, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - t)
            after = os.times()
            cpus.append(after.children_user + after.children_system - before.children_user - before.children_system)
        results[name] = (statistics.median(walls), statistics.median(cpus))
ref = results["seeds only (--no-written --no-compare)"][1]
print(f"{'python train.py':42s} {'wall s':>8s} {'CPU s':>8s} {'CPU vs seeds only':>18s}   (median of {args.runs}, "
      f"load {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")
for name, (wall, cpu) in results.items():
    print(f"{name:42s} {wall:8.1f} {cpu:8.1f} {cpu / ref:17.1f}x")
