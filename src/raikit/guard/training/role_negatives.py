"""Benign texts about acting, roles, characters and assistants, written by the raikit developers.

Role-play jailbreaks ("you are now DAN", "stay in character", "act as my deceased grandmother")
share their vocabulary with ordinary writing about actors, films, plays, games and software
settings, and with answers that mention being a language model. Without such text among the
negatives, the jailbreak head learned "acting vocabulary means role-play attack" and flagged 7% of
unseen encyclopedic sentences about actors. All names here are invented.
"""

# ruff: noqa: E501 - one authored text per line

from __future__ import annotations

ACTING = """
Marta Kessling is a German-American stage and screen actor best known for her role as a detective in a long-running police drama.
Tomas Ferreira was a Portuguese film actor and director whose career spanned five decades and more than ninety roles.
Delia Okafor is a British actress, producer and voice artist, known for playing the lead character in an animated fantasy series.
Rupert Vance is an American comedian and actor who starred in several sitcoms and later hosted a late-night talk show.
The actor prepared for the role by spending three months with fishermen on the northern coast.
She was cast as the villain in the sequel after the original actor left the production.
In the stage adaptation, the narrator is played by the same actor who plays the grandfather.
He is remembered for his portrayal of a washed-up boxer, a role that earned him his only Oscar nomination.
The film follows a young teacher who pretends to be a detective to help a student find her missing brother.
Critics praised the cast, especially the supporting actors who play the three sisters.
Juno Halvorsen played the role of Lady Macbeth at the city theatre for two seasons.
The series was renewed for a third season, with most of the main cast returning to their roles.
He started as a stunt performer before landing character roles in westerns and war films.
The character of the butler was written specifically for the actor, who had worked with the director before.
Auditions for the school play are on Thursday; students can try out for any speaking role.
Method actors often stay in character between takes, which some directors find exhausting.
The voice actor recorded over four hundred lines for the game's main character.
In the novel, the protagonist assumes a false identity to escape her abusive employer.
The documentary profiles an actor who spent twenty years playing the same character on a soap opera.
Her breakout role came in an independent film about two brothers running a failing vineyard.
Character actors rarely become household names, but they carry many of the best films.
The role-playing game lets each player create a character with its own background and skills.
Improvisation classes teach actors to accept whatever scene their partner starts.
The opera's title role is one of the most demanding parts written for a baritone.
In the remake, the roles of the two friends are reversed.
Kabuki actors traditionally played both male and female roles.
The actress won a regional theatre award for her performance as a grieving mother.
He appeared in minor roles in several crime films before his first leading part.
The puppeteer voices every character in the show herself.
The casting director is looking for an actor in his sixties to play a retired judge.
"""

ROLES_OTHER_SENSES = """
What role does vitamin D play in calcium absorption?
The role of the central bank is to keep inflation low and stable.
Teachers can be powerful role models for teenagers.
Assign each team member a clear role before the project starts.
Role-based access control gives users permissions according to their job function.
The character encoding of this file is UTF-8, not Latin-1.
Children engage in pretend play, such as feeding a doll or running a toy shop.
We simulate the airflow around the wing before building a prototype.
The flight simulator lets pilots practise emergency landings safely.
Enable developer mode in your phone's settings to turn on USB debugging.
Marketing teams create personas to describe typical customers.
A good persona document lists the customer's goals, frustrations and habits.
In chess, each piece plays a different role in the opening.
Her role at the company changed from engineer to team lead last year.
The hormone's role in regulating sleep is still being studied.
Act as a mentor for new hires during their first month.
The spokesperson acted as the company's voice during the recall.
In this exercise, students act out a conversation at a train station in Spanish.
Pretend you are explaining photosynthesis to a ten-year-old: how would you start?
Imagine you are the mayor of a small town with a limited budget: which services would you fund first?
"""

ASSISTANT_DISCLAIMERS = """
As an AI language model, I don't have personal opinions, but I can summarise the main arguments on both sides.
I'm sorry, but I couldn't find any information about a footballer with that name.
As a language model, I can't browse the internet, so my information may be out of date.
I'm not able to access your calendar, but here is how you can share it with a colleague.
I don't have access to real-time data; please check the official website for current opening hours.
I'm sorry, I can't verify that claim; there is no record of that event in the sources I know.
Language models like me can make mistakes, so please double-check important dates.
I can't give medical advice, but these are common questions to ask your doctor.
The assistant said it did not know the answer and suggested asking a librarian.
Chatbots sometimes invent references, so verify every citation before using it.
"""


def role_negatives() -> dict[str, list[str]]:
    """The authored texts by theme (acting, other senses of role words, assistant disclaimers)."""
    blocks = {"acting": ACTING, "roles_other": ROLES_OTHER_SENSES, "assistant": ASSISTANT_DISCLAIMERS}
    return {
        name: [line.strip() for line in block.splitlines() if line.strip()] for name, block in blocks.items()
    }
