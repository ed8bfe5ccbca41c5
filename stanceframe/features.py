"""Text features meant to carry across outlets.

A model trained on five outlets would otherwise learn each outlet's vocabulary, or the outlet's own
name, instead of the stance. Three views of a sentence are fed to TF-IDF:

- `clean`: the sentence lower-cased, with web addresses, outlet names and the seeds' authors removed
  (word and character n-grams are built from this);
- `concepts`: a short list of tokens naming what the sentence talks about, independent of wording:
  each actor under one token whatever it is called (Moscow, the Kremlin, Putin, Lavrov, Shoigu ->
  ``a_russia``), every pair of actors mentioned together (``a_russia_ukraine``: a sentence naming
  both sides is often `balancing`), the codebook's cue concepts (aid, sovereignty, solidarity,
  conflict, threat, alliance, sanctions, votes, balance, caution, history) crossed with the actors
  and the pairs of actors they occur with (``c_aid_ukraine``, ``c_conflict_azerbaijan_russia``:
  what happens between two actors, not only who is named), frame cues from the Policy Frames Codebook's category descriptions,
  and negation. The cue lists paraphrase the codebook's definitions; they are features the model
  weighs, never labels.

Both are plain module-level functions, so fitted pipelines that use them pickle by name, and skops
loads them with exactly these two trusted types (see stanceframe/artifact.py).
"""

from __future__ import annotations

import functools
import re
from itertools import repeat

import numpy as np

