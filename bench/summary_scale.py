"""Summaries from scored output at scale: CPU and peak memory of `sources` on a scored corpus of 1M
sentences from 50 outlets and 20,000 articles, beside the CPU of scoring that corpus.

    python bench/summary_scale.py                 # score the corpus with --engine dask, then summarise it
    python bench/summary_scale.py --synthetic     # scored rows generated directly (synthetic probabilities)

The corpus is invented: sentences from templates, each with an invented word from a 20,000-word
made-up lexicon (so the vocabulary of the distinctive terms is not tiny) and a distinct report
number (so every sentence is distinct). Every command runs in a child process; CPU is user + system
time of the process and its children (resource.getrusage RUSAGE_CHILDREN), peak memory the largest
ru_maxrss among them. The scoring base is single-process `score --jobs 1` CPU on a sample of the
corpus (--sample sentences), scaled to the whole corpus; the Dask run's CPU is printed beside it.
Targets: `sources` CPU <= 0.5x scoring the same corpus, peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

root = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--sentences", type=int, default=1_000_000)
ap.add_argument("--outlets", type=int, default=50)
ap.add_argument("--articles", type=int, default=20_000)
ap.add_argument("--sample", type=int, default=50_000, help="sentences scored single-process for the base")
ap.add_argument("--synthetic", action="store_true", help="generate the scored rows instead of scoring with Dask")
ap.add_argument("--keep", type=Path, help="keep the corpus and the scored dataset in this folder")
ap.add_argument("--scored", type=Path, help="summarise this scored dataset (of this corpus) instead of scoring")
args = ap.parse_args()

TEMPLATES = [
    "Officials in Baku discussed the {w} corridor with envoys from Kyiv in report {n}",
    "Azerbaijan again declined to join the sanctions on Moscow over the {w} talks in report {n}",
    "The {w} delegation praised the alliance between Baku and the Kremlin in report {n}",
    "Baku shipped generators and medicines to Ukrainian hospitals near {w} in report {n}",
    "Analysts said the government balances its ties with Moscow and Kyiv on {w} in report {n}",
    "Grain prices on the Caspian exchange rose after the {w} harvest in report {n}",
    "Students rallied in the old city in support of Ukraine and the {w} refugees in report {n}",
    "The ministry called its policy toward both capitals neutral during the {w} summit in report {n}",
]
SYLLABLES = ["ka", "ro", "vin", "sel", "mar", "tu", "lek", "dra", "no", "bis", "ga", "zor", "pel", "qui", "ran",
             "sho", "tem", "ul", "vek", "yar"]


def lexicon(n: int) -> list[str]:
    words, rng = set(), np.random.default_rng(7)
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES, size=rng.integers(2, 5))))
    return sorted(words)


def corpus_articles():
    """(outlet, article id, sentences) of the invented corpus, in a fixed order."""
    words = lexicon(20_000)
    rng = np.random.default_rng(1)
    per_article = args.sentences // args.articles
    n = 0
    for a in range(args.articles):
        outlet = f"Outlet {a % args.outlets:02d}"
        sents = []
        for _ in range(per_article):
            t = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
            sents.append(t.format(w=words[int(rng.integers(len(words)))], n=100000 + n) + ".")
            n += 1
        yield outlet, f"a{a:05d}", sents


def write_corpus(path: Path, limit: int | None = None) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for outlet, aid, sents in corpus_articles():
            if limit is not None and n >= limit:
                break
            fh.write(json.dumps({"id": aid, "source": outlet, "text": " ".join(sents)}) + "\n")
            n += len(sents)
    return n


def write_synthetic_scored(folder: Path) -> int:
    """Scored rows with made-up probabilities (each outlet leaning its own way), as `score` writes them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sys.path.insert(0, str(root))
    from stanceframe.labels import FRAMES, STANCES
    from stanceframe.output import _arrow_type
    from stanceframe.scoring import SENTENCE_FIELDS

    folder.mkdir(parents=True)
    rng = np.random.default_rng(2)
    schema = pa.schema([(f, _arrow_type(f)) for f in SENTENCE_FIELDS])
    n, part, rows = 0, 0, []

    def flush():
        nonlocal part, rows
        cols = {f: [r[i] for r in rows] for i, f in enumerate(SENTENCE_FIELDS)}
        pq.write_table(pa.table(cols, schema=schema), folder / f"part.{part}.parquet")
        part, rows = part + 1, []

    for outlet, aid, sents in corpus_articles():
        o = int(outlet.split()[1])
        P = rng.dirichlet([1 + o / 25, 2 - o / 50, 1, 2], size=len(sents)).round(4)
        P[:, 3] = (1 - P[:, :3].sum(1)).round(4)
        frames = rng.integers(len(FRAMES), size=len(sents))
        start = 0
        for i, (s, p, f) in enumerate(zip(sents, P, frames)):
            unc = bool(p.max() < 0.4)
            rows.append((aid, outlet, i, start, start + len(s), "body", s, STANCES[int(p.argmax())], *map(float, p),
                         FRAMES[f], 0.5, unc, "low_confidence" if unc else ""))
            start += len(s) + 1
            n += 1
        if len(rows) >= 100_000:
            flush()
    if rows:
        flush()
    return n


