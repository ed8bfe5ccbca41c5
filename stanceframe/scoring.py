"""Score documents sentence by sentence and as a whole.

Sentences are scored in chunks across documents (one vectorisation per chunk), so a corpus of any
size streams through in flat memory. A sentence is flagged `uncertain` when the model's top stance
probability is low, when most of its words were never seen in training, or when it is not English;
uncertain sentences stay in the output, flagged, and are counted in article shares like every other
sentence: the shares are estimated on exactly the sentences the held-out evaluation measures.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from .features import SEPARATORS, separator
from .labels import STANCES
from .quantify import WEIGHTS_PER_BLOCK
from .readers import Document
from .segment import sentence_spans

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
    return bool(languages_ok([text])[0])


def _latin(text: str) -> bool:
    letters = len(_LETTER.findall(text))
    return not letters or len(_NON_ASCII_LETTER.findall(text)) / letters <= 0.2


def languages_ok(texts: list[str]) -> np.ndarray:
    """language_ok of each text, the chunk lower-cased and searched as one string (features.separator)."""
    sep = separator(texts)
    if sep is None and len(texts) > 1:
        return np.concatenate([languages_ok([t]) for t in texts])
    n = len(texts)
    joined = (sep.join(texts) + sep if sep is not None else texts[0]).lower()
    pattern = _WORD if sep is None else _word_or(sep)
    codes = np.fromiter(map(_WORD_CODES.get, pattern.findall(joined), repeat(0)), np.int8)
    ends = codes == _SEP_CODE
    row = np.cumsum(ends) - ends if sep is not None else np.zeros(len(codes), np.int64)
    words = np.bincount(row[~ends], minlength=n)
    english = np.bincount(row[codes == _ENGLISH_CODE], minlength=n)
    ok = (words < 8) | (english > 0)  # headlines often have no function word
    for i in np.flatnonzero(~np.fromiter(map(str.isascii, texts), bool, n)):
        ok[i] &= _latin(texts[i])
    return ok


_ENGLISH_CODE, _SEP_CODE = 1, 2
_WORD_CODES = {**dict.fromkeys(_ENGLISH, _ENGLISH_CODE), **dict.fromkeys(SEPARATORS, _SEP_CODE)}


@functools.lru_cache(maxsize=None)
def _word_or(sep: str) -> re.Pattern:
    return re.compile(f"{_WORD.pattern}|{re.escape(sep)}")


# The record schema: the fields of a sentence record and of an article record, in output order.
SENTENCE_FIELDS = ["doc_id", "source", "index", "start", "end", "kind", "text", "stance", "p_pro_ukraine",
                   "p_russia_accommodating", "p_balancing", "p_none", "frame", "p_frame", "uncertain",
                   "uncertain_reason"]
ARTICLE_FIELDS = ["doc_id", "source", "title", "date", "author", "url", "n_sentences", "n_stance_bearing",
                  "n_uncertain", "n_dropped_lines",
                  *[f"share_{s}{e}" for s in ("pro_ukraine", "russia_accommodating", "balancing", "none")
                    for e in ("", "_lo", "_hi")], "lean", "lean_lo", "lean_hi", "top_frames", "quantifier"]


def no_sentences_warning(doc: Document) -> str:
    return (f"warning: {doc.origin}: no article sentences found (empty, or only page furniture); "
            "written as a zero-sentence record")


def empty_record(doc: Document) -> dict:
    """The explicit record of an article with no sentences, so that nothing is silently dropped."""
    return {"doc_id": doc.id, "source": doc.source, "index": None, "start": None, "end": None, "kind": "",
            "text": "", "stance": None, **{f"p_{s}": None for s in STANCES}, "frame": None, "p_frame": None,
            "uncertain": True, "uncertain_reason": "no_sentences"}


_NONE = STANCES.index("none")
_REASONS = ["", "not_english", "low_coverage", "low_confidence", "not_english,low_confidence",
            "low_coverage,low_confidence"]


def _round4(x) -> float:
    return round(float(x), 4) + 0.0  # + 0.0: never -0.0 in the output


@dataclass(slots=True)
class Scored:
    """The scored sentences of a list of documents, as columns (sentence i of all documents at row i)."""

    counts: list[int]  # sentences per document
    dropped: list[int]  # lines dropped as page furniture, per document
    index: list[int]
    start: list[int]
    end: list[int]
    kind: list[str]
    text: list[str]
    stance: np.ndarray  # index into STANCES
    p_stance: np.ndarray  # (sentences, STANCES) probabilities
    frame: np.ndarray  # labels
    p_frame: np.ndarray
    uncertain: list[str]  # "" or the reason(s): low_confidence, low_coverage, not_english

    def columns(self, docs: list[Document]) -> dict[str, list]:
        """The sentence records as columns (SENTENCE_FIELDS), a document without sentences as its
        empty record: what `record` gives row by row, values rounded as written."""
        p = [list(map(round, self.p_stance[:, j].tolist(), repeat(4))) for j in range(len(STANCES))]
        stance = list(map(STANCES.__getitem__, self.stance.tolist()))
        p_frame = list(map(round, self.p_frame.tolist(), repeat(4)))
        frame = self.frame.tolist()
        cols: dict[str, list] = {f: [] for f in SENTENCE_FIELDS}
        k = 0
        for doc, n in zip(docs, self.counts):
            if not n:
                for f, v in empty_record(doc).items():
                    cols[f].append(v)
                continue
            cols["doc_id"] += [doc.id] * n
            cols["source"] += [doc.source] * n
            for f, values in (("index", self.index), ("start", self.start), ("end", self.end), ("kind", self.kind),
                              ("text", self.text), ("stance", stance), ("frame", frame), ("p_frame", p_frame),
                              ("uncertain_reason", self.uncertain)):
                cols[f] += values[k:k + n]
            for j, st in enumerate(STANCES):
                cols[f"p_{st}"] += p[j][k:k + n]
            cols["uncertain"] += [bool(r) for r in self.uncertain[k:k + n]]
            k += n
        return cols


def record(columns: dict[str, list], i: int) -> dict:
    """Row `i` of `columns` as a record."""
    return {f: columns[f][i] for f in columns}


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
        for batch, result in self.batches(docs, "score_batch", (), chunk, jobs, workers_first):
            for doc, (records, article) in zip(batch, result):
                yield doc, records, article

    def encoded(self, docs: Iterable[Document], fmt: str, csv_raw: bool = False, chunk: int = CHUNK_SENTENCES,
                jobs: int = 1, workers_first: bool = False):
        """Yield (documents, their sentence counts, their sentence rows encoded for output.RecordWriter)
        per chunk: as `score`, but workers send back the written rows (text, or an Arrow table)."""
        for batch, (counts, rows) in self.batches(docs, "encode_batch", (fmt, csv_raw), chunk, jobs, workers_first):
            yield batch, counts, rows

    def batches(self, docs: Iterable[Document], work: str, args: tuple, chunk: int = CHUNK_SENTENCES,
                jobs: int = 1, workers_first: bool = False):
        """Yield (documents, getattr(self, work)(documents, *args)) per chunk, in input order (see `score`)."""
        pool, in_flight = None, deque()
        if jobs > 1 and workers_first:
            pool = _start_pool(self, jobs)
            pool.submit(int)  # forks every worker now (a fork-context pool starts them all on the first task)
        batch: list[Document] = []
        n_batch = n_chunks = 0

        def submit(docs):
            in_flight.append((docs, pool.submit(_work, work, docs, args) if pool else getattr(self, work)(docs, *args)))

        def drain(keep: int):
            while len(in_flight) > keep:
                docs, result = in_flight.popleft()
                yield docs, result.result() if hasattr(result, "result") else result

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

    def scored(self, docs: list[Document]) -> Scored:
        """Every sentence of `docs` segmented and scored, as columns."""
        counts, dropped, index, start, end, kind, text = [], [], [], [], [], [], []
        for doc in docs:
            spans, n_dropped = sentence_spans(doc.text, doc.furniture, doc.headline_end)
            counts.append(len(spans))
            dropped.append(n_dropped)
            page = doc.text
            for i, (s, e, k) in enumerate(spans):
                index.append(i)
                start.append(s)
                end.append(e)
                kind.append(k)
                text.append(page[s:e])
        coverage: list[float] = []
        parts = [self.predict(text[i:i + CHUNK_SENTENCES], coverage)  # one huge article: bounded matrices
                 for i in range(0, len(text), CHUNK_SENTENCES)]
        if parts:
            P, frames, pf = (np.concatenate(x) for x in zip(*parts))
            english = np.concatenate([languages_ok(text[i:i + CHUNK_SENTENCES])
                                      for i in range(0, len(text), CHUNK_SENTENCES)])
        else:
            P, frames, pf, english = np.zeros((0, len(STANCES))), np.zeros(0, object), np.zeros(0), np.zeros(0, bool)
        # reasons in the order they are written: not_english or low_coverage, then low_confidence
        code = np.where(~english, 1, np.where(np.asarray(coverage) < MIN_COVERAGE, 2, 0))
        code = code + 3 * (P.max(1, initial=0) < MIN_TOP_PROBABILITY)
        reasons = [_REASONS[c] for c in code.tolist()]
        return Scored(counts, dropped, index, start, end, kind, text, P.argmax(1) if len(P) else np.zeros(0, int),
                      P, frames, pf, reasons)

    def score_batch(self, docs: list[Document]) -> list[tuple[list[dict], dict]]:
        """(sentence records, article record) of each document."""
        scored = self.scored(docs)
        columns = scored.columns(docs) if self.records else None
        out, k, row = [], 0, 0
        for doc, n, n_dropped in zip(docs, scored.counts, scored.dropped):
            records = []
            if columns is not None:
                records = [record(columns, i) for i in range(row, row + max(n, 1))]
                row += max(n, 1)
            out.append((records, self.article(doc, scored, k, n, n_dropped)))
            k += n
        return out

    def encode_batch(self, docs: list[Document], fmt: str, csv_raw: bool = False):
        """(sentences per document, their rows encoded as `fmt` by output.encode)."""
        from .output import encode

        scored = self.scored(docs)
        return scored.counts, encode(fmt, scored.columns(docs), csv_raw)

    def article(self, doc: Document, scored: Scored, k: int, n: int, n_dropped_lines: int = 0) -> dict:
        """The article's profile from its `n` sentences at row `k` of `scored`: counts, stance shares
        and lean with bootstrap 95% intervals, top frames.

        `n_dropped_lines`: lines the segmenter dropped as page furniture (predict.py segment lists them)."""
        stances, uncertain = scored.stance[k:k + n], scored.uncertain[k:k + n]
        rec = {"doc_id": doc.id, "source": doc.source, "title": doc.title, "date": doc.date, "author": doc.author,
               "url": doc.url, "n_sentences": n, "n_stance_bearing": int((stances != _NONE).sum()),
               "n_uncertain": sum(map(bool, uncertain)), "n_dropped_lines": n_dropped_lines,
               "quantifier": self.model.quantifier.method}
        if n and self.n_boot:  # n_boot 0: profiles nobody will read (only sentence rows are written)
            point, reps = self.bootstrap(scored.p_stance[k:k + n])
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
            frames = Counter(scored.frame[k:k + n].tolist())
            rec["top_frames"] = ", ".join(f"{f} {c / n:.0%}" for f, c in frames.most_common(3))
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


def score_frame(frame, model, columns=None, furniture: bool = False):
    """The sentence rows of a pandas DataFrame of documents (one per row), as a pyarrow Table with the
    columns and types of `score --format parquet` (SENTENCE_FIELDS): for a Dask engine's
    `map_partitions` (load the model once per worker with project.load_model). A row's id is its
    id column, else its index label; missing columns and null cells are empty strings; corpus rows
    are article text (`furniture` False), as `score` reads them."""
    from .output import encode
    from .readers import Columns

    c = columns or Columns()
    n = len(frame)

    def values(name):
        if name not in frame.columns:
            return [""] * n
        return ["" if v is None or (isinstance(v, float) and v != v) else str(v)
                for v in frame[name].to_numpy(dtype=object)]

    ids, texts = values(c.id), values(c.text)
    labels = [str(i) for i in frame.index]
    docs = [Document(id_ or label, text, "text", label, source, title, date, url, "utf-8", author, furniture)
            for id_, text, label, source, title, date, url, author in
            zip(ids, texts, labels, *(values(x) for x in (c.source, c.title, c.date, c.url, c.author)))]
    scored = Scorer(model, n_boot=0, records=False).scored(docs)
    return encode("parquet", scored.columns(docs)).data


def parse_shard(value: str):
    """`I/N` (1 <= I <= N) -> a test of whether a document is in shard I of N (see in_shard)."""
    from .errors import BadInput

    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise BadInput(f"--shard {value!r}: expected I/N with 1 <= I <= N (e.g. 1/4 ... 4/4 for a job array of four)")
    i, n = int(m.group(1)), int(m.group(2))
    return lambda doc: in_shard(doc.id, i, n)


def in_shard(doc_id: str, i: int, n: int) -> bool:
    """Whether a document belongs to shard `i` (1-based) of `n`: by a stable hash of its id (CRC-32 of
    its UTF-8), not by its position, so the shards do not depend on the order the inputs are read in;
    documents sharing an id fall in one shard."""
    import zlib

    return zlib.crc32(doc_id.encode("utf-8", "surrogatepass")) % n == i - 1


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


def _work(work: str, docs, args):
    return getattr(_WORKER_SCORER, work)(docs, *args)
