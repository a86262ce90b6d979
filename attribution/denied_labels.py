"""Labels the text denies: "They are not terrorists", "herders, not jihadists", "I will not call them terrorists".

A name-calling or delegitimizing term under a negation is still a loaded word (PTC's annotators marked "not a wolf"
and "not a whistleblower"; of the branch's negated name_calling terms on the PTC training articles, 3 of 8
overlap a gold span), so it stays in the report with its category and voice. But it is not *applied* to anyone:
the speaker says the label does not fit. Such a term is marked ``denied`` and gets no ``target``, so the actor
table and the plain-words asymmetries ("Name-calling is applied to the movement ...") do not count a denial as
name-calling of the actor it denies it of.

A denial is a negator right before the label, with at most an article between ("not a terrorist", "aren't
terrorists", "never traitors"), or a negated verb of naming with its object ("will not call them terrorists",
"refused to label the group as terrorists"), or a yes/no question that ends on the label, which news quotes use to
reject it ("Are they terrorists? They were children."). "Not just thugs" and "not only thugs" affirm the label
and are no denial.

Example:
    >>> text = "These are citizens. They are not terrorists, and I will not call them terrorists."
    >>> [is_denied(text, m.start(), m.end()) for m in re.finditer("terrorists", text)]
    [True, True]
    >>> is_denied("The army said the terrorists fled.", 18, 28)
    False

"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from attribution.actors import ACTOR_LABELS
from attribution.records import LoadedTerm

#: How far back (characters) a denial is looked for.
WINDOW = 60
_NEGATOR = r"(?:\bnot|\bnever|n[’']t|\bnor|\bno\s+longer)"
_FILLER = r"(?:\s+(?:a|an|the|really|even))*"
_NAMING_VERB = r"(?:call|calling|called|label|labell?ing|labell?ed|brand|branding|branded|describe|describing)"
_OBJECT = r"(?:\s+(?:them|him|her|it|us|you|[\w’'-]+(?:\s+[\w’'-]+){0,3}?))?(?:\s+as)?"
#: A negator right before the label: "not terrorists", "aren't terrorists", "never a traitor".
_DIRECT = re.compile(_NEGATOR + _FILLER + r"\s+$", re.IGNORECASE)
#: A negated verb of naming and its object: "will not call them", "refused to label the group as".
_NAMING = re.compile(
    r"(?:"
    + _NEGATOR
    + r"(?:\s+\w+ly)?|\brefus(?:e|es|ed|ing)\s+to|\bstopp(?:ed|ing)\s+short\s+of)\s+"
    + _NAMING_VERB
    + _OBJECT
    + _FILLER
    + r"\s+$",
    re.IGNORECASE,
)
#: A yes/no question put to the label: "Are they terrorists?", "Is he a traitor?" (a "?" right after the label).
_QUESTION = re.compile(r"\b(?:are|is|was|were)\s+(?:they|he|she|it|these|those|we|you)" + _FILLER + r"\s+$", re.I)
#: Marks that end the stretch a denial may reach across.
_STOP = re.compile(r"[.;:!?,()\"“”]")


def is_denied(text: str, start: int, end: int) -> bool:
    """Whether the label at ``text[start:end]`` is denied by the words right before it (module docstring).

    >>> text = "These were herders, not jihadists."
    >>> is_denied(text, text.index("jihadists"), len(text) - 1)
    True
    >>> text = "The minister refused to label the group as terrorists."
    >>> is_denied(text, text.index("terrorists"), len(text) - 1)
    True
    >>> text = "Not only did the thugs burn the market, they looted it."
    >>> is_denied(text, text.index("thugs"), text.index("thugs") + 5)
    False
    """
    before = text[max(0, start - WINDOW) : start]
    stops = list(_STOP.finditer(before))
    if stops:
        before = before[stops[-1].end() :]
    asked = text[end : end + 2].lstrip(" ”\"'’").startswith("?") and bool(_QUESTION.search(before))
    return bool(_DIRECT.search(before) or _NAMING.search(before) or asked)


def without_denied_targets(text: str, loaded_terms: Sequence[LoadedTerm]) -> tuple[LoadedTerm, ...]:
    """The terms, each denied name-calling or delegitimizing label marked ``denied`` and without a target.

    >>> text = "These were herders, not jihadists."
    >>> start = text.index("jihadists")
    >>> term = LoadedTerm("name_calling", start, start + 9, "jihadists", 0, 0.9, target="the herders",
    ...                   target_span=(11, 18))
    >>> [(t.text, t.target, t.denied) for t in without_denied_targets(text, [term])]
    [('jihadists', None, True)]
    """
    return tuple(
        dataclasses.replace(t, target=None, target_span=None, denied=True)
        if t.category in ACTOR_LABELS and is_denied(text, t.start, t.end)
        else t
        for t in loaded_terms
    )