# Word lists: a trailing * matches any ending; words joined by _ are phrases.
#
# How they were made (rewritten for the written corpus, issue 9): each list paraphrases a definition
# in labels/CODEBOOK.md or a Policy Frames Codebook category, in the general vocabulary of news on
# diplomacy and war; no word is here because a seed sentence has it, and spellings or idioms that
# only one seed uses were removed (e.g. "zelenskyyy", "theories", "predictable", "mutual
# understanding", "generators", "tankers", "oblast"). Conflict between states ("condemned",
# "summoned", "expelled") is its own cue, apart from sanctions and UN votes: "Baku condemned
# Moscow" and "Baku did not join the sanctions" point opposite ways under the codebook.
ACTORS = {
    "russia": "russia russian russians moscow kremlin putin lavrov peskov zakharova medvedev shoigu overchuk "
    "gazprom lukoil rosneft russo",
    "ukraine": "ukraine ukrainian ukrainians kyiv kiev zelensky zelenskyy zelenskiy kuleba sybiha yermak",
    "azerbaijan": "azerbaijan azerbaijani azerbaijanis baku aliyev bayramov hajiyev socar azal",
    "west": "eu european europe west western nato washington brussels america american americans "
    "united_states usa u.s uk britain british london blinken rubio biden trump germany german france "
    "french berlin paris",
    "armenia": "armenia armenian armenians yerevan pashinyan mirzoyan",
    "turkey": "turkey türkiye turkiye turkish ankara erdogan erdoğan fidan",
    "iran": "iran iranian iranians tehran pezeshkian raisi araghchi",
    "karabakh": "karabakh nagorno artsakh khankendi stepanakert",
    "central_asia": "kazakhstan kazakh astana tokayev uzbekistan uzbek tashkent turkmenistan turkmen "
    "kyrgyzstan kyrgyz tajikistan",
    "georgia": "georgia georgian georgians tbilisi",
    "china": "china chinese beijing",
}
# Stance cues, paraphrasing the codebook's stance definitions.
STANCE_CUES = {
    "aid": "humanitarian aid assistance donat* relief medicine* medical ambulance* refugee* evacuat* shelter*",
    "sovereignty": "territorial_integrity sovereign* independence internationally_recognized recogni* annex* "
    "occupied occupation",
    "solidarity": "solidarity protest* rally rallies flag* support* backing stand_with stands_with stood_with",
    "conflict": "condemn* accus* summon* expel* expuls* protest_note arrest* detain* detention* raid* ban "
    "banned bans crackdown tension* row rift spat dispute* clash* rebuk* apolog* retaliat* insult* blam* "
    "shot_down downing downed crash*",
    "threat": "threat* attack* propaganda invasion invad* aggression aggressor hostil* provok* provocat* "
    "antagoni* pressure* intimidat* blackmail*",
    "alliance": "allian* allied ally allies partner* cooperat* friendship friendly brotherly trusted dialog* "
    "dialogue* joint",
    "sanction": "sanction* embargo* price_cap restriction*",
    "vote": "vote votes voted voting abstain* abstention* resolution*",
    "balance": "balanc* neutral* multi-vector* multivector* equidistan* pragmati* tightrope fine_line non-align* "
    "both_sides middle_ground sides mediat* bridge* hedg* national_interest*",
    "caution": "cautio* careful* avoid* refrain* silen* quiet* low_profile restrain*",
    "history": "soviet* ussr century decades histor* ceasefire cease-fire*",
}
# Frame cues, paraphrasing the Policy Frames Codebook's category descriptions.
FRAME_CUES = {
    "economic": "trade economic* economy export* import* investment* investor* billion million market* business* "
    "turnover price* cost* revenue* budget* gdp tariff* profit* agricultur*",
    "capacity": "corridor* transport* transit route* infrastructure pipeline* volume* capacity production "
    "supply supplies supplier* railway* rail port* logistic* shipping cargo",
    "security": "military armed army troops soldier* weapon* drill* exercises peacekeep* fighting ceasefire "
    "security defence defense forces combat nuclear missile* drone* war",
    "public": "protest* media propaganda society public criticism sentiment* poll* survey* journalist* "
    "newspaper* broadcast* coverage campaign* outlet*",
    "extreg": "sanctions united_nations un vote votes resolution membership reputation image recognition status "
    "brics shanghai osce pace international_organi* general_assembly",
    "crime": "tortur* kidnap* abuse crime* criminal* arrest* detain* detention* police prison* jail* murder* "
    "smuggl* charged",
    "political": "visit* met meeting* talks president minister diplomac* diplomatic foreign_policy relations "
    "agreement declaration negotiat* leader* summit* ambassador* embassy",
    "prescribe": "should must recommend* need_to needs_to require* ought urge* advis* policy_makers",
    "culture": "cultur* identity ethnic* language* tradition* heritage religio* diaspora nationhood turkic",
    "legal": "law laws legal* illegal* constitution* self-determination de_facto treaty court* judge* tribunal* "
    "jurisdiction*",
    "health": "health* hospital* medical medicine* wounded injured casualt* humanitarian safety",
    "life": "daily_life everyday famil* household* flights travel* tourism* tourist* visa* migrant* jobs "
    "living residents",
    "moral": "moral* ethic* shame* betray* duty conscience hypocri* immoral righteous evil",
    "fair": "discriminat* equal* unequal* unfair* fairness injustice minorit* double_standard*",
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
_US = re.compile(r"US(?<!\wUS)\b")  # \bUS\b, written to start with its letters: found by a fast scan
_QUOTES = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("—", " "), ("–", " "), ("\xa0", " "))
_NEGATIONS = frozenset("not no never nor without neither n't".split())
_FINAL_PUNCT = re.compile(r"[.!?:…][\"')\]]*\s*$")
# Substrings without which the URL and outlet patterns cannot match (see _sub_lines).
_URL_HINTS = ("http", "www.", ".com", ".eu", ".az", ".ru", ".ua", ".org", ".net", ".media")
_OUTLET_HINTS = ("caliber", "azemedia", "aze.media", "commonspace", "shunculture", "azertac", "bloomberg",
                 "voice of america", "interpreter", "huseynov", "mamedov", "sanchez", "mikovic", "glantz")

