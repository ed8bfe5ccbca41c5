import io
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from stanceframe.errors import BadInput
from stanceframe.summary import (
    FRAMES,
    STANCES,
    compare_groups,
    fightin_words,
    source_summaries,
    summaries_to_frame,
    term_counts,
)
from stanceframe.chart import write_chart
from stanceframe.render import format_table


def sentence(source, doc_id, stance, text, frame="political", **extra):
    """A gold-labelled row: one-hot stance probabilities."""
    return {"source": source, "doc_id": doc_id, "text": text, "frame": frame,
            **{f"p_{s}": float(s == stance) for s in STANCES}, **extra}


def soft(source, doc_id, probs, text, frame="political"):
    """A model-scored row: stance probabilities in STANCES order."""
    return {"source": source, "doc_id": doc_id, "text": text, "frame": frame,
            **{f"p_{s}": p for s, p in zip(STANCES, probs)}}


PRO, RUS, BAL = "pro_ukraine", "russia_accommodating", "balancing"
WEST = [
    sentence("West", "w1", PRO, "Baku sent humanitarian aid to Ukraine.", "health_safety"),
    sentence("West", "w1", PRO, "Azerbaijan backs the sovereignty of Ukraine.", "legality"),
    sentence("West", "w1", "none", "Talks with Armenia resumed in Brussels in 2023.", "political"),
    sentence("West", "w2", PRO, "More humanitarian aid left Baku for Kyiv.", "health_safety"),
    sentence("West", "w2", BAL, "Azerbaijan keeps ties with both Moscow and Kyiv."),
    sentence("West", "w3", PRO, "Protesters in Baku waved Ukrainian flags.", "public_opinion"),
    sentence("West", "w3", PRO, "Humanitarian aid from Baku reached Ukraine.", "health_safety"),
]
NORTH = [
    sentence("North", "n1", RUS, "Baku and Moscow remain trusted partners."),
    sentence("North", "n1", RUS, "Azerbaijan did not join sanctions against Russia.",
             "external_regulation"),
    sentence("North", "n1", "none", "Trade with Russia grew by 24 percent in 2022.", "economic"),
    sentence("North", "n2", RUS, "Moscow is a trusted partner of Azerbaijan."),
    sentence("North", "n2", BAL, "Baku walks a fine line between Moscow and Kyiv."),
]
MIDDLE = [
    soft("Middle", "m1", (0.2, 0.2, 0.5, 0.1), "Azerbaijan pursues a balanced foreign policy."),
    soft("Middle", "m1", (0.1, 0.1, 0.2, 0.6), "Gas exports to Europe rose.", "economic"),
    soft("Middle", "m2", (0.3, 0.3, 0.3, 0.1), "Baku talks to Moscow and Kyiv alike."),
    soft("Middle", "m2", (0.25, 0.15, 0.5, 0.1), "The government keeps equidistance from powers."),
]
LONE = [sentence("Lone", "l1", RUS, "Moscow is an important regional actor.")]


@pytest.fixture
def corpus():
    return pd.DataFrame(WEST + NORTH + MIDDLE + LONE)


@pytest.fixture
def summaries(corpus):
    return source_summaries(corpus, n_boot=300)


def by_name(summaries):
    return {s.source: s for s in summaries.sources}