def run(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of `cmd` in a child process and its descendants."""
    code = ("import resource,subprocess,sys,time; t=time.perf_counter(); "
            "r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
            "w=time.perf_counter()-t; u=resource.getrusage(resource.RUSAGE_CHILDREN); "
            "sys.stderr.write(r.stderr[-2000:]) if r.returncode else None; "
            "print(w, u.ru_utime+u.ru_stime, u.ru_maxrss, r.returncode)")
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(root)})
    wall, cpu, rss, rc = out.stdout.split()
    if rc != "0":
        sys.exit(f"failed ({rc}): {' '.join(cmd)}\n{out.stderr}")
    return float(wall), float(cpu), int(rss) / 1024


predict = [sys.executable, str(root / "predict.py")]
load = os.getloadavg()
with tempfile.TemporaryDirectory() as tmp:
    tmp = args.keep or Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    scored = tmp / "scored"
    sample = tmp / "sample.jsonl"
    n_sample = write_corpus(sample, args.sample)
    _, cpu_sample, rss_sample = run([*predict, "score", str(sample), "--format", "parquet", "--jobs", "1",
                                     "-o", str(tmp / "sample.parquet")])
    dask = None
    if args.scored:
        scored, n = args.scored, args.sentences
        what = f"scored output in {args.scored}"
    elif args.synthetic:
        n = write_synthetic_scored(scored)
        what = "synthetic probabilities (generated, not scored)"
    else:
        corpus = tmp / "corpus.jsonl"
        n = write_corpus(corpus)
        dask = run([*predict, "score", str(corpus), "--engine", "dask", "--jobs", "2", "-o", str(scored)])
        what = "scored with --engine dask (2 local workers)"
    wall, cpu, rss = run([*predict, "sources", str(scored), "--format", "json", "-o", str(tmp / "sources.json")])
    records = json.loads((tmp / "sources.json").read_text())
    # the same without the bootstrap (one replicate): what the arrays cost apart from the estimator's EM
    _, cpu_one, rss_one = run([*predict, "sources", str(scored), "--n-boot", "1", "--format", "json",
                               "-o", str(tmp / "sources1.json")])

base = cpu_sample * n / n_sample
print(f"corpus: {n:,} sentences, {args.articles:,} articles, {args.outlets} outlets; {what}")
print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)")
print(f"scoring base: score --jobs 1 on a {n_sample:,}-sentence sample: {cpu_sample:.1f} CPU s, peak {rss_sample:.0f} MB"
      f" -> {base:.1f} CPU s for {n:,} sentences ({n_sample / cpu_sample:,.0f} sentences per CPU s)")
if dask:
    print(f"score --engine dask: {dask[0]:.1f} s wall, {dask[1]:.1f} CPU s, largest process {dask[2]:.0f} MB")
print(f"sources on the scored output: {wall:.1f} s wall, {cpu:.1f} CPU s = {cpu / base:.2f}x the scoring base "
      f"(target <= 0.5x), peak {rss:.0f} MB (target <= 300 MB); {len(records)} outlets")
print(f"sources --n-boot 1 (the bootstrap left out): {cpu_one:.1f} CPU s = {cpu_one / base:.2f}x the scoring base, "
      f"peak {rss_one:.0f} MB; so the 1000 emq replicates take {cpu - cpu_one:.1f} CPU s")
