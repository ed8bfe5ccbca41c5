"""Sentence splitter speed and the whole page -> sentences step, on the seed pages.

    python bench/segment_speed.py

The splitter is timed on the article paragraphs of the five seeds (repeated), the full step
(furniture removal + splitting) on the raw pages. Target: >= 100,000 sentences/s for the splitter.
"""

import time
from pathlib import Path

from stanceframe.segment import article_blocks, page_sentences, split_sentences

root = Path(__file__).resolve().parent.parent
pages = [p.read_text(encoding="utf-8") for p in sorted((root / "seeds").glob("0*.txt"))]
paragraphs = [page[s:e] for page in pages for s, e, _ in article_blocks(page)]


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t)
    return n, min(times)


def split_all(rounds=200):
    return sum(len(split_sentences(p)) for _ in range(rounds) for p in paragraphs)


def pages_all(rounds=50):
    return sum(len(page_sentences(p)) for _ in range(rounds) for p in pages)


n, t = best_of(split_all)
print(f"splitter (regex): {n / t:,.0f} sentences/s  ({n:,} sentences in {t:.3f} s, best of 5)")
n, t = best_of(pages_all)
print(f"page -> sentences (furniture removal + splitting): {n / t:,.0f} sentences/s  "
      f"({sum(len(p) for p in pages) * 50 / t / 1e6:.1f} MB/s of raw page text)")
