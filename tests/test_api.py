"""The library's verbs, as a Python user calls them (import stanceframe)."""

import pytest

import stanceframe
from stanceframe.labels import STANCES


@pytest.fixture(scope="module")
def model():
    return stanceframe.load()


def test_load_score_and_explain_from_python(model):
    rows = model.score(["Baku sent aid to Ukraine.", "The harvest was larger than last year. It rained."])
    assert [(r["doc_id"], r["index"]) for r in rows] == [("0", 0), ("1", 0), ("1", 1)]
    assert rows[0]["stance"] == "pro_ukraine" and rows[0]["text"] == "Baku sent aid to Ukraine."
    assert sum(rows[0][f"p_{s}"] for s in STANCES) == pytest.approx(1, abs=1e-3)
    why = model.explain("Baku sent aid to Ukraine.")
    assert why["stance"]["label"] == "pro_ukraine"
    assert why["stance"]["probability"] == pytest.approx(rows[0]["p_pro_ukraine"], abs=1e-4)


def test_article_level_and_summaries_from_score_output(model):
    articles = model.score(["Baku sent aid to Ukraine. Baku praised its trusted partnership with Moscow."],
                           level="article")
    assert len(articles) == 1 and articles[0]["n_sentences"] == 2
    rows = model.score(["Baku sent aid to Ukraine. Azerbaijan backs Ukraine's territorial integrity.",
                        "Azerbaijan did not join the sanctions against Russia. Baku praised its alliance with Moscow."])
    for r in rows:
        r["source"] = "pro" if r["doc_id"] == "0" else "ru"
    summary = stanceframe.summarize(rows, n_boot=50)
    leans = {s.source: s.lean["value"] for s in summary.sources}
    assert leans["pro"] > 0 > leans["ru"]
    diff = stanceframe.compare([r for r in rows if r["source"] == "pro"], [r for r in rows if r["source"] == "ru"],
                               "pro", "ru", n_boot=50)
    assert diff["diff_a_minus_b"]["lean"]["value"] == pytest.approx(leans["pro"] - leans["ru"], abs=1e-6)


def test_score_refuses_what_is_not_text(model):
    with pytest.raises(TypeError, match="strings or Documents"):
        model.score([42])
