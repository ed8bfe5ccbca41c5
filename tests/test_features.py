"""Concept tokens: what a sentence's actors and cues come out as (sentences written for the tests)."""

from stanceframe.features import clean, concepts


def tokens(text):
    return set(concepts(text).split())


def test_conflict_with_moscow_is_not_read_as_a_sanctions_cue():
    t = tokens("Baku condemned Moscow over the arrests of Azerbaijanis.")
    assert {"c_conflict", "c_conflict_azerbaijan_russia"} <= t
    assert not any(x.startswith("c_sanction") for x in t)
    s = tokens("Azerbaijan did not join the sanctions against Russia.")
    assert {"c_sanction", "neg_sanction", "c_sanction_azerbaijan_russia"} <= s and "c_conflict" not in s


def test_the_united_states_in_capitals_is_an_actor_and_the_pronoun_is_not():
    assert "a_west" in tokens("US officials met Aliyev in Baku.")
    assert "a_west" not in tokens("Let us be clear about Baku's position.")
    assert clean("US and us") == "u.s and us"


def test_an_actor_is_one_token_whatever_it_is_called():
    for name in ("Moscow", "the Kremlin", "Putin", "Lavrov"):
        assert "a_russia" in tokens(f"{name} praised Baku."), name
    assert "a_ukraine" in tokens("Kyiv thanked Baku.") and "a_ukraine" in tokens("Zelensky thanked Baku.")


def test_headline_shape_and_length():
    assert "no_final_punct" in tokens("Baku Between Moscow and Kyiv")
    assert "no_final_punct" not in tokens("Baku sent aid to Kyiv.")
    assert "len_short" in tokens("Baku sent aid.")
