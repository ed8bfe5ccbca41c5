"""The page -> sentences step on the real seed pages and on hand-written cases."""

from pathlib import Path

import pytest

from stanceframe.segment import line_records, page_sentences, segment_lines, segment_page, split_sentences

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("0*.txt"))
PAGES = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS}

FURNITURE = [
    "Follow us on Instagram", "Lost your password?", "Views: 556", "Ссылка скопирована", "© 2021 Aze.Media",
    "Caliber.az © 2025", "By using this site, you agree", "Share it on social media", "You Might Also Like",
    "Sign in to your account", "Did this article help you?", "Leave a comment", "shunculture", "night_theme",
    "WHAT ARE YOU LOOKING FOR", "Any use of materials is allowed", "Min Read", "Written by",
    "https://www.commonspace.eu", "Email: editor@aze.media", "Analytical materials of te authors",
    # teaser headlines of other articles on the page
    "Could Azerbaijan and Armenia weaken Russia’s influence in the South Caucasus?",
    "Abu Dhabi as a new starting point for peace in the South Caucasus",
    "Russia chooses a new tactic against Azerbaijan: three dangerous plans on the table",
    "We are a unique political and socio-cultural digest",
    "Volodymyr zelenskyy and ilham aliyev 2019 12 17 19",  # an image slug
]

KNOWN_BODY = {
    "000": ["Azerbaijani society and media have been more vocal in their support of Ukraine, resulting in Russia's "
            "ban on some leading Azerbaijani news websites.",
            "Since the war in Ukraine unfolded in February 2022, the Azerbaijani government has provided around "
            "$20 million in humanitarian aid to Ukraine since the beginning of the full-scale war."],
    "001": ["Mr. Suleimenov noted that his government and Baku were in discussions to develop a new fleet of tanker "
            "ships to increase the volume of energy transported across the Caspian Sea, from Kazakhstan’s Aktau to "
            "Baku port.",
            "On 21 April, the news agency Azertac reported that Baku sent a total of 170 tons of medicines and "
            "supplies worth 3.37 million manats ($1.9 million USD), as well as food products worth 1 million "
            "manats ($588,000) to Ukraine, via Warsaw airport.",
            "When the war commenced, hundreds of Azerbaijanis gathered outside the Ukrainian embassy in Baku, "
            "flying Ukrainian flags."],
    "002": ["The First Nagorno-Karabakh War (1988-1994) resulted in around 30,000 casualties and hundreds of "
            "thousands of refugees.",
            "Azerbaijan's neutrality is due in part to its desire to maintain good relations with both Moscow and "
            "Kyiv."],
    "003": ["Baku has also provided humanitarian assistance including electricity generators and free petrol "
            "supplies to Ukraine.",
            "They have achieved a 24 percent increase in the bilateral trade which amounted to 4 billion USD last "
            "year."],
    "004": ["Baku and Moscow maintain a trusted relationship at the leadership level, with ongoing dialog and mutual "
            "understanding on matters of political dialog, security, and humanitarian cooperation.",
            "At the very least, the Russian president can visit Baku.”",
            "Consistency and predictability: The country aims to be reliable and stable in its diplomatic dealings."],
}


@pytest.fixture(scope="module")
def seed_sentences():
    return {sid: page_sentences(page, sid) for sid, page in PAGES.items()}


def test_five_seeds_are_present():
    assert sorted(PAGES) == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("sid", sorted(PAGES))
