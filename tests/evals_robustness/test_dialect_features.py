"""Every dialect feature on its own example sentences, plus the eWAVE-driven composition."""

from __future__ import annotations

from pathlib import Path

import pytest

from raikit.evals.dialect import dialect_features, load_variety_profiles, transform
from raikit.evals.dialect.ewave import EwaveError
from support import SHARED_DATA

# eWAVE id -> (Standard American English, expected rewrite); each feature also keeps a sentence
# without its construction unchanged (checked below on a neutral sentence).
EXAMPLES: dict[int, tuple[str, str]] = {
    7: ("My brother and I were late.", "Me and my brother were late."),
    8: ("Anna and I went home.", "Anna and myself went home."),
    9: ("She bought a new car.", "She bought her a new car."),
    11: ("He did it himself.", "He did it hisself."),
    12: ("I made it myself.", "I made it meself."),
    14: ("We did it ourselves.", "We did it ourself."),
    19: ("We like our town.", "We like we town."),
    21: ("It is their book.", "It is they book."),
    25: ("It is their book.", "It is them book."),
    26: ("I lost my bike.", "I lost me bike."),
    28: ("We kids used to play here.", "Us kids used to play here."),
    29: ("Show me the boots.", "Show us the boots."),
    34: ("Are you all coming?", "Are y'all coming?"),
    35: ("Can you see it?", "Can ye see it?"),
    39: ("Who came to the party?", "Who-all came to the party?"),
    48: ("The children are here.", "The childrens are here."),
    49: ("They took their knives.", "They took their knifes."),
    56: ("He stayed five years.", "He stayed five year."),
    60: ("I had a cold.", "I had the cold."),
    62: ("The dog saw the cat.", "Dog saw cat."),
    63: ("He wants a girl from India.", "He wants girl from India."),
    64: ("She went to school.", "She went to the school."),
    66: ("They saw a green snake.", "They saw one green snake."),
    68: ("One of those things.", "One of them things."),
    70: ("I want this book.", "I want this here book."),
    71: ("I have watched these children.", "I have watched this children."),
    77: ("It is my father's brother.", "It is my father brother."),
    78: ("That is easier to follow.", "That is more easier to follow."),
    79: ("He is more regular than me.", "He is regularer than me."),
    80: ("It is the biggest house, bigger than mine.", "It is the most big house, more big than mine."),
    88: ("I like this.", "I am liking this."),
    90: ("He is usually sick.", "He be sick."),
    95: ("She is standing there.", "She is stood there."),
    98: ("She has just sold the boat.", "She is after selling the boat."),
    99: ("Have you seen it? He has seen it.", "Have you seen it? He saw it."),
    100: ("We visited New York years ago.", "We have visited New York years ago."),
    101: ("I have known her since 2010.", "I know her since 2010."),
    104: ("He has gone fishing.", "He done gone fishing."),
    109: ("We have moved here.", "We moved here already."),
    113: ("I noticed the van I had come in.", "I noticed the van I came in."),
    114: ("He will build my house.", "He gon build my house."),
    117: ("I will make a dress.", "I make a dress."),
    120: ("If I were you, I would go.", "If I'd be you, I would go."),
    121: ("We could try.", "We might could try."),
    122: ("This can't be true.", "This mustn't be true."),
    123: ("I wished they would come.", "I wished they will come."),
    124: ("The car needs to be washed.", "The car needs washed."),
    126: ("They are about to leave.", "They are fixing to leave."),
    128: ("He caught the ball.", "He catched the ball."),
    129: ("She gave me a book.", "She give me a book."),
    130: ("He had gone home.", "He had went home."),
    131: ("He went to Mary.", "He gone to Mary."),
    132: ("They walked home.", "They walk home."),
    133: ("He didn't stay.", "He didn't stayed."),
    134: ("They were doing nothing wrong.", "They were a-doing nothing wrong."),
    145: ("They have got a new car.", "They have gotten a new car."),
    147: ("If I were you.", "If I was you."),
    154: ("He won't do any harm.", "He won't do no harm."),
    155: ("They are not in there.", "They ain't in there."),
    156: ("I haven't had a look.", "I ain't had a look."),
    157: ("I didn't know about it.", "I ain't know about it."),
    158: ("He doesn't like me.", "He don't like me."),
    159: ("He didn't come.", "He never came."),
    165: ("It is cold, isn't it?", "It is cold, innit?"),
    170: ("So she shows up and says hello.", "So she show up and says hello."),
    171: ("I see the house.", "I sees the house."),
    172: ("There are two men in the hall.", "There's two men in the hall."),
    174: ("You are always thinking about work.", "You always thinking about work."),
    175: ("I am going to go to work.", "I gonna go to work."),
    176: ("He is a good teacher.", "He a good teacher."),
    177: ("She is smart.", "She smart."),
    178: ("She is at home.", "She at home."),
    179: ("I have eaten my lunch.", "I eaten my lunch."),
    180: ("You were hungry.", "You was hungry."),
    185: ("My daughter, who lives in London, called.", "My daughter, what lives in London, called."),
    190: ("This is the man who painted my house.", "This is the man what painted my house."),
    193: ("The man who lives there is nice.", "The man lives there is nice."),
    202: ("We dug gutters in order to drain the water.", "We dug gutters for to drain the water."),
    204: ("It's harder than you think.", "It's harder than what you think."),
    208: ("Allow him to go.", "Allow him go."),
    209: ("He made me do it.", "He made me to do it."),
    211: ("I wasn't cold, though.", "I wasn't cold but."),
    215: (
        "Although you are smart, you are not appreciated.",
        "Although you are smart, but you are not appreciated.",
    ),
    216: ("She went to town on Tuesday.", "She went town Tuesday."),
    220: ("That's really good.", "That's real good."),
    221: ("Come quickly!", "Come quick!"),
    222: ("It is very difficult.", "It is too difficult."),
    227: ("I'm wondering what you will do.", "I'm wondering what will you do."),
    228: ("What are you doing?", "What you doing?"),
    229: ("Do you get the point?", "You get the point?"),
    234: ("How did you get away with that?", "How did you get away with that, like?"),
    235: ('She said, "What do you mean?"', 'She was like, "What do you mean?"'),
}
NEUTRAL = "Rain fell."


