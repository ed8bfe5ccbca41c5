"""A small invented corpus for the summaries-from-scored-output tests: three made-up outlets, dated
articles of invented sentences, one article repeated under the same id (kept apart as two)."""

from __future__ import annotations

import json
from pathlib import Path

_SENTENCES = [
    "Baku sent medicines to hospitals in Ukraine.",
    "Azerbaijan did not join the sanctions against Russia.",
    "Aliyev and Putin praised their alliance at a dinner.",
    "Baku walks a fine line between Moscow and Kyiv.",
    "The harvest of cotton was larger than last year.",
    "Crowds in Baku waved Ukrainian flags outside the embassy.",
    "The Kremlin remains a trusted partner for Baku, officials said.",
    "Its foreign policy stays balanced toward both capitals.",
    "Grain prices fell on the Caspian exchange.",
    "Azerbaijan backs the territorial integrity of Ukraine.",
    "At the vote Azerbaijan abstained on condemning Russia.",
    "A new museum of carpets opened in the old city.",
]
OUTLETS = ("Caspian Wire", "Old City Herald", "Sheki Review")


def articles() -> list[dict]:
    """Twelve articles: outlet i, article j has 2 + (i + j) % 4 sentences from a rotating list."""
    out = []
    for i, outlet in enumerate(OUTLETS):
        for j in range(4):
            n = 2 + (i + j) % 4
            text = " ".join(_SENTENCES[(3 * i + 5 * j + k) % len(_SENTENCES)] for k in range(n))
            out.append({"id": f"o{i}a{j}", "source": outlet, "text": text,
                        "date": f"2024-{4 + j % 2:02d}-{10 + i + j:02d}"})
    out.append(dict(out[0]))  # the same id again, another article
    return out


def write(path: Path, docs: list[dict] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for d in articles() if docs is None else docs:
            fh.write(json.dumps(d) + "\n")
    return path


def write_two(folder: Path) -> tuple[Path, Path]:
    """The first two outlets as two corpora, for `compare a.jsonl b.jsonl`."""
    docs = articles()[:-1]
    return (write(folder / "a.jsonl", [d for d in docs if d["source"] == OUTLETS[0]]),
            write(folder / "b.jsonl", [d for d in docs if d["source"] != OUTLETS[0]]))


def invoke(*args):
    """`predict.py ARGS` in-process; never a traceback."""
    from typer.testing import CliRunner

    import predict

    result = CliRunner().invoke(predict.app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result
