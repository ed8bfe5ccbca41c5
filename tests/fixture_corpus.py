"""A small labelled corpus written for the tests: three made-up outlets, sentences and labels of our own."""

from __future__ import annotations

import csv
from pathlib import Path

from stanceframe.segment import page_sentences

# (stance, frame, sentence); each outlet has every stance, so leave-one-outlet-out training sees all four
ARTICLES = {
    "t01": [
        ("pro_ukraine", "health_safety", "Baku sent medicines and generators to hospitals in Ukraine."),
        ("pro_ukraine", "legality", "Azerbaijan backs the territorial integrity of Ukraine."),
        ("pro_ukraine", "public_opinion", "Crowds in Baku waved Ukrainian flags outside the embassy."),
        ("pro_ukraine", "health_safety", "Fuel for Ukrainian ambulances was donated by the state oil company."),
        ("russia_accommodating", "external_regulation", "Azerbaijan did not join the sanctions against Russia."),
        ("russia_accommodating", "political", "Aliyev and Putin signed a declaration on allied interaction."),
        ("russia_accommodating", "political", "Baku keeps a trusted dialogue with the Kremlin."),
        ("balancing", "political", "Baku walks a fine line between Moscow and Kyiv."),
        ("balancing", "political", "Its foreign policy stays balanced and multi-vector."),
        ("balancing", "political", "Azerbaijan keeps ties with both Russia and Ukraine."),
        ("none", "economic", "The harvest of cotton was larger than last year."),
        ("none", "security_defense", "The ceasefire of 1994 ended the first war in the region."),
        ("none", "other", "Weather in the capital was mild in spring."),
    ],
    "t02": [
        ("pro_ukraine", "health_safety", "Azerbaijan delivered humanitarian aid to Ukrainian refugees."),
        ("pro_ukraine", "legality", "Baku supports the sovereignty of Ukraine and its borders."),
        ("pro_ukraine", "political", "Zelensky thanked Aliyev for his support of Ukraine."),
        ("russia_accommodating", "external_regulation", "At the UN vote Azerbaijan abstained on condemning Russia."),
        ("russia_accommodating", "political", "Moscow remains a reliable partner for Baku, officials said."),
        ("russia_accommodating", "political", "Lavrov praised the alliance with Azerbaijan during his visit."),
        ("russia_accommodating", "political", "Baku avoids antagonising the Kremlin."),
        ("balancing", "political", "Azerbaijan stays neutral in the war between Russia and Ukraine."),
        ("balancing", "political", "The government balances its relations with Moscow and Kyiv."),
        ("balancing", "political", "Baku pursues a pragmatic policy toward both sides."),
        ("none", "economic", "Oil prices rose in the spring."),
        ("none", "security_defense", "The border clashes of 2016 lasted four days."),
        ("none", "other", "A new museum opened in the old city."),
    ],
    "t03": [
        ("pro_ukraine", "health_safety", "More aid for Ukrainian hospitals left Baku this week."),
        ("pro_ukraine", "legality", "Azerbaijan does not recognise the annexed regions of Ukraine."),
        ("pro_ukraine", "public_opinion", "Protests against the Russian invasion took place in Baku."),
        ("russia_accommodating", "external_regulation", "Baku refused to back sanctions on Moscow."),
        ("russia_accommodating", "political", "Putin and Aliyev agreed to deepen cooperation."),
        ("russia_accommodating", "political", "The Kremlin is Baku's most trusted partner."),
        ("balancing", "political", "Azerbaijan keeps equal distance from Moscow and Kyiv."),
        ("balancing", "political", "Baku talks to Russia and Ukraine at the same time."),
        ("balancing", "political", "Its multi-vector course keeps ties with every side."),
        ("none", "economic", "Tourism revenue grew by a small amount."),
        ("none", "security_defense", "The old ceasefire line was quiet in winter."),
        ("none", "other", "The city marathon was held on Sunday."),
    ],
}


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write pages, sources.csv and labels.csv under `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    with open(folder / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "file", "outlet", "title", "kind", "published", "author", "url"])
        for sid, items in ARTICLES.items():
            page = " ".join(text for _, _, text in items) + "\n"
            (folder / f"{sid}.txt").write_text(page, encoding="utf-8")
            w.writerow([sid, f"{sid}.txt", f"Outlet {sid}", "", "news", "", "", ""])
            sents = page_sentences(page, sid)
            assert [s.text for s in sents] == [t for _, _, t in items], "fixture sentences must split as written"
            for s, (stance, frame, _) in zip(sents, items):
                rows.append([f"{sid}-{s.index:03d}", sid, s.start, s.end, s.text, stance, frame, ""])
    with open(folder / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence_id", "source", "start", "end", "text", "stance", "frame", "note"])
        w.writerows(rows)
    return {"sources": folder / "sources.csv", "labels": folder / "labels.csv"}


# A written corpus for the tests: invented sentences in three voices, every stance in each voice.
WRITTEN = {
    "v_wire": [
        ("pro_ukraine", "health_safety", "Baku shipped field hospitals to Kharkiv, the ministry said."),
        ("pro_ukraine", "political", "Azerbaijan summoned the Russian envoy over the detention of its citizens."),
        ("russia_accommodating", "external_regulation", "Azerbaijan again declined to back sanctions on Moscow."),
        ("russia_accommodating", "economic", "Trade between Baku and Moscow grew for a third year."),
        ("balancing", "political", "Baku courts Brussels while keeping Moscow close."),
        ("balancing", "political", "The foreign minister called the policy neutral toward both capitals."),
        ("none", "economic", "Grain prices fell on the Caspian exchange."),
        ("none", "other", "Weekly round-up"),
    ],
    "v_paper": [
        ("pro_ukraine", "legality", "Aliyev repeated that Ukraine's borders must be respected."),
        ("pro_ukraine", "public_opinion", "Students in Baku rallied for Ukraine in the rain."),
        ("russia_accommodating", "political", "Putin and Aliyev praised their alliance at a Kremlin dinner."),
        ("russia_accommodating", "political", "Baku thanked Moscow for its trusted partnership."),
        ("balancing", "political", "Azerbaijan talks to Kyiv and Moscow with equal care."),
        ("balancing", "political", "Its diplomacy hedges between the two warring sides."),
        ("none", "security_defense", "The ceasefire line in the mountains was quiet."),
        ("none", "other", "Letters to the editor"),
    ],
    "v_tank": [
        ("pro_ukraine", "health_safety", "More medical aid for Ukrainian children left Baku on Monday."),
        ("pro_ukraine", "crime_punishment", "Baku condemned the arrests of Azerbaijanis by Russian police."),
        ("russia_accommodating", "external_regulation", "Azerbaijan abstained when the assembly voted on Russia."),
        ("russia_accommodating", "political", "Officials in Baku avoid any word that could anger the Kremlin."),
        ("balancing", "policy_prescription", "Small states should stay neutral between Moscow and Kyiv."),
        ("balancing", "political", "Baku keeps a pragmatic course between the two sides."),
        ("none", "economic", "The central bank left its rate unchanged."),
        ("none", "cultural_identity", "A festival of carpet weaving opened in Sheki."),
    ],
}


def write_written(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence_id", "voice", "register", "year", "text", "stance", "frame", "note"])
        i = 0
        for voice, items in WRITTEN.items():
            for stance, frame, text in items:
                i += 1
                w.writerow([f"w-{i:04d}", voice, "news", 2020 + i % 7, text, stance, frame, ""])
    return path
