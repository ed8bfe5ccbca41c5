"""The library's verbs, mirroring the command line (fastText's symmetry):

    import stanceframe
    m = stanceframe.load()                       # predict.py --model (default: the bundled model)
    m.score(["Baku sent aid to Ukraine."])       # predict.py score
    m.explain("Baku did not join the sanctions.")  # predict.py explain
    m.test("labels.csv")                         # predict.py test
    stanceframe.train(out="mymodel")             # train.py
    stanceframe.summarize(rows, by="source")     # predict.py sources
    stanceframe.compare(rows_a, rows_b, "A", "B")  # predict.py compare
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .readers import Document


class Model:
    """A trained model as the tool uses it: scoring from its exported weights, nothing unpickled."""

    def __init__(self, loaded):
        self.loaded = loaded  # artifact.Model: weights, quantifier, manifest, folder

    @property
    def quantifier(self):
        return self.loaded.quantifier

    def __repr__(self) -> str:
        return f"stanceframe.Model({str(self.loaded.model_dir)!r}, quantifier={self.loaded.quantifier.method!r})"

    def score(self, items: Iterable[str | Document], level: str = "sentence") -> list[dict]:
        """Sentence records (level "sentence") or article records (level "article") of texts or Documents.

        A plain string is one document (a sentence, a paragraph or a whole article): it is split into
        sentences as `predict.py score` splits a text file, without the page-furniture rules."""
        from .scoring import Scorer

        docs = [d if isinstance(d, Document) else _text_document(d, i) for i, d in enumerate(items)]
        if level not in ("sentence", "article"):
            raise ValueError(f"unknown level {level!r}; accepted: sentence, article")
        scorer = Scorer(self.loaded, records=level == "sentence", n_boot=0 if level == "sentence" else 200)
        out = []
        for _, records, article in scorer.score(docs):
            out.extend(records if level == "sentence" else [article])
        return out

    def explain(self, text: str, top: int = 8) -> dict:
        from .explain import explain

        return explain(self.loaded, text, top=top)

    def test(self, labels, n_boot: int = 1000) -> dict:
        """Scores on labelled sentences it was not trained on: a labels CSV path, or rows (dicts or a
        DataFrame) with `text` and `stance` and/or `frame` (and optionally `source`)."""
        from .heldout import check_rows, read_labels, test

        if isinstance(labels, (str, Path)):
            rows = read_labels(labels)
        else:
            import pandas as pd

            rows = pd.DataFrame(labels).fillna("").astype(str).to_dict("records")
            check_rows(rows, "labels row")
        return test(self.loaded, rows, n_boot=n_boot)


def _text_document(text: str, i: int) -> Document:
    if not isinstance(text, str):
        raise TypeError(f"score takes strings or Documents, got {type(text).__name__}")
    return Document(id=str(i), text=text, fmt="text", origin=f"text {i}", furniture=False)


def load(path: str | Path | None = None) -> Model:
    """The bundled model (path None) or a model folder written by `train`."""
    from .project import load_model

    return Model(load_model(Path(path) if path else None))


def train(out: str | Path = "model", **options):
    """Evaluate and fit on the bundled labels (or `label_patterns=`, `written_patterns=`, ...); see
    `training.train` for the options. Returns the metrics, manifest and folder written."""
    from .training import train as _train

    return _train(out=out, **options)


def summarize(rows, by: str = "source", **options):
    """Per-group stance shares, lean, frames and distinctive terms of sentence rows (a DataFrame with
    doc_id, text, frame, p_<stance> and the `by` column, e.g. Model.score output)."""
    import pandas as pd

    from .summary import source_summaries

    return source_summaries(pd.DataFrame(rows), by=by, **options)


def compare(rows_a, rows_b, label_a: str = "A", label_b: str = "B", **options) -> dict:
    """Two groups' shares, lean and their difference (A minus B) with intervals."""
    import pandas as pd

    from .summary import compare_groups

    return compare_groups(pd.DataFrame(rows_a), pd.DataFrame(rows_b), label_a, label_b, **options)