# The one tokenisation: cleaned text is cut into runs of word characters, apostrophes, dots and
# hyphens, and both views are read off each run, once per distinct run (a memo):
# - the n-gram words are TOKEN_PATTERN's tokens: a run's parts between dots, apostrophes and hyphens
#   stripped from their ends ("u.s" -> "u", "s"; "'war'" -> "war"), as sklearn finds them;
# - the concept word is the run from its first letter on ("2nd" -> "nd"), its end stripped of dots,
#   hyphens, apostrophes and "'s", with the parts of a hyphenated word added ("anti-russian" ->
#   also "anti", "russian").
TOKEN_PATTERN = r"(?u)\b[\w'-]+\b"
_RUN = re.compile(r"[\w'.-]+")
_LETTER_ON = re.compile(r"[^\W\d_][\w'.-]*")


def clean(text: str) -> str:
    """Lower-cased text without web addresses, outlet names or seed authors."""
    return _clean(text)


def concepts(text: str) -> str:
    """Space-separated concept tokens of a sentence (see the module docstring)."""
    return _concepts(text)


# The pipelines name `clean` and `concepts` as their preprocessors: plain functions, so that a
# pickled pipeline refers to them by name and skops can load it with them as trusted types; the
# caching (training transforms the same sentences once per split) sits behind them.
@functools.lru_cache(maxsize=16384)
def _clean(text: str) -> str:
    return _clean_text(text)


@functools.lru_cache(maxsize=16384)
def _concepts(text: str) -> str:
    cleaned = _clean(text)
    return " ".join(row_tokens(int(concept_rows(cleaned, runs(cleaned))[0])))


def run_words(run: str) -> list[str]:
    """TOKEN_PATTERN's tokens in a run (see above)."""
    return [w for w in (p.strip("'-") for p in run.split(".")) if w]


# --- many sentences at once ----------------------------------------------------------------------
# Scoring cleans and tokenises a chunk of sentences as one string, each followed by a separator:
# one regular-expression pass over the chunk instead of one per sentence, and the Python work per
# run is a lookup in a memo. Cleaning acts on single characters or on runs of non-space characters
# (a web address, an outlet name), never across a line break or another space-like separator, so
# cleaning the joined sentences equals joining the cleaned ones: the tokens are the same.

SEPARATORS = "\n\x1c\x1d\x1e\x1f\u2028\u2029"  # space-like characters; a chunk is joined by one it lacks


def separator(texts: list[str]) -> str | None:
    """A separator that none of `texts` contains, or None (then score them one at a time)."""
    joined = "".join(texts)
    return next((sep for sep in SEPARATORS if sep not in joined), None)


def clean_joined(texts: list[str], sep: str | None) -> str:
    """`clean` of every text, each followed by `sep` (one text alone when sep is None)."""
    return _clean_text(sep.join(texts) + sep, sep) if sep is not None else _clean_text(texts[0])


def _clean_text(text: str, sep: str | None = None) -> str:
    """`clean` of `text`, or of every line of it between separators `sep` (see clean_joined)."""
    if "US" in text:  # the United States in capitals; lower-cased, "us" would be the pronoun
        text = _US.sub("u.s", text)
    text = text.lower()
    if not text.isascii():
        for a, b in _QUOTES:
            text = text.replace(a, b)
    text = _sub_lines(text, _URL_HINTS, _URL, sep)
    return _sub_lines(text, _OUTLET_HINTS, _OUTLETS, sep)


def _sub_lines(text: str, hints: tuple[str, ...], pattern: re.Pattern, sep: str | None) -> str:
    """`pattern` replaced by a space in each line of `text` that holds one of `hints` (substrings
    without which it cannot match): most lines hold none, and finding a substring is far cheaper
    than trying a regular expression at every word."""
    lines = set()
    for h in hints:
        i = text.find(h)
        while i >= 0:
            start = text.rfind(sep, 0, i) + 1 if sep is not None else 0
            end = text.find(sep, i) if sep is not None else len(text)
            lines.add((start, end))
            i = text.find(h, end)
    if not lines:
        return text
    out, done = [], 0
    for start, end in sorted(lines):
        out += [text[done:start], pattern.sub(" ", text[start:end])]
        done = end
    return "".join(out) + text[done:]


@functools.lru_cache(maxsize=None)
def _runs_pattern(sep: str | None) -> re.Pattern:
    return _RUN if sep is None else re.compile(f"{_RUN.pattern}|{re.escape(sep)}")


