"""Score documents sentence by sentence and as a whole.

Sentences are scored in chunks across documents (one vectorisation per chunk), so a corpus of any
size streams through in flat memory. A sentence is flagged `uncertain` when the model's top stance
probability is low, when most of its words were never seen in training, or when it is not English;
uncertain sentences stay in the output but are left out of article shares, and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .features import clean
from .labels import STANCES
from .readers import Document
from .segment import page_sentences

MIN_TOP_PROBABILITY = 0.40  # below this the stance is a guess among four classes
MIN_COVERAGE = 0.50  # share of a sentence's words the model saw in training
CHUNK_SENTENCES = 20_000
N_BOOT_ARTICLE = 200
SEED = 0

_WORD = re.compile(r"[^\W\d_][\w'-]*")
_ENGLISH = frozenset(
    "the of and to in a is that for on with as by was it its are be has have from at this an which not or "
    "their his her they but were been will would can also more than".split()
)


def language_ok(text: str) -> bool:
    """A cheap English test: mostly Latin letters and, in longer sentences, English function words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    if sum(c.isascii() for c in letters) / len(letters) < 0.8:
        return False
    words = _WORD.findall(text.lower())
    return len(words) < 5 or any(w in _ENGLISH for w in words)


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


class Scorer:
    def __init__(self, model, n_boot: int = N_BOOT_ARTICLE):
        self.model = model
        self.n_boot = n_boot
        self.vocab = model.vocabulary()
        # both pipelines were fitted on the same sentences with the same features: transform once
        self.shared = _same_features(model.stance, model.frame)
        self.order = [list(model.stance.classes_).index(s) if s in model.stance.classes_ else None for s in STANCES]

    def predict(self, texts: list[str]):
        """(stance probabilities in STANCES order, frame labels, frame probabilities) for sentences."""
        m = self.model
        if self.shared:
            Xf = m.stance[:-1].transform(texts)
            Ps, Pf = m.stance[-1].predict_proba(Xf), m.frame[-1].predict_proba(Xf)
        else:
            Ps, Pf = m.stance.predict_proba(texts), m.frame.predict_proba(texts)
        out = np.zeros((len(texts), len(STANCES)))
        for j, i in enumerate(self.order):
            if i is not None:
                out[:, j] = Ps[:, i]
        top = Pf.argmax(1)
        return out, m.frame.classes_[top], Pf[np.arange(len(texts)), top]

    def coverage(self, text: str) -> float:
        words = _WORD.findall(clean(text))
        return sum(w in self.vocab for w in words) / len(words) if words else 1.0

    def score(self, docs: Iterable[Document], chunk: int = CHUNK_SENTENCES) -> Iterator[tuple[Document, list]]:
        """Yield (document, [SentenceScore]) in input order, scoring sentences in chunks."""
        pending: list[tuple[Document, list]] = []
        n_pending = 0
        for doc in docs:
            sents = page_sentences(doc.text, doc.id)
            pending.append((doc, sents))
            n_pending += len(sents)
            if n_pending >= chunk:
                yield from self._flush(pending)
                pending, n_pending = [], 0
        yield from self._flush(pending)

    def _flush(self, pending):
        texts = [s.text for _, sents in pending for s in sents]
        if texts:
            Ps, frames, pf = self.predict(texts)
        k = 0
        for doc, sents in pending:
            scored = []
            for s in sents:
                p = Ps[k]
                reasons = []
                if not language_ok(s.text):
                    reasons.append("not_english")
                elif self.coverage(s.text) < MIN_COVERAGE:
                    reasons.append("low_coverage")
                if p.max() < MIN_TOP_PROBABILITY:
                    reasons.append("low_confidence")
                scored.append(SentenceScore(s.index, s.start, s.end, s.text, s.kind, STANCES[int(p.argmax())], p,
                                            str(frames[k]), float(pf[k]), ",".join(reasons)))
                k += 1
            yield doc, scored

    def article(self, doc: Document, scored: list[SentenceScore]) -> dict:
        """The article's profile: counts, stance shares and lean with bootstrap 95% intervals, top frames."""
        counted = [s for s in scored if not s.uncertain]
        rec = {"doc_id": doc.id, "source": doc.source, "title": doc.title, "date": doc.date, "url": doc.url,
               "n_sentences": len(scored), "n_stance_bearing": sum(s.stance != "none" for s in counted),
               "n_uncertain": len(scored) - len(counted), "quantifier": self.model.quantifier.method}
        if counted:
            point, reps = self.bootstrap(np.array([s.p_stance for s in counted]))
            lo, hi = np.percentile(reps, [2.5, 97.5], axis=0)
            lean = point[0] - point[1]
            reps_lean = reps[:, 0] - reps[:, 1]
            for j, st in enumerate(STANCES):
                rec[f"share_{st}"] = round(float(point[j]), 4)
                rec[f"share_{st}_lo"] = round(float(min(lo[j], point[j])), 4)
                rec[f"share_{st}_hi"] = round(float(max(hi[j], point[j])), 4)
            llo, lhi = np.percentile(reps_lean, [2.5, 97.5])
            rec.update(lean=round(float(lean), 4), lean_lo=round(float(min(llo, lean)), 4),
                       lean_hi=round(float(max(lhi, lean)), 4))
            frames = Counter(s.frame for s in counted)
            rec["top_frames"] = ", ".join(f"{f} {n / len(counted):.0%}" for f, n in frames.most_common(3))
        else:
            for st in STANCES:
                rec[f"share_{st}"] = rec[f"share_{st}_lo"] = rec[f"share_{st}_hi"] = None
            rec.update(lean=None, lean_lo=None, lean_hi=None, top_frames="")
        return rec

    def bootstrap(self, P: np.ndarray):
        """Shares (STANCES order) by the model's counting method, and n_boot bootstrap replicates."""
        q = self.model.quantifier
        to_q = [STANCES.index(c) for c in q.classes]  # STANCES order -> the quantifier's class order
        back = [q.classes.index(s) for s in STANCES]
        Pq = P[:, to_q]
        n = len(P)
        W = np.random.default_rng(SEED).multinomial(n, np.full(n, 1 / n), size=self.n_boot) / n
        return q(Pq)[back], q.batch(W, Pq)[:, back]


def _same_features(a, b) -> bool:
    fa, fb = a[:-1], b[:-1]
    try:
        return all(
            ta.get_params() == tb.get_params() and getattr(ta, "vocabulary_", None) == getattr(tb, "vocabulary_", None)
            and np.array_equal(getattr(ta, "idf_", np.zeros(0)), getattr(tb, "idf_", np.zeros(0)))
            for (_, ta), (_, tb) in zip(fa[0].transformer_list, fb[0].transformer_list)
        ) and fa[0].transformer_weights == fb[0].transformer_weights
    except (AttributeError, TypeError, ValueError):
        return False
