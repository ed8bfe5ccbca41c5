"""`predict.py suggest` against `predict.py score` on the same corpus: wall time, CPU time and peak RSS.

    python bench/suggest_speed.py [--sentences 100000] [--n 500]

Builds a JSONL corpus from examples/dated_corpus.jsonl repeated (every copy with a marker word of
its own, so sentences are distinct), then runs `score --format jsonl --output FILE` and `suggest
--n N --strategy mixed --output FILE.csv` on it. suggest scores every sentence as score does and
keeps only its pools (N random keys and 5 x N/2 least certain), so it should take about score's
time and no more memory, whatever the corpus size.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent

ap = argparse.ArgumentParser()
ap.add_argument("--sentences", type=int, default=100_000)
ap.add_argument("--n", type=int, default=500)
args = ap.parse_args()

rows = [json.loads(line) for line in (root / "examples" / "dated_corpus.jsonl").read_text().splitlines()]
per_round = sum(r["text"].count(". ") + 1 for r in rows)
rounds = -(-args.sentences // per_round)


WRAPPER = """import resource, runpy, sys
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run(cmd):
    """(wall s, CPU s, peak RSS MB, the command's last message) of one run in a process of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, cwd=root)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = out.stderr.strip().splitlines()
    if out.returncode:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, int(lines[-1].split()[1]) / 1024, lines[-2]


with tempfile.TemporaryDirectory() as tmp:
    corpus = Path(tmp) / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as fh:
        for k in range(rounds):
            for r in rows:
                copy = {**r, "id": f"{r['id']}-{k}", "text": r["text"].replace(". ", f" copy{k}. ")}
                fh.write(json.dumps(copy) + "\n")
    score = run(["predict.py", "score", str(corpus), "-f", "jsonl", "-o", f"{tmp}/scored.jsonl", "-j", "1"])
    suggest = run(["predict.py", "suggest", str(corpus), "--n", str(args.n), "--strategy", "mixed",
                   "-o", f"{tmp}/to_label.csv", "-j", "1"])
    print(f"corpus: {rounds * len(rows)} articles, about {rounds * per_round} sentences")
    print(f"score   : {score[0]:.1f} s wall, {score[1]:.1f} CPU s, peak RSS {score[2]:.0f} MB ({score[3]})")
    print(f"suggest : {suggest[0]:.1f} s wall, {suggest[1]:.1f} CPU s, peak RSS {suggest[2]:.0f} MB ({suggest[3]})")
    print(f"suggest / score: {suggest[1] / score[1]:.2f}x CPU")