def runs(cleaned: str, sep: str | None = None) -> list[str]:
    """The runs of cleaned text (see clean_joined), each separator as a run of its own."""
    return _runs_pattern(sep).findall(cleaned)


# Every concept token that a word or a phrase gives is one bit of a mask; a sentence's mask is the OR
# of its words' masks, and its tokens (actors, their pairs, cues crossed with actors, negation) follow
# from the mask alone, so they are composed once per distinct mask.
_BITS = sorted({t for v in _EXACT.values() for t in v} | {t for v in _PREFIX.values() for t in v}
               | {t for v in _PHRASE.values() for _, _, t in v} | {"neg"})
_BIT = {t: 1 << i for i, t in enumerate(_BITS)}
_MASK_BITS = 40
_PHRASE_FIRST = sorted(_PHRASE)  # words that start a phrase: their number + 1 is kept above the mask
_PHRASE_NUMBER = (1 << 20) - 1
_SEP_FLAG, _WORDS_FLAG = 1 << 62, 1 << 61  # a separator; a run with concept words
_LOW_BITS = (1 << _MASK_BITS) - 1
assert len(_BITS) <= _MASK_BITS and len(_PHRASE_FIRST) < _PHRASE_NUMBER, "concept masks need more bits"


def _concept_words(run: str) -> list[str]:
    """The concept words of a run (see above); none when it has no letter."""
    m = _LETTER_ON.search(run)
    if m is None:
        return []
    w = m.group().rstrip(".-'")
    if w.endswith("'s"):
        w = w[:-2]
    return [w, *(p for p in w.split("-") if p)] if "-" in w else [w]


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


def _word_mask(w: str) -> int:
    mask = 0
    for t in _word_tokens(w):
        mask |= _BIT[t]
    return mask


def _phrase_mask(prev: str, w: str) -> int:
    mask = 0
    for second, is_prefix, token in _PHRASE.get(prev, ()):
        if w == second or (is_prefix and w.startswith(second)):
            mask |= _BIT[token]
    return mask


class _RunMasks(dict):
    """Memo: a run -> its concept words' mask (with phrases inside it, "stand-with"), and above the
    mask the number of its last word in _PHRASE_FIRST (a phrase may go on in the next run)."""

    def __missing__(self, run: str) -> int:
        words = _concept_words(run)
        mask, prev = 0, ""
        for w in words:
            mask |= _word_mask(w) | _phrase_mask(prev, w)
            prev = w
        value = mask | (_WORDS_FLAG if words else 0)
        if prev in _PHRASE:
            value |= (_PHRASE_FIRST.index(prev) + 1) << _MASK_BITS
        if len(self) > 200_000:
            self.clear()
            self.update(_SEPARATOR_RUNS)
        self[run] = value
        return value


_SEPARATOR_RUNS = {sep: _SEP_FLAG for sep in SEPARATORS}
_RUN_MASKS = _RunMasks(_SEPARATOR_RUNS)


def _len_class(spaces: int) -> int:
    n = spaces + 1  # words, as the spaces count them
    return 0 if n < 8 else 2 if n > 30 else 1


_LENGTHS = ("len_short", "len_mid", "len_long")


