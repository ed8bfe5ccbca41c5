"""`sources --over` for folders of files: dates from a sources CSV (`--sources`, the format of
seeds/sources.csv) for text files, and from the page's metadata for HTML pages."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

import predict

runner = CliRunner()
TEXTS = [
    "Baku sent medicines to hospitals in Ukraine. Azerbaijan backs the territorial integrity of Ukraine.",
    "Azerbaijan did not join the sanctions against Russia. The Kremlin remains a trusted partner for Baku.",
    "Baku walks a fine line between Moscow and Kyiv. Grain prices fell on the Caspian exchange.",
]


def invoke(*args):
    result = runner.invoke(predict.app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def periods(result):
    assert result.exit_code == 0, result.stderr
    return [(r["group"], r["period"], r["n_articles"]) for r in json.loads(result.stdout)]


def test_a_sources_csv_gives_the_files_of_a_folder_their_outlet_and_date(tmp_path):
    pages = tmp_path / "pages"
    (pages / "wire").mkdir(parents=True)
    listed = [("w1", "wire/a.txt", "Caspian Wire", "2024-03-02"), ("w2", "wire/b.txt", "Caspian Wire", "2024-03-28"),
              ("w3", "wire/c.txt", "Caspian Wire", "2024-04-11"), ("h1", "d.txt", "Old City Herald", "2024-04-30")]
    for i, (_, file, _, _) in enumerate(listed):
        (pages / file).write_text(TEXTS[i % 3] + "\n", encoding="utf-8")
    (pages / "wire" / "e.txt").write_text(TEXTS[0] + "\n", encoding="utf-8")  # not listed: no date
    with open(pages / "sources.csv", "w", newline="", encoding="utf-8") as fh:  # inside the folder it describes
        w = csv.writer(fh)
        w.writerow(["source", "file", "outlet", "title", "kind", "published", "author", "url"])
        w.writerows([sid, file, outlet, "", "news", date, "", ""] for sid, file, outlet, date in listed)
    result = invoke("sources", pages, "--sources", pages / "sources.csv", "--over", "month", "--format", "json",
                    "--n-boot", 50)
    # the folder name "wire" gives way to the CSV's outlet; e.txt, not listed, keeps "wire" and has no date
    assert periods(result) == [("Caspian Wire", "2024-03", 2), ("Caspian Wire", "2024-04", 1),
                               ("Old City Herald", "2024-04", 1)]
    assert "2 sentences of 1 article have no readable date" in result.stderr
    assert "sources.csv" not in result.stderr  # not read as a corpus of its own


def test_a_sources_csv_naming_a_missing_file_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text(TEXTS[0] + "\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("source,file,outlet,published\nx,gone.txt,Wire,2024-01-01\n", encoding="utf-8")
    result = invoke("sources", tmp_path / "a.txt", "--sources", tmp_path / "s.csv")
    assert result.exit_code == 2
    assert "gone.txt" in result.stderr and "not found" in result.stderr


def test_html_pages_go_over_time_by_their_meta_dates(tmp_path):
    dates = ['<meta property="article:published_time" content="2024-05-03T09:00:00+00:00">',
             '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-06-14"}</script>',
             '<meta property="article:published_time" content="2024-06-20">']
    for i, meta in enumerate(dates):
        (tmp_path / "wire").mkdir(exist_ok=True)
        body = "".join(f"<p>{s}.</p>" for s in TEXTS[i].split(". "))
        (tmp_path / "wire" / f"p{i}.html").write_text(
            f"<html><head><title>Report {i}</title>{meta}</head><body><article><h1>Report {i}</h1>{body}"
            "</article></body></html>", encoding="utf-8")
    result = invoke("sources", tmp_path, "--over", "month", "--format", "json", "--n-boot", 50)
    assert periods(result) == [("wire", "2024-05", 1), ("wire", "2024-06", 2)]
