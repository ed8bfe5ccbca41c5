"""Why the model decided: each feature's contribution (coefficient x feature value) to a class."""

from __future__ import annotations

import numpy as np

from .labels import STANCES


def explain(pipelines, text: str, top: int = 8) -> dict:
    """Predicted stance and frame with probabilities, and the features pushing toward and away.

    `pipelines` is the fitted (stance, frame) pair.
    """
    out = {"text": text}
    for target, pipe in zip(("stance", "frame"), pipelines):
        features, clf = pipe[:-1], pipe[-1]
        x = features.transform([text])
        names = features.get_feature_names_out()
        proba = clf.predict_proba(x)[0]
        k = int(proba.argmax())
        row = x.tocsr()
        idx, vals = row.indices, row.data
        coef = clf.coef_[k] if clf.coef_.shape[0] > 1 else (clf.coef_[0] if k == 1 else -clf.coef_[0])
        contrib = coef[idx] * vals
        order = np.argsort(-contrib)
        probs = dict(zip(map(str, clf.classes_), (round(float(p), 4) for p in proba)))
        if target == "stance":
            probs = {s: probs.get(s, 0.0) for s in STANCES}
        out[target] = {
            "label": str(clf.classes_[k]), "probability": round(float(proba[k]), 4), "probabilities": probs,
            "toward": [_item(names[idx[i]], contrib[i]) for i in order[:top] if contrib[i] > 0],
            "away": [_item(names[idx[i]], contrib[i]) for i in order[::-1][:top] if contrib[i] < 0],
            "intercept": round(float(clf.intercept_[k] if len(clf.intercept_) > 1 else clf.intercept_[0]), 4),
        }
    return out


def _item(feature: str, contribution: float) -> dict:
    return {"feature": _name(feature), "kind": _kind(feature), "contribution": round(float(contribution), 4)}


def _name(feature: str) -> str:
    return feature.split("__", 1)[-1]


def _kind(feature: str) -> str:
    step, _, name = feature.partition("__")
    if step == "words":
        return "word n-gram"
    return {"a_": "actor", "c_": "stance cue", "f_": "frame cue", "ne": "negation"}.get(name[:2], "shape")