def concept_rows(cleaned: str, runs_: list[str], sep: str | None = None, n: int = 1) -> np.ndarray:
    """Each of the `n` cleaned texts in `cleaned` (see clean_joined; `runs_` its runs) as one integer
    key: the mask of its concept tokens, its length class and whether it ends in final punctuation
    (see row_tokens)."""
    parts = cleaned.split(sep)[:n] if sep is not None else [cleaned]
    shape = np.fromiter(map(_len_class, map(str.count, parts, repeat(" "))), np.int64, n) * 2
    shape += np.fromiter(map(bool, map(_FINAL_PUNCT.search, parts)), bool, n)
    packed = np.fromiter(map(_RUN_MASKS.__getitem__, runs_), np.int64, len(runs_))
    if not len(packed):
        return shape
    masks = packed & _LOW_BITS
    # a phrase across two runs: consecutive runs with words (runs without a letter do not part them)
    worded = np.flatnonzero(packed & (_WORDS_FLAG | _SEP_FLAG))
    for j in np.flatnonzero((packed[worded[:-1]] >> _MASK_BITS) & _PHRASE_NUMBER):
        first, i = int(packed[worded[j]] >> _MASK_BITS) & _PHRASE_NUMBER, worded[j + 1]
        if not packed[i] & _SEP_FLAG:
            masks[i] |= _phrase_mask(_PHRASE_FIRST[first - 1], _concept_words(runs_[i])[0])
    if sep is None:
        found = np.bitwise_or.reduce(masks, keepdims=True)
    else:
        ends = np.flatnonzero(packed & _SEP_FLAG)
        found = np.bitwise_or.reduceat(masks, np.r_[0, ends[:-1] + 1])
    return found * 8 + shape


_ACTOR_BITS = sum(b for t, b in _BIT.items() if t.startswith("a_"))
_CUE_BITS = sum(b for t, b in _BIT.items() if t.startswith("c_"))
_OTHER_BITS = sum(b for t, b in _BIT.items() if not t.startswith("a_") and t != "neg")


def row_parts(keys: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Row keys of concept_rows as the parts their tokens are made of, each (part, sub-keys): the same
    sub-key always gives the same tokens (see part_tokens), so they are composed once per sub-key."""
    mask, shape = keys >> 3, keys & 7
    actors, cues = mask & _ACTOR_BITS, mask & _CUE_BITS
    negated = np.where(mask & _BIT["neg"], cues, -1)
    return [(0, actors), (1, mask & _OTHER_BITS), (2, cues << _MASK_BITS | actors), (3, negated), (4, shape)]


def _names(mask: int, prefix: str) -> list[str]:
    return [t[2:] for t, bit in _BIT.items() if mask & bit and t.startswith(prefix)]  # sorted, as _BITS is


@functools.lru_cache(maxsize=65536)
def part_tokens(part: int, sub: int) -> tuple[str, ...]:
    """The concept tokens of one part of a row (see row_parts), in the order `concepts` writes them:
    actors and their pairs, the other tokens sorted, stance cues crossed with the actors and their
    pairs, negation and the negated cues, the length and the lack of final punctuation."""
    if part == 0:
        actors = _names(sub, "a_")
        return (*(f"a_{a}" for a in actors), *(f"a_{a}_{b}" for i, a in enumerate(actors) for b in actors[i + 1:]))
    if part == 1:
        return tuple(t for t, bit in _BIT.items() if sub & bit)
    if part == 2:
        cues, actors = _names(sub >> _MASK_BITS, "c_"), _names(sub & _LOW_BITS, "a_")
        return (*(f"c_{c}_{a}" for c in cues for a in actors),
                *(f"c_{c}_{a}_{b}" for c in cues for i, a in enumerate(actors) for b in actors[i + 1:]))
    if part == 3:
        return () if sub < 0 else ("neg", *(f"neg_{c}" for c in _names(sub, "c_")))
    return (_LENGTHS[sub >> 1], *(() if sub & 1 else ("no_final_punct",)))  # headlines and headings


def row_tokens(key: int) -> tuple[str, ...]:
    """The concept tokens of a row key of concept_rows, in the order `concepts` writes them."""
    return tuple(t for part, sub in row_parts(np.array([key])) for t in part_tokens(part, int(sub[0])))


def fingerprint() -> str:
    """sha256 of everything that gives a trained model's concept tokens and cleaned text their meaning:
    the word lists, the outlet names and this module's code (its syntax tree without docstrings, so a
    comment or a docstring does not count as a change). A model records it when trained."""
    import ast
    import hashlib
    import inspect
    import json
    import sys

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
                getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    lists = json.dumps([ACTORS, STANCE_CUES, FRAME_CUES, OUTLET_NAMES], sort_keys=True)
    return hashlib.sha256((lists + "\n" + ast.dump(tree)).encode("utf-8")).hexdigest()