def random_corpus(n_sources=5, n_articles=6, n_sentences=20, seed=1):
    """Model-scored rows whose stance mix differs between articles of a source."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n_sources):
        for a in range(n_articles):
            mix = rng.dirichlet(np.ones(4) * 2)
            for i in range(n_sentences):
                stance = rng.choice(4, p=mix)
                probs = rng.dirichlet(np.eye(4)[stance] * 8 + 1)
                text = f"words {rng.integers(50)} term{i % 7}"
                rows.append(soft(f"S{s}", f"S{s}-{a}", probs, text, FRAMES[i % 5]))
    return pd.DataFrame(rows)


# --- shares and intervals ----------------------------------------------------------------------


def test_shares_sum_to_one_and_intervals_contain_the_point(summaries):
    for s in summaries.sources:
        shares = s.stance_shares
        assert set(shares) == set(STANCES)
        assert sum(d["share"] for d in shares.values()) == pytest.approx(1.0)
        for d in shares.values():
            assert 0 <= d["lo"] <= d["share"] <= d["hi"] <= 1
        assert s.lean["lo"] <= s.lean["value"] <= s.lean["hi"]
        assert s.lean["value"] == pytest.approx(shares[PRO]["share"] - shares[RUS]["share"])
        assert sum(s.frame_shares.values()) == pytest.approx(1.0)


def test_shares_of_gold_and_model_rows(summaries):
    west, middle = by_name(summaries)["West"], by_name(summaries)["Middle"]
    assert west.stance_shares["pro_ukraine"]["share"] == pytest.approx(5 / 7)  # classify and count
    assert middle.stance_shares["balancing"]["share"] == pytest.approx((0.5 + 0.2 + 0.3 + 0.5) / 4)
    assert (west.n_articles, west.n_sentences, west.n_uncertain) == (3, 7, 0)
    assert west.frame_shares == pytest.approx({"health_safety": 3 / 7, "legality": 1 / 7,
                                                "political": 2 / 7, "public_opinion": 1 / 7})
    assert list(west.frame_shares)[0] == "health_safety"
    assert west.top_frames == ["health_safety", "political", "legality"]


def test_source_with_one_sentence_has_a_collapsed_interval(summaries):
    lone = by_name(summaries)["Lone"]
    assert (lone.n_articles, lone.n_sentences) == (1, 1)
    assert lone.stance_shares["russia_accommodating"] == {"share": 1.0, "lo": 1.0, "hi": 1.0}
    assert lone.lean == {"value": -1.0, "lo": -1.0, "hi": -1.0}
    assert any(w.startswith("Lone: one article only") for w in summaries.warnings)


def test_groups_sorted_by_lean_most_pro_ukraine_first(summaries):
    assert [s.source for s in summaries.sources] == ["West", "Middle", "North", "Lone"]
    leans = [s.lean["value"] for s in summaries.sources]
    assert leans == sorted(leans, reverse=True)


def test_bootstrap_resamples_whole_articles():
    # Two articles that disagree completely: drawing the same article twice happens half the time,
    # so the lean interval spans -1..1. Resampling the 20 sentences as if independent would not.
    rows = [sentence("X", "a1", "pro_ukraine", "Support for Kyiv.") for _ in range(10)]
    rows += [sentence("X", "a2", "russia_accommodating", "Ties with Moscow.") for _ in range(10)]
    two_articles = source_summaries(pd.DataFrame(rows), n_boot=500).sources[0]
    assert (two_articles.lean["lo"], two_articles.lean["hi"]) == (-1.0, 1.0)

    one_article = source_summaries(pd.DataFrame(rows).assign(doc_id="a1"), n_boot=500).sources[0]
    assert -0.7 < one_article.lean["lo"] < 0 < one_article.lean["hi"] < 0.7


def test_same_seed_same_result_other_seed_other_intervals():
    df = random_corpus()
    first = source_summaries(df, n_boot=200, seed=7).to_records()
    assert source_summaries(df, n_boot=200, seed=7).to_records() == first
    assert source_summaries(df, n_boot=200, seed=8).to_records() != first


def test_a_groups_intervals_do_not_depend_on_the_other_groups():
    df = random_corpus()
    alone = source_summaries(df[df.source.isin(["S0", "S1"])], n_boot=200).sources
    together = {s.source: s for s in source_summaries(df, n_boot=200).sources}
    for s in alone:
        assert s.stance_shares == together[s.source].stance_shares


def test_custom_estimator_is_used_for_point_and_replicates():
    df = random_corpus(n_sources=2)
    default = source_summaries(df, n_boot=200)
    as_mean = source_summaries(df, n_boot=200, estimator=lambda P: P.mean(axis=0))
    for d, m in zip(default.sources, as_mean.sources):
        for stance in STANCES:
            assert m.stance_shares[stance] == pytest.approx(d.stance_shares[stance], abs=1e-12)

    def majority(P):
        return np.eye(4)[np.argmax(P.sum(axis=0))]

    voted = source_summaries(pd.DataFrame(WEST), n_boot=200, estimator=majority).sources[0]
    assert voted.stance_shares["pro_ukraine"] == {"share": 1.0, "lo": 1.0, "hi": 1.0}


def test_a_weighted_estimator_gives_the_replicates_of_resampling():
    """batch(W, P) with the draw counts as weights must equal estimating on the resampled rows."""

    class WeightedMean:
        def __call__(self, P):
            return P.mean(axis=0)

        def batch(self, W, P):
            return W @ P

    df = random_corpus(n_sources=2)
    plain = source_summaries(df, n_boot=200, estimator=lambda P: P.mean(axis=0))
    weighted = source_summaries(df, n_boot=200, estimator=WeightedMean())
    for p, w in zip(plain.sources, weighted.sources):
        for stance in STANCES:
            assert w.stance_shares[stance] == pytest.approx(p.stance_shares[stance], abs=1e-12)
        assert w.lean == pytest.approx(p.lean, abs=1e-12)


def test_interval_is_widened_to_contain_a_point_no_resample_reproduces():
    # Ten distinct articles are drawn without a repeat in 0.04% of resamples, so this estimator's
    # replicates are nearly all "none" while its point estimate is "pro_ukraine".
    def pro_unless_duplicated(P):
        return np.eye(4)[0 if len(np.unique(P, axis=0)) == len(P) else 3]

    df = random_corpus(n_sources=1, n_articles=10, n_sentences=3)
    result = source_summaries(df, n_boot=200, estimator=pro_unless_duplicated)
    shares = result.sources[0].stance_shares
    assert shares["pro_ukraine"] == {"share": 1.0, "lo": 0.0, "hi": 1.0}
    assert shares["none"] == {"share": 0.0, "lo": 0.0, "hi": 1.0}


def test_uncertain_sentences_are_flagged_and_counted_in_shares(corpus):
    flagged = corpus.assign(uncertain=corpus.text.str.startswith("Talks with Armenia"))
    west = by_name(source_summaries(flagged, n_boot=100))["West"]
    plain = by_name(source_summaries(corpus, n_boot=100))["West"]
    assert (west.n_sentences, west.n_uncertain) == (7, 1)
    # the flag changes nothing in the numbers: the uncertain "none" sentence is one of seven
    assert west.stance_shares["none"]["share"] == pytest.approx(1 / 7)
    assert west.stance_shares == plain.stance_shares and west.frame_shares == plain.frame_shares


def test_a_group_whose_sentences_are_all_uncertain_is_still_summarised(corpus):
    result = source_summaries(corpus.assign(uncertain=corpus.source == "Lone"), n_boot=100)
    lone = by_name(result)["Lone"]
    assert lone.n_uncertain == lone.n_sentences > 0


def test_by_names_any_column(corpus):
    corpus["year"] = np.where(corpus.source == "West", 2023, 2022)
    result = source_summaries(corpus, by="year", n_boot=100)
    assert [s.source for s in result.sources] == ["2023", "2022"]
    assert summaries_to_frame(result).columns[0] == "year"


def test_bootstrap_replicates_reach_the_estimator_as_one_weight_matrix():
    # the bootstrap is vectorised: one batch call per group with all replicates as weights, never a
    # Python loop of one estimate per replicate (timings belong in bench/, not here)
    calls = []

    class Counting:
        def __call__(self, P):
            return P.mean(0)

        def batch(self, W, P):
            calls.append(W.shape)
            return W @ P

    df = random_corpus(n_sources=3, n_articles=10, n_sentences=30)
    source_summaries(df, n_boot=1000, estimator=Counting())
    assert len(calls) == 3 and all(r == 1000 for r, _ in calls)


# --- distinctive terms -------------------------------------------------------------------------


def test_terms_are_lowercase_unigrams_and_adjacent_bigrams_without_stop_words_or_numbers():
    counts = term_counts(["The 2022 humanitarian aid to Ukraine's army"])
    assert {"humanitarian", "aid", "humanitarian aid", "ukraine", "army"} <= set(counts)
    assert not {"the", "to", "2022", "s", "aid ukraine"} & set(counts)


def test_word_only_one_side_uses_outranks_a_common_word_used_equally():
    a = {"azerbaijan": 50, "sanctions": 4, "baku": 46}
    b = {"azerbaijan": 50, "baku": 50}
    z = fightin_words(a, b)
    assert z["sanctions"] > 1.0
    assert z["azerbaijan"] == pytest.approx(0.0, abs=1e-9)
    assert list(z).index("sanctions") < list(z).index("azerbaijan")


def test_one_off_words_are_shrunk_below_repeated_ones():
    a = {"once": 1, "often": 10, "baku": 89}
    b = {"baku": 100}
    z = fightin_words(a, b)
    assert z["often"] > z["once"] > 0
    assert z["once"] < 1.0  # one use is weak evidence, however exclusive
    assert list(z)[0] == "often"


def test_fightin_words_is_antisymmetric_and_needs_a_covering_prior():
    a, b = {"aid": 5, "kyiv": 3}, {"aid": 1, "moscow": 6}
    z_ab, z_ba = fightin_words(a, b), fightin_words(b, a)
    assert all(z_ab[t] == pytest.approx(-z_ba[t]) for t in z_ab)
    with pytest.raises(ValueError, match="prior"):
        fightin_words(a, b, prior={"aid": 6})


def test_distinctive_terms_per_source(summaries):
    west = by_name(summaries)["West"]
    z = {t: z for t, z, _ in west.distinctive_terms}
    count = {t: c for t, _, c in west.distinctive_terms}
    assert list(z)[0] in {"aid", "humanitarian", "humanitarian aid", "ukraine"}
    assert count["humanitarian aid"] == 3
    assert z["humanitarian aid"] > max(z[t] for t in z if count[t] == 1)  # 3 uses beat one
    assert list(z.values()) == sorted(z.values(), reverse=True) and min(z.values()) > 0
    assert "moscow" not in z  # North and Lone use it too


def test_single_group_has_no_distinctive_terms_and_says_why():
    result = source_summaries(pd.DataFrame(WEST), n_boot=100)
    assert len(result.sources) == 1
    assert result.sources[0].distinctive_terms == []
    assert any("at least two" in w for w in result.warnings)


# --- compare -----------------------------------------------------------------------------------


def test_compare_reports_a_minus_b_with_intervals():
    out = compare_groups(pd.DataFrame(WEST), pd.DataFrame(NORTH), "West", "North", n_boot=500)
    a, b, diff = out["a"], out["b"], out["diff_a_minus_b"]
    assert (a["label"], b["label"]) == ("West", "North")
    for stance in STANCES:
        d = diff["stance_shares"][stance]
        share_a, share_b = a["stance_shares"][stance]["share"], b["stance_shares"][stance]["share"]
        assert d["value"] == pytest.approx(share_a - share_b)
        assert d["lo"] <= d["value"] <= d["hi"]
    assert diff["lean"]["value"] == pytest.approx(a["lean"]["value"] - b["lean"]["value"])
    assert diff["lean"]["lo"] <= diff["lean"]["value"] <= diff["lean"]["hi"]
    # every West article is at least half pro-Ukraine and North has none: A - B is surely > 0
    assert diff["stance_shares"]["pro_ukraine"]["lo"] > 0
    assert diff["lean"]["lo"] > 0
    assert "humanitarian aid" in [t for t, _, _ in a["distinctive_terms"]]
    assert "trusted" in [t for t, _, _ in b["distinctive_terms"]]
    json.dumps(out)


def test_compare_uses_the_same_intervals_as_the_source_summary(corpus):
    out = compare_groups(pd.DataFrame(WEST), pd.DataFrame(NORTH), "West", "North", n_boot=300)
    west = by_name(source_summaries(corpus, n_boot=300))["West"]
    assert out["a"]["stance_shares"] == west.stance_shares


def test_compare_needs_two_groups():
    found = r"two groups.*found 1: 'West' has 7 sentences; 'North' has 0 sentences"
    with pytest.raises(BadInput, match=found):
        compare_groups(pd.DataFrame(WEST), pd.DataFrame(NORTH).iloc[:0], "West", "North")
    with pytest.raises(BadInput, match="two different groups"):
        compare_groups(pd.DataFrame(WEST), pd.DataFrame(NORTH), "West", "West")


# --- bad input ---------------------------------------------------------------------------------


def test_unknown_by_column_lists_the_columns(corpus):
    with pytest.raises(BadInput, match=r"no column 'outlet'.*available: source, doc_id, text"):
        source_summaries(corpus, by="outlet")


def test_empty_data(corpus):
    with pytest.raises(BadInput, match="no sentences"):
        source_summaries(corpus.iloc[:0])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"frame": "war"}, "unknown frame"),
        ({"p_none": 0.5}, "sum to 1"),
        ({"uncertain": "False"}, "true/false"),
        ({"doc_id": None}, "'doc_id' has 17 empty"),
    ],
)
def test_bad_values_are_named(corpus, change, words):
    with pytest.raises(BadInput, match=words):
        source_summaries(corpus.assign(**change))


# --- output ------------------------------------------------------------------------------------


def test_table_shows_shares_with_intervals_in_lean_order(summaries):
    console = Console(record=True, width=400, file=io.StringIO())
    console.print(format_table(summaries))
    text = console.export_text()
    assert re.search(r"71% \[\d+–\d+\]", text)  # West's pro-Ukraine share
    assert "+0.71 [" in text
    assert text.index("West") < text.index("Middle") < text.index("North") < text.index("Lone")
    assert "health safety" in text and "humanitarian aid" in text


def test_flat_frame_has_one_row_per_source(summaries):
    frame = summaries_to_frame(summaries)
    assert list(frame["source"]) == ["West", "Middle", "North", "Lone"]
    for stance in STANCES:
        assert {f"share_{stance}", f"share_{stance}_lo", f"share_{stance}_hi"} <= set(frame.columns)
    assert {"lean", "lean_lo", "lean_hi"} | {f"frame_{f}" for f in FRAMES} <= set(frame.columns)
    west = frame.iloc[0]
    assert west["share_pro_ukraine"] == pytest.approx(5 / 7)
    assert west["frame_health_safety"] == pytest.approx(3 / 7) and west["frame_economic"] == 0
    json.dumps(summaries.to_records())


def test_png_chart(summaries, tmp_path):
    import matplotlib.image

    path = write_chart(summaries, tmp_path / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, channels = matplotlib.image.imread(path).shape
    assert height > 400 and width > 800 and channels in (3, 4)
    assert [p.name for p in tmp_path.iterdir()] == ["chart.png"]  # no temp file left behind


def test_svg_chart_has_titles_and_labels(summaries, tmp_path):
    root = ET.parse(write_chart(summaries, tmp_path / "chart.svg")).getroot()
    assert root.tag.endswith("svg")
    text = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    for words in ("Stance and framing by source", "(a) Stance shares per source",
                  "(b) Frame shares per source", "share of sentences", "lean index", "frame",
                  "pro-Ukraine", "Russia-accommodating", "West  (n=7)", "health safety", "43%"):
        assert words in text


def test_chart_suffix_must_be_png_or_svg(summaries, tmp_path):
    with pytest.raises(BadInput, match=r"\.png or \.svg; got '\.pdf'"):
        write_chart(summaries, tmp_path / "chart.pdf")
    with pytest.raises(BadInput, match="folder does not exist"):
        write_chart(summaries, tmp_path / "missing" / "chart.png")
    assert list(tmp_path.iterdir()) == []


def test_signed_never_prints_minus_zero():
    from stanceframe.output import signed

    assert [signed(x) for x in (-1e-9, -0.0, 0.004, -0.005001, 0.5)] == ["+0.00", "+0.00", "+0.00", "-0.01", "+0.50"]
