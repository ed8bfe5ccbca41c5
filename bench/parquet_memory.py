"""Peak memory of `predict.py score CORPUS -f jsonl -o out.jsonl` for the same corpus as Parquet, CSV
and JSON Lines, side by side (issue 12, case 20: Parquet input should stream in flat memory).

    python bench/parquet_memory.py                      # 10k, 100k and 1M sentences, --jobs 1 and 2
    python bench/parquet_memory.py --sizes 10000 100000 --jobs 2

The corpora are made up here in a temp dir (invented sentences, five to an article, written once per
size in all three formats, with an `extra` column as large as the text that scoring does not need;
the Parquet file in one row group, as pandas and pyarrow write it by
default). For each run it prints the largest process's peak RSS (the parent's, or a worker's, from
wait4), the peak of the whole process tree (parent and workers summed, sampled every 20 ms), the
time, and both peaks as ratios to JSON Lines of the same size and --jobs in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("STANCEFRAME_ROOT") or Path(__file__).resolve().parent.parent)  # another checkout
SENTENCES_PER_ARTICLE = 5
WORDS = ("Baku Moscow Kyiv Ankara officials ministers traders farmers delegation pipeline grain sanctions "
         "talks border aid corridor summit visit statement agreement partners neighbours envoy gas ports").split()
VERBS = ("said", "denied", "welcomed", "criticised", "praised", "questioned", "announced", "reported")


def sentence(i: int) -> str:
    w = WORDS
    return (f"The {w[i % len(w)]} {VERBS[i % len(VERBS)]} that the {w[(i * 7) % len(w)]} of "
            f"{w[(i * 3) % len(w)]} would matter for the {w[(i * 11) % len(w)]} in week {i % 997}.")


def write_corpora(folder: Path, n_sentences: int) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n_rows = n_sentences // SENTENCES_PER_ARTICLE
    ids = [f"a{i}" for i in range(n_rows)]
    sources = [f"outlet{i % 7}" for i in range(n_rows)]
    texts = [" ".join(sentence(i * SENTENCES_PER_ARTICLE + j) for j in range(SENTENCES_PER_ARTICLE))
             for i in range(n_rows)]
    paths = {fmt: folder / f"c{n_sentences}.{fmt}" for fmt in ("parquet", "csv", "jsonl")}
    pq.write_table(pa.table({"id": ids, "source": sources, "text": texts, "extra": texts}), paths["parquet"])
    with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "source", "text", "extra"])
        w.writerows(zip(ids, sources, texts, texts))
    with open(paths["jsonl"], "w", encoding="utf-8") as fh:
        for row in zip(ids, sources, texts):
            fh.write(json.dumps({"id": row[0], "source": row[1], "text": row[2], "extra": row[2]}) + "\n")
    return paths


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its children (one level: the scoring workers)."""
    total = 0
    try:
        kids = open(f"/proc/{pid}/task/{pid}/children").read().split()
    except OSError:
        kids = []
    for p in [str(pid), *kids]:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def measure(corpus: Path, jobs: int, out: Path) -> tuple[float, float, float]:
    """(largest process's peak MB, process tree's sampled peak MB, seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, str(ROOT / "predict.py"), "score", str(corpus), "-f", "jsonl",
                          "-o", str(out), "--jobs", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = 0
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        tree = max(tree, _tree_rss(p.pid))
        time.sleep(0.02)
    secs = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{corpus}: exit {code}\n{err}")
    return usage.ru_maxrss / 1024, tree / 2**20, secs


def main() -> int:
    if sys.argv[1:2] == ["--write"]:
        write_corpora(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    print(f"{'sentences':>10} {'jobs':>4} {'format':>8} {'peak MB':>8} {'tree MB':>8} {'s':>6}  "
          f"{'peak/jsonl':>10} {'tree/jsonl':>10}")
    with tempfile.TemporaryDirectory(prefix="parquet-memory-") as tmp:
        folder = Path(tmp)
        for n in args.sizes:
            # written by a child: this process stays small, and each measured run starts from its size
            # (a forked child's peak RSS counts what it inherited before exec)
            subprocess.run([sys.executable, __file__, "--write", str(folder), str(n)], check=True)
            paths = {fmt: folder / f"c{n}.{fmt}" for fmt in ("parquet", "csv", "jsonl")}
            for jobs in args.jobs:
                got = {fmt: measure(path, jobs, folder / "out.jsonl") for fmt, path in
                       (("jsonl", paths["jsonl"]), ("csv", paths["csv"]), ("parquet", paths["parquet"]))}
                base = got["jsonl"]
                for fmt, (peak, tree, secs) in got.items():
                    print(f"{n:>10,} {jobs:>4} {fmt:>8} {peak:>8.0f} {tree:>8.0f} {secs:>6.1f}  "
                          f"{peak / base[0]:>10.2f} {tree / base[1]:>10.2f}", flush=True)
            for path in paths.values():
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
