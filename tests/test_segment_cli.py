"""No sentence lost on the way in (issue 9, section 4): `predict.py segment`, dropped-line counts,
empty documents as an error, corpus rows as article text, HTML headlines and metadata.

The fixture texts are short texts written for these tests.
"""

from __future__ import annotations

import csv
import io
import json
import traceback

import pytest
from typer.testing import CliRunner

import predict
from stanceframe.segment import LINE_FIELDS

runner = CliRunner()

DUMP = """Baku Abstains Again at the UN
By Nargiz Mammadli July 5, 2022
Read more
President Ilham Aliyev meets Volodymyr Zelensky in Kyiv, January 2020. Photo: president.az
Azerbaijan did not vote on the resolution on Ukraine. Its envoy called for dialogue between the sides.
Source: online.ua
Support The Moscow Times!
"""
DUMP_KEPT = [
    ("Baku Abstains Again at the UN", "headline"),
    ("Azerbaijan did not vote on the resolution on Ukraine.", "body"),
    ("Its envoy called for dialogue between the sides.", "body"),
]
DUMP_RULES = ["byline", "end_marker_before_body", "caption", "source_credit", "appeal"]
HEADLINES = [
    "Baku Abstains Again as UN Assembly Votes on Ukraine Resolution",
    "Aliyev Tells Putin Azerbaijan Will Not Take Sides in the War",
]
BY_SENTENCE = "By cutting gas deliveries to Europe, Moscow pushed Brussels toward Baku as a supplier."
HTML = """<!doctype html><html><head><title>Baku weighs its words | Caspian Notes</title>
<meta property="og:title" content="Baku weighs its words on the war">
<meta property="article:published_time" content="2024-03-05T09:30:00+04:00">
<meta name="author" content="Nargiz Mammadli">
<link rel="canonical" href="https://caspian-notes.example/baku-words">
</head><body><header><nav><a href="/">Home</a></nav><h1>Baku weighs its words on the war</h1></header>
<article><p>Officials in Baku repeated their support for the territorial integrity of Ukraine during a meeting
with foreign diplomats this week.</p><p>The same officials said trade with Russia along the north-south corridor
will keep growing next year.</p></article></body></html>
"""


def invoke(*args, input=None):
    result = runner.invoke(predict.app, [str(a) for a in args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(*result.exc_info)))
    assert "Traceback" not in result.output
    return result


def err_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("warning: the model was")]


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def dump(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dump.txt").write_text(DUMP, encoding="utf-8")
    return "dump.txt"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_segment_accounts_for_every_line(dump, fmt):
    result = invoke("segment", dump, "-f", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        assert result.stdout.splitlines()[0] == ",".join(LINE_FIELDS)
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        rows = [r | {"line": int(r["line"]), "start": int(r["start"]), "end": int(r["end"])} for r in rows]
    else:
        rows = json.loads(result.stdout) if fmt == "json" else jsonl(result.stdout)
        assert all(list(r) == LINE_FIELDS for r in rows)
    assert [r["line"] for r in rows] == list(range(1, 8))
    assert [r["rule"] for r in rows if r["status"] == "dropped"] == DUMP_RULES
    assert [r["kind"] for r in rows if r["status"] == "kept"] == ["headline", "body"]
    assert all(DUMP[r["start"]:r["end"]] == r["text"] for r in rows)
    assert {r["doc_id"] for r in rows} == {dump}


def test_segment_table_and_score_agree_on_what_was_dropped(dump):
    table = invoke("segment", dump)
    assert table.exit_code == 0, table.output
    for rule in DUMP_RULES:
        assert rule in table.stdout
    assert "2 lines kept (1 headline, 1 body; 3 sentences), 5 dropped" in table.stdout
    scored = invoke("score", dump, "-f", "jsonl")
    assert scored.exit_code == 0, scored.output
    assert [(r["text"], r["kind"]) for r in jsonl(scored.stdout)] == DUMP_KEPT
    [article] = jsonl(invoke("score", dump, "-f", "jsonl", "-l", "article").stdout)
    assert article["n_dropped_lines"] == 5
    assert "5 lines dropped as page furniture" in invoke("score", dump).stdout
    assert "5 lines dropped as page furniture" in invoke("score", dump, "-l", "article").stdout


def test_a_document_of_only_furniture_is_a_warning_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "menu.txt").write_text("Home\nSign in to your account\nFollow us on Instagram\n", encoding="utf-8")
    for command in ("score", "segment"):
        result = invoke(command, "menu.txt", "-f", "jsonl")
        assert result.exit_code == 1, result.output
        assert err_lines(result)[0].startswith("warning: menu.txt: no article sentences found")
        assert "--allow-empty" in err_lines(result)[-1]
        assert invoke(command, "menu.txt", "-f", "jsonl", "--allow-empty").exit_code == 0


def test_headline_only_and_by_rows_are_scored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"id": f"h{i}", "text": t} for i, t in enumerate(HEADLINES)] + [{"id": "by", "text": BY_SENTENCE}]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = invoke("score", "rows.jsonl", "-f", "jsonl")
    assert result.exit_code == 0, result.output
    got = [(r["doc_id"], r["text"], r["kind"]) for r in jsonl(result.stdout)]
    assert got == [("h0", HEADLINES[0], "headline"), ("h1", HEADLINES[1], "headline"), ("by", BY_SENTENCE, "body")]
    # the page-furniture rules on rows only when asked for: a lone headline is then not an article
    strict = invoke("score", "rows.jsonl", "-f", "jsonl", "--furniture")
    assert strict.exit_code == 1
    assert [r["index"] for r in jsonl(strict.stdout)] == [None, None, 0]


def test_html_headline_and_metadata(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    sentences = jsonl(invoke("score", "page.html", "-f", "jsonl").stdout)
    assert [(r["text"], r["kind"]) for r in sentences][0] == ("Baku weighs its words on the war", "headline")
    assert len(sentences) == 3
    [article] = jsonl(invoke("score", "page.html", "-f", "jsonl", "-l", "article").stdout)
    assert (article["title"], article["date"], article["author"], article["url"]) == (
        "Baku weighs its words on the war", "2024-03-05T09:30:00+04:00", "Nargiz Mammadli",
        "https://caspian-notes.example/baku-words")
