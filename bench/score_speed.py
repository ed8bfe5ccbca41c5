"""End-to-end scoring throughput against the bare pipeline, and memory as the corpus grows.

    python bench/score_speed.py [--sentences 200000]

Builds JSONL corpora from the seed articles repeated (one article per row), then measures
(1) bare `pipeline.predict_proba` on the same sentences, in this process, and (2) the wall time
and peak RSS of `python predict.py score CORPUS --format jsonl --output FILE` on half and on all of
the corpus. Target: end-to-end >= 50% of the bare throughput, memory flat.

Repeated sentences hit the feature functions' caches in both measurements alike; a second corpus
in which every copy carries a distinct marker word ("copy17") measures the uncached case.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root))

from stanceframe import artifact  # noqa: E402
from stanceframe.segment import article_blocks, page_sentences  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--sentences", type=int, default=200_000)
args = ap.parse_args()

pages = [p.read_text(encoding="utf-8") for p in sorted((root / "seeds").glob("0*.txt"))]
articles = ["\n\n".join(page[s:e] for s, e, _ in article_blocks(page)) for page in pages]
per_round = sum(len(page_sentences(a)) for a in articles)
rounds = -(-args.sentences // per_round)


def write_corpus(path: Path, n_rounds: int, unique: bool) -> list[str]:
    texts = []
    with open(path, "w", encoding="utf-8") as fh:
        for r in range(n_rounds):
            for i, a in enumerate(articles):
                text = a.replace(". ", f" copy{r}. ") if unique else a
                fh.write(json.dumps({"id": f"{r}-{i}", "source": f"s{i}", "text": text}) + "\n")
                texts.extend(s.text for s in page_sentences(text))
    return texts




def peak_rss_of(cmd):
    """Peak RSS in MB of a child process, from its own rusage."""
    code = ("import resource,subprocess,sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.DEVNULL, check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, check=True)
    return time.perf_counter() - t, int(out.stdout) / 1024


model = artifact.load(root / "model")
stance, _, _ = model.pipelines()
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    for unique in (False, True):
        corpus = tmp / "corpus.jsonl"
        texts = write_corpus(corpus, rounds, unique)
        half = tmp / "half.jsonl"
        write_corpus(half, rounds // 2, unique)
        chunk = 20_000
        t = time.perf_counter()
        for i in range(0, len(texts), chunk):
            stance.predict_proba(texts[i:i + chunk])
        bare = len(texts) / (time.perf_counter() - t)
        cmd = [sys.executable, str(root / "predict.py"), "score", str(corpus), "--format", "jsonl", "--output",
               str(tmp / "out.jsonl")]
        wall, rss = peak_rss_of(cmd)
        wall_half, rss_half = peak_rss_of(cmd[:3] + [str(half)] + cmd[4:])
        e2e = len(texts) / wall
        label = "unique copies (uncached)" if unique else "seed sentences repeated"
        print(f"{label}: {len(texts):,} sentences in {rounds * len(articles):,} articles, "
              f"{corpus.stat().st_size / 1e6:.0f} MB JSONL")
        print(f"  bare stance pipeline.predict_proba: {bare:,.0f} sentences/s")
        print(f"  predict.py score end to end:        {e2e:,.0f} sentences/s ({wall:.1f} s wall, incl. start-up, "
              f"reading, segmenting, stance + frame, uncertainty flags, writing) "
              f"= {e2e / bare:.0%} of bare")
        print(f"  peak RSS: {rss_half:.0f} MB for half the corpus, {rss:.0f} MB for all of it; "
              f"{os.cpu_count()} cores")