def test_offsets_point_at_the_sentence(seed_sentences, sid):
    page, sents = PAGES[sid], seed_sentences[sid]
    assert len(sents) > 20
    assert [s.index for s in sents] == list(range(len(sents)))
    for s in sents:
        assert page[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
    assert all(a.end <= b.start for a, b in zip(sents, sents[1:]))


@pytest.mark.parametrize("sid", sorted(PAGES))
def test_furniture_never_comes_out(seed_sentences, sid):
    texts = [s.text for s in seed_sentences[sid]]
    for junk in FURNITURE:
        assert not any(junk.lower() in t.lower() for t in texts), junk


@pytest.mark.parametrize("sid", sorted(PAGES))
def test_known_body_sentences_come_out_whole(seed_sentences, sid):
    # the pages use no-break spaces in places; compare with spaces normalised
    texts = [" ".join(s.text.split()) for s in seed_sentences[sid]]
    for sentence in KNOWN_BODY[sid]:
        assert sentence in texts


def test_no_sentence_crosses_a_paragraph_break(seed_sentences):
    for sid, sents in seed_sentences.items():
        for s in sents:
            assert "\n" not in s.text, (sid, s.text)


def test_headlines_and_headings_are_marked(seed_sentences):
    kinds = {(s.text, s.kind) for s in seed_sentences["001"]}
    assert ("Azerbaijan’s delicate balancing act amid the Ukraine War", "headline") in kinds
    assert ("Recent developments", "heading") in kinds
    assert ("Putin is expected to visit Azerbaijan on August 19", "headline") in {
        (s.text, s.kind) for s in seed_sentences["004"]}


def test_the_repeated_title_is_kept_once(seed_sentences):
    texts = [s.text for s in seed_sentences["001"]]
    assert texts.count("Azerbaijan’s delicate balancing act amid the Ukraine War") == 1


def _split(text):
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize("text, expected", [
    ("The U.S. State Department agreed. Then it left.", ["The U.S. State Department agreed.", "Then it left."]),
    ("Mr. Aliyev met Dr. Smith in Baku. They talked.", ["Mr. Aliyev met Dr. Smith in Baku.", "They talked."]),
    ("Minister S. Lavrov arrived. He spoke.", ["Minister S. Lavrov arrived.", "He spoke."]),
    ("Aid worth $1.9 million and 3.37 tons arrived. More followed.",
     ["Aid worth $1.9 million and 3.37 tons arrived.", "More followed."]),
    ("He said “we stand with Kyiv.” Baku agreed.", ["He said “we stand with Kyiv.”", "Baku agreed."]),
    ("Trade grew (by 24 percent.) It slowed.", ["Trade grew (by 24 percent.)", "It slowed."]),
    ("They arrived in the U.S. The talks began.", ["They arrived in the U.S.", "The talks began."]),
    ("Is Baku neutral? Yes! It says so.", ["Is Baku neutral?", "Yes!", "It says so."]),
    ("Exports rose, e.g. gas and oil. Imports fell.", ["Exports rose, e.g. gas and oil.", "Imports fell."]),
    # ”…” and »…« as Swedish and Finnish outlets write quotes: ” and » open, « may close
    ("Aliyev spoke. ”We will not take sides,” he said.", ["Aliyev spoke.", "”We will not take sides,” he said."]),
    ("Aliyev spoke. »We will not take sides», he said.", ["Aliyev spoke.", "»We will not take sides», he said."]),
    ("He said »we stay neutral.« Then he left.", ["He said »we stay neutral.«", "Then he left."]),
])
def test_splitter_cases(text, expected):
    assert _split(text) == expected


def test_heading_without_period_followed_by_prose_is_kept():
    page = "Menu\nHome\n\nBaku Walks a Fine Line\n\nAzerbaijan keeps ties with both Moscow and Kyiv. It sends aid.\n"
    sents = page_sentences(page)
    assert [(s.text, s.kind) for s in sents] == [
        ("Baku Walks a Fine Line", "headline"),
        ("Azerbaijan keeps ties with both Moscow and Kyiv.", "body"),
        ("It sends aid.", "body"),
    ]


def test_markdown_markers_are_not_part_of_sentences():
    page = "# Baku and Kyiv\n\n- Azerbaijan sent aid to Ukraine.\n- It also kept talking to Moscow.\n"
    sents = page_sentences(page)
    assert [s.text for s in sents] == ["Baku and Kyiv", "Azerbaijan sent aid to Ukraine.",
                                       "It also kept talking to Moscow."]
    assert all(page[s.start:s.end] == s.text for s in sents)


def test_long_non_latin_text_is_kept_for_scoring_not_dropped_as_furniture():
    page = "Президент Азербайджана провёл телефонный разговор с президентом Украины. Стороны обсудили помощь.\n"
    assert len(page_sentences(page)) == 2
    assert page_sentences("Ссылка скопирована\n") == []


# --- issue 9 section 4: no sentence lost on the way in ---------------------------------------------


@pytest.mark.parametrize("sentence", [
    "Azerbaijan did not sign up to the Western sanctions against Russia.",
    "Baku refused to subscribe to the statement on Ukraine.",
    "The two governments will sign intergovernmental agreements on energy transit.",
    "Officials counted 250000 displaced people in the region last year.",
    "Baku and Moscow share this view of the transport corridor.",
    "Azerbaijan's new privacy policy for state data took effect in May.",
    "By cutting gas deliveries to Europe, Moscow pushed Brussels toward Baku as a supplier.",
])
def test_body_sentences_mentioning_interface_words_are_kept(sentence):
    page = f"Baku between Moscow and Kyiv\n\n{sentence}\n\nThe talks are set to continue next month.\n"
    assert [s.text for s in page_sentences(page)] == [
        "Baku between Moscow and Kyiv", sentence, "The talks are set to continue next month."]


def test_read_more_above_the_body_does_not_end_the_article():
    page = ("Baku Walks a Fine Line\nRead more\n\nAzerbaijan keeps ties with both Moscow and Kyiv. It sends aid.\n\n"
            "Read more\n\nAnother Story About the Caspian Ports\n\nIts teaser text is not this article.\n")
    assert [(s.text, s.kind) for s in page_sentences(page)] == [
        ("Baku Walks a Fine Line", "headline"),
        ("Azerbaijan keeps ties with both Moscow and Kyiv.", "body"),
        ("It sends aid.", "body"),
    ]
    rules = [r["rule"] for r in line_records(page) if r["status"] == "dropped"]
    assert rules == ["end_marker_before_body", "end_marker", "after_end_marker", "after_end_marker"]


DUMP = """Baku Abstains Again at the UN
Nargiz Mammadli, July 5, 2022
By Nargiz Mammadli July 5, 2022
President Ilham Aliyev meets Volodymyr Zelensky in Kyiv, January 2020. Photo: president.az
Baku abstains again at the UN. Azerbaijan did not vote on the resolution on Ukraine. Its envoy called for dialogue.
Photo: AP / Alexander Zemlianichenko
Source: online.ua
Support The Moscow Times!
"""


def test_text_dump_captions_bylines_sources_and_appeals_are_dropped_and_the_headline_counted_once():
    sents = page_sentences(DUMP)
    assert [(s.text, s.kind) for s in sents] == [
        ("Baku Abstains Again at the UN", "headline"),
        ("Azerbaijan did not vote on the resolution on Ukraine.", "body"),
        ("Its envoy called for dialogue.", "body"),
    ]
    assert all(DUMP[s.start:s.end] == s.text for s in sents)
    report = [(r["line"], r["status"], r["kind"] or r["rule"], r["text"]) for r in line_records(DUMP, "d")]
    assert report == [
        (1, "kept", "headline", "Baku Abstains Again at the UN"),
        (2, "dropped", "byline", "Nargiz Mammadli, July 5, 2022"),
        (3, "dropped", "byline", "By Nargiz Mammadli July 5, 2022"),
        (4, "dropped", "caption", "President Ilham Aliyev meets Volodymyr Zelensky in Kyiv, January 2020. Photo: president.az"),
        (5, "dropped", "repeated_headline", "Baku abstains again at the UN."),
        (5, "kept", "body", "Azerbaijan did not vote on the resolution on Ukraine. Its envoy called for dialogue."),
        (6, "dropped", "caption", "Photo: AP / Alexander Zemlianichenko"),
        (7, "dropped", "source_credit", "Source: online.ua"),
        (8, "dropped", "appeal", "Support The Moscow Times!"),
    ]


def test_a_repeated_headline_line_with_a_period_is_dropped():
    page = "Aliyev Tells Putin Baku Will Not Take Sides\nAliyev tells Putin Baku will not take sides.\n" \
           "The president spoke by phone with his Russian counterpart on Monday.\n"
    assert [s.text for s in page_sentences(page)] == [
        "Aliyev Tells Putin Baku Will Not Take Sides", "The president spoke by phone with his Russian counterpart on Monday."]
    assert [r["rule"] for r in line_records(page)] == ["", "repeated", ""]


@pytest.mark.parametrize("text, expected", [
    ("Baku Abstains Again as UN Assembly Votes on Ukraine Resolution",
     [("Baku Abstains Again as UN Assembly Votes on Ukraine Resolution", "headline")]),
    ("By cutting gas deliveries to Europe, Moscow pushed Brussels toward Baku as a supplier.",
     [("By cutting gas deliveries to Europe, Moscow pushed Brussels toward Baku as a supplier.", "body")]),
    ("Menu\nSubscribe\nAzerbaijan stays neutral.", [("Menu", "body"), ("Subscribe", "body"),
                                                       ("Azerbaijan stays neutral.", "body")]),
])
def test_article_text_without_furniture_rules_keeps_every_line(text, expected):
    assert [(s.text, s.kind) for s in page_sentences(text, furniture=False)] == expected


def test_article_text_keeps_a_headline_repeated_in_the_first_sentence():
    text = "Baku Abstains Again at the UN\nBaku abstains again at the UN. The vote was on Monday.\n"
    assert [s.text for s in page_sentences(text, furniture=False)] == [
        "Baku Abstains Again at the UN", "Baku abstains again at the UN.", "The vote was on Monday."]
    assert [s.text for s in page_sentences(text)] == ["Baku Abstains Again at the UN", "The vote was on Monday."]


def test_every_line_is_accounted_for_on_the_seeds():
    for sid, page in PAGES.items():
        lines = segment_lines(page)
        physical = [i + 1 for i, ln in enumerate(page.split("\n")) if ln.strip(" \t\r\xa0-*+•·▪◦–#>")]
        assert sorted({ln.number for ln in lines}) == physical, sid
        assert all(bool(ln.kind) != bool(ln.rule) for ln in lines)
        kept = [(ln.start, ln.end) for ln in lines if ln.kind]
        blocks = [(s.start, s.end) for s in page_sentences(page)]
        assert blocks[0][0] == kept[0][0] and blocks[-1][1] == kept[-1][1]


def test_headline_end_marks_the_given_headline():
    page = "How Does Baku See the War?\n\nAzerbaijan keeps ties with both Moscow and Kyiv.\n"
    assert [s.kind for s in page_sentences(page)] == ["body", "body"]
    assert [s.kind for s in page_sentences(page, headline_end=26)] == ["headline", "body"]


# --- siblings of issue 12, cases 7 and 8: markup and escape sequences in a sentence --------------------


@pytest.mark.parametrize("page", [
    "[link=https://example.com/2024/05/17/a]Officials in Baku said the aid to Ukraine would continue.[/link]\n",
    "\x1b]8;;https://example.com/a\x1b\\Officials in Baku said the aid to Ukraine would continue.\x1b]8;;\x1b\\\n",
    "\x1b[1mOfficials in Baku said the aid to Ukraine would continue.\x1b[0m\n",
], ids=["console-link", "osc8-hyperlink", "csi-bold"])
def test_a_sentence_wrapped_in_a_link_or_escape_sequence_is_kept(page):
    sents, lines = segment_page(page)
    assert [ln.kind for ln in lines] == ["body"]
    assert len(sents) == 1 and "Officials in Baku" in sents[0].text
    assert sents[0].text == page[sents[0].start:sents[0].end]  # offsets keep the markup


def test_a_line_of_markup_alone_is_dropped_by_its_own_rule():
    _, lines = segment_page("[/link]\nOfficials in Baku said the aid to Ukraine would continue.\n")
    assert [(ln.kind, ln.rule) for ln in lines] == [("", "markup_only"), ("body", "")]


def test_an_article_in_capitals_throughout_keeps_its_sentences():
    page = ("AZERBAIJAN SENDS AID TO UKRAINE\n\nOFFICIALS IN BAKU SAID THE AID TO UKRAINE WOULD CONTINUE THIS "
            "YEAR. MOSCOW CALLED THE VISIT ROUTINE.\n")
    sents, _ = segment_page(page)
    assert [s.kind for s in sents] == ["headline", "body", "body"]
    assert sents[2].text == "MOSCOW CALLED THE VISIT ROUTINE."
    # a capitals menu line on an ordinary page is still furniture
    _, lines = segment_page("MENU ANALYTICS\nOfficials in Baku said the aid to Ukraine would continue this year.\n")
    assert lines[0].rule == "no_lowercase"
