"""Text features meant to carry across outlets.

A model trained on five outlets would otherwise learn each outlet's vocabulary, or the outlet's own
name, instead of the stance. Three views of a sentence are fed to TF-IDF:

- `clean`: the sentence lower-cased, with web addresses, outlet names and the seeds' authors removed
  (word and character n-grams are built from this);
- `concepts`: a short list of tokens naming what the sentence talks about, independent of wording:
  each actor under one token whatever it is called (Moscow, the Kremlin, Putin, Lavrov, Shoigu ->
  ``a_russia``), every pair of actors mentioned together (``a_russia_ukraine``: a sentence naming
  both sides is often `balancing`), the codebook's cue concepts (aid, sovereignty, balance,
  alliance, sanctions, solidarity, threat, caution, history) crossed with the actors they occur
  with (``c_aid_ukraine``), frame cues from the Policy Frames Codebook's category descriptions,
  and negation. The cue lists paraphrase the codebook's definitions; they are features the model
  weighs, never labels.

Both are plain module-level functions, so fitted pipelines that use them pickle and load.
"""

from __future__ import annotations

import functools
import re

# Word lists: a trailing * matches any ending; words joined by _ are phrases.
ACTORS = {
    "russia": "russia russian russians moscow kremlin putin lavrov shoigu peskov medvedev gazprom russo",
    "ukraine": "ukraine ukrainian ukrainians kyiv kiev zelensky zelenskyy zelenskyyy zelenskiy kuleba",
    "azerbaijan": "azerbaijan azerbaijani azerbaijanis baku aliyev bayramov socar",
    "west": "eu european europe west western nato washington brussels america american united_states usa us "
    "u.s uk britain london blinken biden germany france berlin paris",
    "armenia": "armenia armenian armenians yerevan pashinyan",
    "turkey": "turkey türkiye turkiye turkish ankara erdogan erdoğan",
    "iran": "iran iranian tehran",
    "karabakh": "karabakh nagorno artsakh",
}
# Stance cues, paraphrasing the codebook's stance definitions.
STANCE_CUES = {
    "aid": "humanitarian aid assistance donation* donor* medicine* medical_supplies ambulance* generator* refugee*",
    "sovereignty": "territorial_integrity sovereignty independence internationally_recognized recogni*",
    "balance": "balanc* neutral* multi-vector* multivector* equidistan* pragmati* fine_line tightrope non-align* "
    "both_sides multilateral* bridge independent_stance national_interest*",
    "alliance": "allian* allied strategic_partner* partner* trusted cooperation mutual_understanding dialog* "
    "predictable",
    "sanction": "sanction* condemn* vote vote? voted votes resolution suspension",
    "solidarity": "protest* flag* solidarity displeasure vocal support_ukraine supported_ukraine support_kyiv",
    "threat": "threat* attack* propaganda tortured kidnapped abuse hostil* invasion aggression ire anger* "
    "antagoni* provok*",
    "caution": "cautio* careful* avoid* refrain* silence low_profile stopped_short",
    "history": "soviet ceasefire cease-fire* pogrom* casualties oblast",
}
# Frame cues, paraphrasing the Policy Frames Codebook's category descriptions.
FRAME_CUES = {
    "economic": "trade economic* economy export* import* investment* billion million market* business turnover "
    "agricultur*",
    "capacity": "corridor transport* route* infrastructure tanker* pipeline* volume capacity production network* "
    "facilities flights supplier",
    "security": "military armed army troops weapon* drills exercises peacekeep* fighting ceasefire security "
    "defence defense forces combat nuclear",
    "public": "protest* media propaganda society public criticism sentiment* news campaign*",
    "extreg": "sanctions united_nations un vote votes resolution membership reputation image recognition status "
    "brics shanghai international_organi*",
    "crime": "tortured kidnapped abuse crime* arrest* detention*",
    "political": "visit* met meeting* talks president minister diplomac* diplomatic foreign_policy relations "
    "agreement declaration negotiation* leader*",
    "prescribe": "should must recommend* need_to needs_to require* theories",
    "culture": "culture* identity ethnic*",
    "legal": "law laws legal* constitution* self-determination de_facto treaty",
}
# Names that identify an outlet or a seed's author rather than a stance.
OUTLET_NAMES = (
    r"caliber\.?az|aze\.?media|azemedia|commonspace(?:\.eu)?|shunculture|azertac|bloomberg"
    r"|voice of america|the interpreter|vasif huseynov|huseynov|farhad mamedov|mamedov"
    r"|wilder alejandro sanchez|nikola mikovic|mary glantz"
)


