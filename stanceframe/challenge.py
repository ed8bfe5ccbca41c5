"""A behavioural challenge suite for the stance model (after CheckList, Ribeiro et al. 2020).

`bench/challenge.csv` holds written cases, never used for training, grouped by capability
(negation, actor swaps, Baku in conflict with Moscow, ...). Most come in minimal pairs or groups
(`pair_id`): DIR pairs whose members should get different stances, INV groups whose members should
all get the same one. A case passes when the model gives its expected stance; a group passes when
all its members do, so a model that answers one label for everything passes no DIR pair.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from .errors import BadInput
from .labels import STANCES
from .project import ROOT

CASES = ROOT / "bench" / "challenge.csv"
COLUMNS = ("case_id", "capability", "test_type", "pair_id", "text", "expected_stance", "note")


def load_cases(path: Path = CASES) -> list[dict]:
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from None
    for line, row in enumerate(rows, start=2):
        if row.get("expected_stance") not in STANCES or not (row.get("text") or "").strip():
            raise BadInput(f"{path}:{line}: a case needs a text and an expected_stance in {', '.join(STANCES)}")
    return rows


def run(predict: Callable[[list[str]], list[str]], path: Path = CASES) -> dict:
    """Pass rates per capability of `predict` (sentences -> stance labels) on the cases in `path`."""
    cases = load_cases(path)
    predicted = list(predict([c["text"] for c in cases]))
    by_cap: dict = {}
    groups: dict = {}
    for case, pred in zip(cases, predicted):
        ok = pred == case["expected_stance"]
        cap = by_cap.setdefault(case["capability"], {"n": 0, "passed": 0})
        cap["n"] += 1
        cap["passed"] += ok
        key = (case["capability"], case["pair_id"] or case["case_id"])
        groups[key] = groups.get(key, True) and ok
    for name, cap in by_cap.items():
        cap["rate"] = cap["passed"] / cap["n"]
        mine = [ok for (c, _), ok in groups.items() if c == name]
        cap["groups"], cap["groups_passed"] = len(mine), sum(mine)
    passed = sum(c["passed"] for c in by_cap.values())
    return {"n": len(cases), "passed": passed, "rate": passed / len(cases) if cases else 0.0,
            "groups": len(groups), "groups_passed": sum(groups.values()),
            "capabilities": dict(sorted(by_cap.items())),
            "failures": [{"case_id": c["case_id"], "text": c["text"], "expected": c["expected_stance"], "got": p}
                         for c, p in zip(cases, predicted) if p != c["expected_stance"]]}


def majority(path: Path = CASES) -> dict:
    """The same pass rates for an answer that is always the commonest expected stance: the baseline
    a capability's rate must be read against (one stance everywhere passes a one-stance capability)."""
    from collections import Counter

    answer = Counter(c["expected_stance"] for c in load_cases(path)).most_common(1)[0][0]
    return {**run(lambda texts: [answer] * len(texts), path), "answer": answer}
