"""Score documents sentence by sentence and as a whole.

Sentences are scored in chunks across documents (one vectorisation per chunk), so a corpus of any
size streams through in flat memory. A sentence is flagged `uncertain` when the model's top stance
probability is low, when most of its words were never seen in training, or when it is not English;
uncertain sentences stay in the output, flagged, and are counted in article shares like every other
sentence: the shares are estimated on exactly the sentences the held-out evaluation measures.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .labels import STANCES
from .quantify import WEIGHTS_PER_BLOCK
from .readers import Document
from .segment import segment_page

MIN_TOP_PROBABILITY = 0.40  # below this the stance is a guess among four classes
MIN_COVERAGE = 0.50  # share of a sentence's words the model saw in training
CHUNK_SENTENCES = 5_000
N_BOOT_ARTICLE = 200
SEED = 0

_WORD = re.compile(r"[^\W\d_][\w'-]*")
_LETTER = re.compile(r"[^\W\d_]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_ENGLISH = frozenset(
    "the of and to in a is that for on with as by was it its are be has have from at this an which not or "
    "their his her they but were been will would can also more than".split()
)


def language_ok(text: str) -> bool:
    """A cheap English test: mostly Latin letters and, in longer sentences, English function words."""
    if not text.isascii():
        letters = len(_LETTER.findall(text))
        if letters and len(_NON_ASCII_LETTER.findall(text)) / letters > 0.2:
            return False
    words = _WORD.findall(text.lower())
    return len(words) < 8 or not _ENGLISH.isdisjoint(words)  # headlines often have no function word


@dataclass(slots=True)
class SentenceScore:
    index: int
    start: int
    end: int
    text: str
    kind: str
    stance: str
    p_stance: np.ndarray  # in STANCES order
    frame: str
    p_frame: float
    uncertain: str  # "" or the reason(s): low_confidence, low_coverage, not_english

    def record(self, doc: Document) -> dict:
        return {
            "doc_id": doc.id, "source": doc.source, "index": self.index, "start": self.start, "end": self.end,
            "kind": self.kind, "text": self.text, "stance": self.stance,
            **{f"p_{s}": round(float(p), 4) for s, p in zip(STANCES, self.p_stance)},
            "frame": self.frame, "p_frame": round(self.p_frame, 4),
            "uncertain": bool(self.uncertain), "uncertain_reason": self.uncertain,
        }


# The record schema: the fields of a sentence record and of an article record, in output order.
SENTENCE_FIELDS = ["doc_id", "source", "index", "start", "end", "kind", "text", "stance", "p_pro_ukraine",
                   "p_russia_accommodating", "p_balancing", "p_none", "frame", "p_frame", "uncertain",
                   "uncertain_reason"]
ARTICLE_FIELDS = ["doc_id", "source", "title", "date", "author", "url", "n_sentences", "n_stance_bearing",
                  "n_uncertain", "n_dropped_lines",
                  *[f"share_{s}{e}" for s in ("pro_ukraine", "russia_accommodating", "balancing", "none")
                    for e in ("", "_lo", "_hi")], "lean", "lean_lo", "lean_hi", "top_frames", "quantifier"]


def empty_record(doc: Document) -> dict:
    """The explicit record of an article with no sentences, so that nothing is silently dropped."""
    return {"doc_id": doc.id, "source": doc.source, "index": None, "start": None, "end": None, "kind": "",
            "text": "", "stance": None, **{f"p_{s}": None for s in STANCES}, "frame": None, "p_frame": None,
            "uncertain": True, "uncertain_reason": "no_sentences"}


def _round4(x) -> float:
    return round(float(x), 4) + 0.0  # + 0.0: never -0.0 in the output


class Scorer:
    def __init__(self, model, n_boot: int = N_BOOT_ARTICLE, records: bool = True):
        """`records`: build sentence records (False when only article profiles are wanted);
        `n_boot`: replicates for article intervals, 0 for no article shares at all (when only
        sentence rows are wanted, counting each article would be wasted work)."""
        self.model = model
        self.records = records
        self.linear = model.linear
        self.n_boot = n_boot
        classes = self.linear.classes["stance"]
        self.order = [classes.index(s) if s in classes else None for s in STANCES]
        self.frames = np.array(self.linear.classes["frame"], dtype=object)

    def predict(self, texts: list[str], coverage: list | None = None):
        """(stance probabilities in STANCES order, frame labels, frame probabilities) for sentences.

        With a `coverage` list, also appends each sentence's share of words seen in training.
        """
        X = self.linear.transform(texts, coverage)  # both targets share their features: transform once
        Ps, Pf = self.linear.predict_proba("stance", X), self.linear.predict_proba("frame", X)
        out = np.zeros((len(texts), len(STANCES)))
        for j, i in enumerate(self.order):
            if i is not None:
                out[:, j] = Ps[:, i]
        top = Pf.argmax(1)
        return out, self.frames[top], Pf[np.arange(len(texts)), top]

    def score(self, docs: Iterable[Document], chunk: int = CHUNK_SENTENCES, jobs: int = 1,
              workers_first: bool = False) -> Iterator[tuple[Document, list[dict], dict]]:
        """Yield (document, its sentence records, its article record) in input order.

        Documents are scored in chunks of about `chunk` sentences. With jobs > 1 the chunks go to
        that many worker processes, started only once a second chunk shows the input is large, or
        with `workers_first` before the first document is read (see readers.large_input): each
        worker is then a copy of a parent holding the model only, not of one holding a reader's
        buffers (pyarrow's) and a chunk of documents. Workers send back plain records, not objects.
        """
        pool, in_flight = None, deque()
        if jobs > 1 and workers_first:
            pool = _start_pool(self, jobs)
            pool.submit(int)  # forks every worker now (a fork-context pool starts them all on the first task)
        batch: list[Document] = []
        n_batch = n_chunks = 0

        def submit(docs):
            in_flight.append((docs, pool.submit(_score_batch, docs) if pool else self.score_batch(docs)))

        def drain(keep: int):
            while len(in_flight) > keep:
                docs, result = in_flight.popleft()
                for doc, (records, article) in zip(docs, result.result() if hasattr(result, "result") else result):
                    yield doc, records, article

        try:
            for doc in docs:
                batch.append(doc)
                n_batch += doc.text.count(".") + 1  # a cheap sentence estimate, to size chunks
                if n_batch < chunk:
                    continue
                n_chunks += 1
                if pool is None and jobs > 1 and n_chunks > 1:
                    pool = _start_pool(self, jobs)
                submit(batch)
                batch, n_batch = [], 0
                yield from drain(2 * jobs if pool else 0)
            if batch:
                submit(batch)
            yield from drain(0)
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)

    def score_batch(self, docs: list[Document]) -> list[tuple[list[dict], dict]]:
        """(sentence records, article record) of each document."""
        pending = []
        for doc in docs:
            sents, lines = segment_page(doc.text, doc.id, doc.furniture, doc.headline_end)
            pending.append((doc, sents, sum(1 for ln in lines if not ln.kind)))
        texts = [s.text for _, sents, _ in pending for s in sents]
        coverage: list[float] = []
        parts = [self.predict(texts[i:i + CHUNK_SENTENCES], coverage)  # one huge article: bounded matrices
                 for i in range(0, len(texts), CHUNK_SENTENCES)]
        if parts:
            Ps, frames, pf = (np.concatenate(x) for x in zip(*parts))
        out, k = [], 0
        for doc, sents, n_dropped in pending:
            scored = []
            for s in sents:
                p = Ps[k]
                reasons = []
                if not language_ok(s.text):
                    reasons.append("not_english")
                elif coverage[k] < MIN_COVERAGE:
                    reasons.append("low_coverage")
                if p.max() < MIN_TOP_PROBABILITY:
                    reasons.append("low_confidence")
                scored.append(SentenceScore(s.index, s.start, s.end, s.text, s.kind, STANCES[int(p.argmax())], p,
                                            str(frames[k]), float(pf[k]), ",".join(reasons)))
                k += 1
            records = ([x.record(doc) for x in scored] or [empty_record(doc)]) if self.records else []
            out.append((records, self.article(doc, scored, n_dropped)))
        return out

    def article(self, doc: Document, scored: list[SentenceScore], n_dropped_lines: int = 0) -> dict:
        """The article's profile: counts, stance shares and lean with bootstrap 95% intervals, top frames.

        `n_dropped_lines`: lines the segmenter dropped as page furniture (predict.py segment lists them)."""
        rec = {"doc_id": doc.id, "source": doc.source, "title": doc.title, "date": doc.date, "author": doc.author,
               "url": doc.url, "n_sentences": len(scored), "n_stance_bearing": sum(s.stance != "none" for s in scored),
               "n_uncertain": sum(bool(s.uncertain) for s in scored), "n_dropped_lines": n_dropped_lines,
               "quantifier": self.model.quantifier.method}
        if scored and self.n_boot:  # n_boot 0: profiles nobody will read (only sentence rows are written)
            point, reps = self.bootstrap(np.array([s.p_stance for s in scored]))
            lean = point[0] - point[1]
            for j, st in enumerate(STANCES):
                rec[f"share_{st}"] = _round4(point[j])
            rec["lean"] = _round4(lean)
            lo, hi = np.percentile(reps, [2.5, 97.5], axis=0)
            for j, st in enumerate(STANCES):
                rec[f"share_{st}_lo"] = _round4(min(lo[j], point[j]))
                rec[f"share_{st}_hi"] = _round4(max(hi[j], point[j]))
            llo, lhi = np.percentile(reps[:, 0] - reps[:, 1], [2.5, 97.5])
            rec.update(lean_lo=_round4(min(llo, lean)), lean_hi=_round4(max(lhi, lean)))
            frames = Counter(s.frame for s in scored)
            rec["top_frames"] = ", ".join(f"{f} {n / len(scored):.0%}" for f, n in frames.most_common(3))
        else:
            for st in STANCES:
                rec[f"share_{st}"] = rec[f"share_{st}_lo"] = rec[f"share_{st}_hi"] = None
            rec.update(lean=None, lean_lo=None, lean_hi=None, top_frames="")
        return rec

    def bootstrap(self, P: np.ndarray):
        """Shares (STANCES order) by the model's counting method, and n_boot bootstrap replicates
        (None when n_boot is 0)."""
        q = self.model.quantifier
        point = q.shares_in(P, STANCES)[0]
        if not self.n_boot:
            return point, None
        n = len(P)
        rng = np.random.default_rng(SEED)
        block = max(1, WEIGHTS_PER_BLOCK // n)  # a very long article's bootstrap in bounded memory
        reps = np.vstack([q.shares_in(P, STANCES, rng.multinomial(n, np.full(n, 1 / n), size=min(block, self.n_boot - i)) / n)
                          for i in range(0, self.n_boot, block)])
        return point, reps


# --- worker processes ---------------------------------------------------------------------------

_WORKER_SCORER: Scorer | None = None


def _start_pool(scorer: Scorer, jobs: int):
    """Worker processes holding the scorer. Forked, so nothing is loaded again; the caller must not
    run threads of its own then (forking a process with threads can deadlock the child)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from .lifeline import die_with_parent

    global _WORKER_SCORER
    _WORKER_SCORER = scorer  # inherited by the forked workers
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent,
                               initargs=(os.getpid(),))  # a killed parent must not leave workers blocked


def _score_batch(docs):
    return _WORKER_SCORER.score_batch(docs)
