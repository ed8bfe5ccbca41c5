"""stanceframe.readers: every kind of input, and a clear message for every bad one."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from stanceframe.pagemeta import page_metadata
from stanceframe.readers import Columns, Document, InputFailure, iter_documents
from stanceframe.segment import page_sentences

ARTICLE = (
    "Azerbaijan keeps pragmatic ties with Russia while it sells gas to Europe. "
    "At the same time Baku sends humanitarian aid to Ukraine and backs its territorial integrity."
)
ARTICLE_2 = (
    "Baku and Moscow signed a declaration on allied interaction in 2022. "
    "Kyiv welcomed Azerbaijani support for its energy grid a few months later."
)
HTML = """<!doctype html>
<html><head><title>Baku between Moscow and Kyiv</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Baku between Moscow and Kyiv</h1>
<p>Azerbaijan keeps pragmatic ties with Russia while it sells gas to Europe.</p>
<p>At the same time Baku sends humanitarian aid to Ukraine and backs its territorial integrity.</p>
</article><footer>Copyright 2024 Example News</footer></body></html>
"""


def read(*inputs, **kw):
    return list(iter_documents([str(i) for i in inputs], **kw))


def only(items, cls):
    assert all(isinstance(i, cls) for i in items), items
    return items


# --- single files --------------------------------------------------------------------------------


def test_text_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc] = only(read(path), Document)
    assert (doc.id, doc.origin, doc.text, doc.fmt, doc.source, doc.encoding) == (
        str(path), str(path), ARTICLE, "text", "", "utf-8")


def test_markdown_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Baku between Moscow and Kyiv\n\n" + ARTICLE, encoding="utf-8")
    [doc] = only(read(path), Document)
    assert doc.fmt == "markdown" and doc.text.startswith("# Baku")


def test_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "a.markdown"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())
    [doc] = only(read(path), Document)
    assert doc.text == ARTICLE and doc.fmt == "markdown"


def test_html_gives_main_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    [doc] = only(read(path), Document)
    assert doc.fmt == "html"
    assert "humanitarian aid to Ukraine" in doc.text
    assert "<p>" not in doc.text and "Copyright" not in doc.text


BODY = (
    "<p>Officials in Baku repeated their support for the territorial integrity of Ukraine during a meeting with "
    "foreign diplomats this week.</p><p>The same officials said trade with Russia along the north-south corridor "
    "will keep growing next year.</p>"
)
# the <h1> sits above the <article>: trafilatura's text leaves it out
HTML_WITH_META = f"""<html><head><title>Baku weighs its words | Caspian Notes</title>
<meta property="og:title" content="Baku weighs its words on the war">
<meta property="og:site_name" content="Caspian Notes">
<meta property="article:published_time" content="2024-03-05T09:30:00+04:00">
<meta name="author" content="Nargiz Mammadli">
<link rel="canonical" href="https://caspian-notes.example/baku-words">
</head><body><header><h1>Baku weighs its <em>words</em> on the war</h1></header><article>{BODY}</article></body></html>
"""
HTML_JSON_LD = f"""<html><head><title>Baku weighs its words | Caspian Notes</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@graph": [{{"@type": "WebSite", "name": "x"}},
{{"@type": "NewsArticle", "headline": "Baku weighs its words on the war", "datePublished": "2024-03-05",
"author": [{{"@type": "Person", "name": "Nargiz Mammadli"}}, {{"@type": "Person", "name": "Ilkin Aliyev"}}],
"url": "https://caspian-notes.example/baku-words"}}]}}</script></head>
<body><article>{BODY}</article></body></html>
"""


def test_html_metadata_and_the_headline_first(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_WITH_META, encoding="utf-8")
    [doc] = only(read(path), Document)
    assert (doc.title, doc.date, doc.author, doc.url) == (
        "Baku weighs its words on the war", "2024-03-05T09:30:00+04:00", "Nargiz Mammadli",
        "https://caspian-notes.example/baku-words")
    assert doc.text.startswith("Baku weighs its words on the war\n") and doc.headline_end == 32
    sents = page_sentences(doc.text, doc.id, headline_end=doc.headline_end)
    assert [(s.text, s.kind) for s in sents][:2] == [
        ("Baku weighs its words on the war", "headline"),
        ("Officials in Baku repeated their support for the territorial integrity of Ukraine during a meeting "
         "with foreign diplomats this week.", "body")]
    assert all(doc.text[s.start:s.end] == s.text for s in sents)


def test_html_metadata_from_json_ld_and_the_title_tag():
    assert page_metadata(HTML_JSON_LD) == {
        "title": "Baku weighs its words on the war", "date": "2024-03-05", "author": "Nargiz Mammadli, Ilkin Aliyev",
        "url": "https://caspian-notes.example/baku-words"}
    bare = f"<html><head><title>Baku weighs its words | Caspian Notes</title></head><body>{BODY}</body></html>"
    assert page_metadata(bare) == {"title": "Baku weighs its words", "date": "", "author": "", "url": ""}


def test_html_headline_kept_by_trafilatura_is_not_doubled(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")  # <title> and <h1> inside <article> say the same
    [doc] = only(read(path), Document)
    assert doc.text.count("Baku between Moscow and Kyiv") == 1 and doc.title == "Baku between Moscow and Kyiv"
    assert doc.headline_end == len("Baku between Moscow and Kyiv")


def test_corpus_rows_are_article_text_files_are_pages(tmp_path):
    (tmp_path / "rows.jsonl").write_text(json.dumps({"id": "r", "text": ARTICLE, "author": "N. Mammadli"}) + "\n")
    (tmp_path / "page.txt").write_text(ARTICLE)
    row, page = only(read(tmp_path / "rows.jsonl", tmp_path / "page.txt"), Document)
    assert (row.furniture, page.furniture, row.author) == (False, True, "N. Mammadli")
    row, page = only(read(tmp_path / "rows.jsonl", tmp_path / "page.txt", furniture=True), Document)
    assert (row.furniture, page.furniture) == (True, True)
    row, page = only(read(tmp_path / "rows.jsonl", tmp_path / "page.txt", furniture=False), Document)
    assert (row.furniture, page.furniture) == (False, False)


def test_unknown_extension_read_as_text(tmp_path):
    path = tmp_path / "notes.log"
    path.write_text(ARTICLE, encoding="utf-8")
    [doc] = only(read(path), Document)
    assert doc.text == ARTICLE and doc.fmt == "text"


def test_stdin_text_and_html():
    [doc] = only(read("-", stdin=io.BytesIO(ARTICLE.encode())), Document)
    assert (doc.id, doc.origin, doc.fmt, doc.text) == ("-", "<stdin>", "text", ARTICLE)
    [page] = only(read("-", stdin=io.BytesIO(b"\n  " + HTML.encode())), Document)
    assert page.fmt == "html" and "territorial integrity" in page.text and "<" not in page.text


# --- folders -------------------------------------------------------------------------------------


def test_folder_recursion_sources_and_order(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "bbc" / "2024").mkdir(parents=True)
    (corpus / "apa").mkdir()
    (corpus / ".cache").mkdir()
    (corpus / "bbc" / "2024" / "b.txt").write_text(ARTICLE_2)
    (corpus / "bbc" / "a.md").write_text(ARTICLE)
    (corpus / "apa" / "x.html").write_text(HTML)
    (corpus / "top.txt").write_text(ARTICLE)
    (corpus / "apa" / ".hidden.txt").write_text(ARTICLE)
    (corpus / ".cache" / "c.txt").write_text(ARTICLE)
    (corpus / "apa" / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0 not scored")
    docs = only(read(corpus), Document)
    assert [(d.id, d.source) for d in docs] == [
        (f"{corpus}/apa/x.html", "apa"),
        (f"{corpus}/bbc/2024/b.txt", "bbc"),
        (f"{corpus}/bbc/a.md", "bbc"),
        (f"{corpus}/top.txt", ""),
    ]


def test_folder_ids_keep_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus" / "bbc").mkdir(parents=True)
    (tmp_path / "corpus" / "bbc" / "a.txt").write_text(ARTICLE)
    [doc] = only(read("corpus"), Document)
    assert doc.id == "corpus/bbc/a.txt" and doc.source == "bbc"


def test_folder_corpus_rows_take_the_outlet_from_the_folder(tmp_path):
    (tmp_path / "apa").mkdir()
    (tmp_path / "apa" / "rows.csv").write_text(f'id,text\nr1,"{ARTICLE}"\n')
    [doc] = only(read(tmp_path), Document)
    assert (doc.id, doc.source) == ("r1", "apa")


def test_empty_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / ".notes.txt").write_text(ARTICLE)
    [fail] = only(read(tmp_path), InputFailure)
    assert fail.origin == str(tmp_path)
    assert "no files" in fail.message and ".txt" in fail.message and ".parquet" in fail.message


# --- corpora -------------------------------------------------------------------------------------


def test_csv_corpus(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,source,title,date,url,text\n"
        f'a1,APA,Ties,2024-01-02,https://example.org/a1,"{ARTICLE}"\n'
        ',Trend,,,,"A quoted, multi-line\nrow about Baku."\n'
        "a3,Trend,,,,\n",
        encoding="utf-8",
    )
    docs = only(read(path), Document)
    assert [(d.id, d.origin, d.source) for d in docs] == [
        ("a1", f"{path}:2", "APA"),
        (f"{path}:3", f"{path}:3", "Trend"),
        ("a3", f"{path}:5", "Trend"),
    ]
    assert (docs[0].text, docs[0].title, docs[0].date, docs[0].url) == (
        ARTICLE, "Ties", "2024-01-02", "https://example.org/a1")
    assert docs[1].text == "A quoted, multi-line\nrow about Baku."
    assert docs[2].text == ""  # kept: the scorer reports an article without sentences


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(f'id,body\n1,"{ARTICLE}"\n')
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path)
    assert "'text'" in fail.message and "id, body" in fail.message and "--text-column" in fail.message


def test_csv_broken_row_is_reported_and_the_rest_read(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(f'id,text\n1,"{ARTICLE}"\n2,Baku,extra field\n3,"{ARTICLE_2}"\n')
    items = read(path)
    assert [type(i) for i in items] == [Document, InputFailure, Document]
    assert [items[0].id, items[2].id] == ["1", "3"]
    assert items[1].origin == f"{path}:3"
    assert "3 fields" in items[1].message and "header has 2" in items[1].message


def test_configurable_column_names(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"doc": 7, "body": ARTICLE, "outlet": "APA", "headline": "Ties",
                                "published": 20240102, "link": "https://example.org"}) + "\n")
    cols = Columns(text="body", id="doc", source="outlet", title="headline", date="published", url="link")
    [doc] = only(read(path, columns=cols), Document)
    assert (doc.id, doc.text, doc.source, doc.title, doc.date, doc.url) == (
        "7", ARTICLE, "APA", "Ties", "20240102", "https://example.org")


def test_jsonl_corpus_with_bad_lines(tmp_path):
    path = tmp_path / "rows.ndjson"
    lines = [
        json.dumps({"id": "a", "text": ARTICLE, "source": "APA"}),
        "",
        '{"id": "b", "text": "Baku',
        json.dumps([1, 2]),
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": None}),
        json.dumps({"text": ARTICLE_2}),
    ]
    path.write_text("\n".join(lines) + "\n")
    items = read(path)
    docs = [i for i in items if isinstance(i, Document)]
    fails = {f.origin: f.message for f in items if isinstance(f, InputFailure)}
    assert [(d.id, d.text) for d in docs] == [("a", ARTICLE), ("d", ""), (f"{path}:7", ARTICLE_2)]
    assert docs[0].source == "APA"
    assert set(fails) == {f"{path}:3", f"{path}:4", f"{path}:5"}
    assert "not valid JSON" in fails[f"{path}:3"]
    assert "object" in fails[f"{path}:4"]
    assert "not a string" in fails[f"{path}:5"]


def test_jsonl_without_text_column(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"id": 1, "content": ARTICLE}) + "\n")
    [fail] = only(read(path), InputFailure)
    assert "id, content" in fail.message and "--text-column" in fail.message


def test_parquet_corpus(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "rows.parquet"
    table = pa.table({"id": [11, None], "text": [ARTICLE, None], "source": ["APA", "Trend"]})
    pq.write_table(table, path)
    docs = only(read(path), Document)
    assert [(d.id, d.text, d.source, d.origin) for d in docs] == [
        ("11", ARTICLE, "APA", f"{path}:1"),
        (f"{path}:2", "", "Trend", f"{path}:2"),
    ]
    pq.write_table(pa.table({"body": [ARTICLE]}), path)
    [fail] = only(read(path), InputFailure)
    assert "body" in fail.message and "--text-column" in fail.message
    pq.write_table(pa.table({"text": [1, 2]}), path)
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path) and "not strings" in fail.message


# --- bad inputs ----------------------------------------------------------------------------------


def test_missing_path(tmp_path):
    [fail] = only(read(tmp_path / "nope.txt"), InputFailure)
    assert fail.origin == str(tmp_path / "nope.txt") and "no such file or folder" in fail.message


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
@pytest.mark.parametrize("name", ["a.txt", "a.csv", "a.jsonl", "a.html"])
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path) and "file is empty" in fail.message


@pytest.mark.parametrize(
    "name, data, kind",
    [
        ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        ("chart.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        ("rows.csv", b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        ("page.html", b"some text\x00\x01\x02 with NUL bytes", "binary"),
    ],
)
def test_binary_file_given_by_mistake(tmp_path, name, data, kind):
    path = tmp_path / name
    path.write_bytes(data)
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path)
    assert kind in fail.message and "not text" in fail.message and ".txt" in fail.message


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 4)
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path) and "cannot decode" in fail.message


def test_html_without_article_text(tmp_path):
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>")
    [fail] = only(read(path), InputFailure)
    assert fail.origin == str(path) and "no article text" in fail.message


def test_failures_do_not_stop_the_batch(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text(ARTICLE)
    items = read(tmp_path / "missing.txt", good)
    assert [type(i) for i in items] == [InputFailure, Document]


# --- encodings -----------------------------------------------------------------------------------

RUSSIAN = (
    "Азербайджан сохраняет прагматичные связи с Россией. "
    "При этом Баку открыто поддерживает территориальную целостность Украины."
)
FRENCH = (
    "Le président Aliyev a rencontré à Bakou le ministre ukrainien. "
    "La coopération énergétique avec la Russie reste étroite malgré la guerre."
)


@pytest.mark.parametrize("text, encoding", [(RUSSIAN, "cp1251"), (FRENCH, "latin-1")])
def test_legacy_encodings_in_text_files(tmp_path, text, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    [doc] = only(read(path), Document)
    assert doc.text == text
    assert doc.encoding != "utf-8"


def test_cp1251_csv_corpus(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(f'id,text\n1,"{RUSSIAN}"\n2,"{RUSSIAN}"\n'.encode("cp1251"))
    docs = only(read(path), Document)
    assert [d.text for d in docs] == [RUSSIAN, RUSSIAN]
    assert docs[0].encoding == "cp1251"


# --- import cost ---------------------------------------------------------------------------------


def test_import_does_not_load_heavy_modules():
    heavy = ("trafilatura", "pandas", "pyarrow", "charset_normalizer")
    code = f"import sys, stanceframe.readers; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name", ["rows.csv", "rows.jsonl"])
def test_bad_bytes_after_the_detected_start_fail_only_their_row(tmp_path, name):
    # the encoding is detected on the first megabyte: a latin-1 row further on is not UTF-8
    path = tmp_path / name
    good = [("id", "text")] + [(str(i), ARTICLE) for i in range(7000)] + [("x", FRENCH), ("last", ARTICLE_2)]
    if name.endswith(".csv"):
        lines = [f'{i},"{t}"' for i, t in good]
    else:
        lines = [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in good[1:]]
    path.write_bytes("\n".join(lines).encode("latin-1") + b"\n")
    assert path.stat().st_size > 1 << 20
    items = read(path)
    fails = [i for i in items if isinstance(i, InputFailure)]
    bad_line = len(lines) - 1
    assert [(f.origin, "cannot decode" in f.message) for f in fails] == [(f"{path}:{bad_line}", True)]
    assert items[-1].id == "last" and len(items) == 7002
