"""Text normalisation that helps a stance model carry across outlets.

Outlets name the same actors differently (Moscow, the Kremlin, Putin, Lavrov, Shoigu), and a
model trained on five outlets would otherwise learn each outlet's vocabulary, or the outlet's own
name, instead of the stance. So before TF-IDF:

- every name of an actor becomes one token (``_russia_``, ``_ukraine_``, ``_azerbaijan_``,
  ``_west_``, ...), so "Kremlin" in a new outlet means what "Moscow" meant in training;
- outlet names, web addresses and the seed authors' names are removed;
- numbers become ``_num_``;
- a negation marks the words after it up to the next punctuation (``not join sanctions`` ->
  ``not neg_join neg_sanctions``), so "did not join the sanctions" differs from "joined".

`normalise` is a plain module-level function so fitted pipelines that use it can be pickled.
"""

from __future__ import annotations

import re

ACTORS = {
    "_russia_": r"russia|russian|russians|russia's|moscow|kremlin|putin|lavrov|shoigu|peskov|medvedev"
    r"|gazprom|soviet|russo|rf",
    "_ukraine_": r"ukraine|ukrainian|ukrainians|kyiv|kiev|zelensky|zelenskyy|zelenskyyy|zelenskiy|kuleba",
    "_azerbaijan_": r"azerbaijan|azerbaijani|azerbaijanis|baku|aliyev|bayramov|azerbaijan's|socar",
    "_west_": r"eu|european|europe|west|western|westerners|nato|washington|brussels|america|american"
    r"|usa|us|u\.s\.?|uk|britain|london|blinken|biden|trump|germany|france|berlin|paris",
    "_armenia_": r"armenia|armenian|armenians|yerevan|pashinyan",
    "_turkey_": r"turkey|türkiye|turkiye|turkish|ankara|erdogan|erdoğan",
    "_iran_": r"iran|iranian|tehran",
    "_karabakh_": r"karabakh|nagorno|artsakh",
}
# Names that identify an outlet or a seed's author rather than a stance.
OUTLET_NAMES = (
    r"caliber\.?az|aze\.?media|azemedia|commonspace(\.eu)?|shunculture|azertac|bloomberg"
    r"|voice of america|the interpreter|vasif huseynov|huseynov|farhad mamedov|mamedov"
    r"|wilder alejandro sanchez|nikola mikovic|mary glantz"
)

_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|eu|az|ru|ua|org|net|media)\b", re.I)
_OUTLETS = re.compile(rf"\b(?:{OUTLET_NAMES})\b", re.I)
_ACTOR = re.compile(
    r"\b(?:" + "|".join(f"(?P<{k.strip('_')}>{v})" for k, v in ACTORS.items()) + r")(?:'s|’s)?\b", re.I
)
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d[\d,.]*%?")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " ", "–": " "})
_NEGATION = re.compile(
    r"\b(not|no|never|nor|without|neither|n't|refrain(?:ed|s)?|avoid(?:ed|s|ing)?|stopped short of)\b"
    r"([^.,;:!?\"()]*)",
    re.I,
)
_TOKEN = re.compile(r"[a-z_][a-z0-9_'-]*")


def _mark_negated(m: re.Match) -> str:
    scope = " ".join("neg_" + w for w in _TOKEN.findall(m.group(2)))
    return f"{m.group(1)} {scope}"


def _actor(m: re.Match) -> str:
    return f" _{m.lastgroup}_ "


def normalise(text: str) -> str:
    """Lower-cased text with actors unified, outlets removed and negation scopes marked."""
    text = text.translate(_QUOTES)
    text = _URL.sub(" ", text)
    text = _OUTLETS.sub(" ", text)
    text = _ACTOR.sub(_actor, text)
    text = _NUMBER.sub(" _num_ ", text)
    text = text.lower().replace("n't", " n't")
    return _NEGATION.sub(_mark_negated, text)
