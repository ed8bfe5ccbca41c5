"""Why the model decided: each feature's contribution (coefficient x feature value) to a class,
computed from the exported weights (scoring.json), so nothing is unpickled."""

from __future__ import annotations

import numpy as np

from .labels import STANCES


def explain(model, text: str, top: int = 8) -> dict:
    """Predicted stance and frame with probabilities, and the features pushing toward and away.

    `model` is a loaded model (`artifact.Model`): its exported weights give the same numbers as the
    fitted pipelines (tests check it), without unpickling anything.
    """
    linear = model.linear
    x = linear.transform([text]).tocsr()
    names = linear.feature_names()
    idx, vals = x.indices, x.data
    out = {"text": text}
    for target in ("stance", "frame"):
        classes = linear.classes[target]
        proba = linear.predict_proba(target, x)[0]
        k = int(proba.argmax())
        coef = linear.coef[target]  # features x classes (one column for two classes)
        if coef.shape[1] > 1:
            w, b = coef[:, k], linear.intercept[target][k]
        else:
            sign = 1.0 if k == 1 else -1.0
            w, b = sign * coef[:, 0], sign * linear.intercept[target][0]
        contrib = np.asarray(w[idx]).ravel() * vals
        order = np.argsort(-contrib, kind="stable")
        probs = dict(zip(classes, (round(float(p), 4) for p in proba)))
        if target == "stance":
            probs = {s: probs.get(s, 0.0) for s in STANCES}
        out[target] = {
            "label": classes[k], "probability": round(float(proba[k]), 4), "probabilities": probs,
            "toward": [_item(names[idx[i]], contrib[i]) for i in order[:top] if contrib[i] > 0],
            "away": [_item(names[idx[i]], contrib[i]) for i in order[::-1][:top] if contrib[i] < 0],
            "intercept": round(float(b), 4),
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