def _lexicon(*tables: tuple[str, dict[str, str]]):
    """Exact words, prefixes and two-word phrases -> concept token, from the word lists above."""
    exact, prefix, phrase = {}, {}, {}
    for tag, table in tables:
        for name, words in table.items():
            token = f"{tag}{name}"
            for w in words.split():
                w = w.rstrip("?")
                if "_" in w:
                    first, second = w.split("_", 1)
                    phrase.setdefault(first, []).append((second.rstrip("*"), second.endswith("*"), token))
                elif w.endswith("*"):
                    prefix.setdefault(w[:-1], set()).add(token)
                else:
                    exact.setdefault(w, set()).add(token)
    return exact, prefix, phrase


# exact word -> tokens; prefix -> tokens; first word of a phrase -> [(second word, is prefix, token)]
_EXACT, _PREFIX, _PHRASE = _lexicon(("a_", ACTORS), ("c_", STANCE_CUES), ("f_", FRAME_CUES))
_PREFIX_LENGTHS = sorted({len(p) for p in _PREFIX})
_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|eu|az|ru|ua|org|net|media)\b", re.I)
_OUTLETS = re.compile(rf"\b(?:{OUTLET_NAMES})\b", re.I)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " ", "–": " ", "\xa0": " "})
_WORD = re.compile(r"[^\W\d_][\w'.-]*")
_NEGATIONS = frozenset("not no never nor without neither n't".split())
_FINAL_PUNCT = re.compile(r"[.!?:…][\"')\]]*\s*$")


# Substrings without which the URL and outlet patterns cannot match: most sentences contain none,
# and a substring test is far cheaper than the regular expressions.
_URL_HINTS = ("http", "www.", ".com", ".eu", ".az", ".ru", ".ua", ".org", ".net", ".media")
_OUTLET_HINTS = ("caliber", "azemedia", "aze.media", "commonspace", "shunculture", "azertac", "bloomberg",
                 "voice of america", "interpreter", "huseynov", "mamedov", "sanchez", "mikovic", "glantz")


@functools.lru_cache(maxsize=16384)  # training transforms the same sentences once per split
def clean(text: str) -> str:
    """Lower-cased text without web addresses, outlet names or seed authors."""
    text = text.lower()
    if not text.isascii():
        text = text.translate(_QUOTES)
    if any(h in text for h in _URL_HINTS):
        text = _URL.sub(" ", text)
    if any(h in text for h in _OUTLET_HINTS):
        text = _OUTLETS.sub(" ", text)
    return text


def _words(text: str) -> list[str]:
    """Words, with the parts of hyphenated words added ("anti-russian" -> also "russian")."""
    words = []
    for w in _WORD.findall(text):
        w = w.rstrip(".-'")
        if w.endswith("'s"):
            w = w[:-2]
        words.append(w)
        if "-" in w:
            words.extend(p for p in w.split("-") if p)
    return words


_WORD_TOKENS: dict[str, frozenset[str]] = {}  # memo: words repeat across sentences


def _word_tokens(w: str) -> frozenset[str]:
    tokens = _WORD_TOKENS.get(w)
    if tokens is None:
        found = set(_EXACT.get(w, ()))
        for n in _PREFIX_LENGTHS:
            if n > len(w):
                break
            found |= _PREFIX.get(w[:n], set())
        if w in _NEGATIONS or w.endswith("n't") or w.startswith(("refrain", "avoid")):
            found.add("neg")
        tokens = frozenset(found)
        if len(_WORD_TOKENS) > 200_000:
            _WORD_TOKENS.clear()
        _WORD_TOKENS[w] = tokens
    return tokens


def _concepts_of(words: list[str]) -> tuple[set[str], bool]:
    found: set[str] = set()
    prev = ""
    for w in words:
        found |= _word_tokens(w)
        for second, is_prefix, token in _PHRASE.get(prev, ()):
            if w == second or (is_prefix and w.startswith(second)):
                found.add(token)
        prev = w
    negated = "neg" in found
    found.discard("neg")
    return found, negated


@functools.lru_cache(maxsize=16384)
def concepts(text: str) -> str:
    """Space-separated concept tokens of a sentence (see the module docstring)."""
    text = clean(text)
    found, negated = _concepts_of(_words(text))
    actors = sorted(t[2:] for t in found if t.startswith("a_"))
    stance_cues = sorted(t[2:] for t in found if t.startswith("c_"))
    tokens = [f"a_{a}" for a in actors]
    tokens += [f"a_{a}_{b}" for i, a in enumerate(actors) for b in actors[i + 1 :]]
    tokens += sorted(t for t in found if not t.startswith("a_"))
    tokens += [f"c_{c}_{a}" for c in stance_cues for a in actors]
    if negated:
        tokens += ["neg"] + [f"neg_{c}" for c in stance_cues]
    n = text.count(" ") + 1
    tokens.append("len_short" if n < 8 else "len_long" if n > 30 else "len_mid")
    if not _FINAL_PUNCT.search(text):
        tokens.append("no_final_punct")  # headlines and headings
    return " ".join(tokens)
