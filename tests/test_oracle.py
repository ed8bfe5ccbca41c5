"""Oracle tests: the shipped model on sentences whose stance is obvious under labels/CODEBOOK.md.

The sentences were written for these tests (never used for training) before the shipped model's
predictions on them were seen, and none was dropped afterwards. A bag of words is not perfect, so
the suite asks for most of them, not all; but a model with its stance mapping reversed, or one
that answers one class for everything, fails it, and the README's aid sentence must be right.
"""

import numpy as np
import pytest

from stanceframe.labels import STANCES
from stanceframe.project import load_model
from stanceframe.scoring import Scorer

ORACLE = [
    ("pro_ukraine", "Azerbaijan sent another shipment of humanitarian aid to Ukraine this week and repeated its support for Ukraine's territorial integrity."),
    ("pro_ukraine", "Baku delivered ambulances and medicines to hospitals in Kyiv."),
    ("pro_ukraine", "President Aliyev said Azerbaijan will never recognise the annexation of Ukrainian regions."),
    ("pro_ukraine", "Hundreds of people rallied in Baku with Ukrainian flags to condemn the Russian invasion."),
    ("pro_ukraine", "Zelensky thanked Azerbaijan for the generators it donated to Ukrainian towns."),
    ("pro_ukraine", "Baku summoned the Russian ambassador to protest the deaths of two Azerbaijanis in Russian police custody."),
    ("pro_ukraine", "Azerbaijan demanded that Moscow admit its air defence shot down the passenger plane."),
    ("pro_ukraine", "The Azerbaijani government closed the office of a Russian state news agency in Baku."),
    ("russia_accommodating", "Azerbaijan did not join the Western sanctions against Russia."),
    ("russia_accommodating", "Aliyev and Putin signed a declaration on allied interaction in Moscow."),
    ("russia_accommodating", "Baku described its ties with the Kremlin as a trusted strategic partnership."),
    ("russia_accommodating", "Azerbaijan abstained when the UN General Assembly voted to condemn Russia."),
    ("russia_accommodating", "Officials in Baku are careful to avoid any statement that might anger Moscow."),
    ("russia_accommodating", "Trade between Azerbaijan and Russia reached a record high as both governments praised their cooperation."),
    ("russia_accommodating", "Lavrov thanked his Azerbaijani counterpart for Baku's friendly position."),
    ("russia_accommodating", "Azerbaijan and Russia agreed to expand joint work on the North-South transport corridor."),
    ("balancing", "Azerbaijan keeps a balanced, multi-vector foreign policy between Moscow and Kyiv."),
    ("balancing", "Baku sends aid to Ukraine but refuses to join sanctions on Russia."),
    ("balancing", "The government insists it will stay neutral and keep good relations with both sides of the war."),
    ("balancing", "Azerbaijan walks a tightrope between its partnership with Russia and its support for Ukraine."),
    ("balancing", "Analysts describe Baku's course as pragmatic equidistance from all the great powers."),
    ("balancing", "Aliyev met Zelensky in the morning and spoke to Putin by phone in the evening."),
    ("none", "The harvest in the western districts was larger than last year."),
    ("none", "Armenia and Azerbaijan agreed to resume talks on the border commission next month."),
    ("none", "A new metro station opened in central Baku on Monday."),
    ("none", "The football club won its third league title in a row."),
    ("none", "Heavy snow closed mountain roads in the north of the country."),
    ("none", "The central bank kept its interest rate unchanged."),
    ("none", "Russian and Ukrainian delegations held another round of prisoner exchange talks in Istanbul."),
    ("none", "The museum's exhibition of medieval carpets drew record visitors."),
]


@pytest.fixture(scope="module")
def predicted():
    scorer = Scorer(load_model())
    P, _, _ = scorer.predict([t for _, t in ORACLE])
    return [STANCES[i] for i in P.argmax(1)], P


def test_the_readme_aid_sentence_is_pro_ukraine(predicted):
    labels, _ = predicted
    assert labels[0] == "pro_ukraine"


def test_most_obvious_sentences_get_their_stance(predicted):
    labels, _ = predicted
    right = [p == want for p, (want, _) in zip(labels, ORACLE)]
    wrong = [(want, p, text) for p, (want, text) in zip(labels, ORACLE) if p != want]
    assert sum(right) >= 0.8 * len(ORACLE), wrong


@pytest.mark.parametrize("stance", STANCES)
def test_every_stance_is_recognised_on_its_own_sentences(predicted, stance):
    labels, _ = predicted
    mine = [p for p, (want, _) in zip(labels, ORACLE) if want == stance]
    assert sum(p == stance for p in mine) >= len(mine) // 2 + 1


def test_probabilities_rank_the_right_stance_first_on_average(predicted):
    _, P = predicted
    idx = np.array([STANCES.index(want) for want, _ in ORACLE])
    p_right = P[np.arange(len(ORACLE)), idx]
    assert p_right.mean() > P.mean() + 0.2  # a flat or reversed model is near or below the mean