def test_catalogue_has_at_least_40_tested_features() -> None:
    features = dialect_features()
    assert len(features) >= 40
    assert set(features) == set(EXAMPLES), "every implemented feature has a test example"


@pytest.mark.parametrize("feature_id", sorted(EXAMPLES))
def test_feature_rewrites_its_construction(feature_id: int) -> None:
    source, expected = EXAMPLES[feature_id]
    feature = dialect_features()[feature_id]
    assert transform(source, [feature_id]) == expected, feature.name
    assert feature(NEUTRAL) == NEUTRAL


def test_composition_applies_features_in_ewave_order() -> None:
    text = "My brother and I didn't see anything."
    assert transform(text, [154, 7]) == "Me and my brother didn't see nothing."
    assert transform(text, []) == text


def test_ewave_profiles_reject_bad_tables(tmp_path: Path) -> None:
    bad = tmp_path / "ewave.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(EwaveError, match="not an eWAVE table"):
        load_variety_profiles(bad, dialect_features())
    with pytest.raises(EwaveError, match="cannot read"):
        load_variety_profiles(tmp_path / "missing.csv", dialect_features())


@pytest.mark.skipif(not (SHARED_DATA / "multi_value_ewave").is_dir(), reason="../shared/data absent")
def test_ewave_drives_at_least_10_varieties() -> None:
    profiles = load_variety_profiles(SHARED_DATA / "multi_value_ewave" / "ewave.csv", dialect_features())
    rich = [p for p in profiles.values() if len(p.features) >= 10]
    assert len(rich) >= 10
    aave = profiles["Urban African American Vernacular English"]
    assert {155, 158, 154} <= set(aave.features) and aave.ratings[155] in ("A", "B")
    covered = {f for p in profiles.values() for f in p.features}
    assert len(covered) >= 40
