"""Explain a shrunk case by its essential ingredients: what it cannot lose and still diverge.

A shrunk case is small, but small is not yet *why*: "thank\\u200byou" is
two words long, and what a maintainer needs to read is "U+200B ZERO WIDTH
SPACE (Cf) between `thank` and `you`". A differential fuzzer has no stack
trace to bucket by, so it asks the two analyzers instead: it tries cheap
*neutralising edits* on the case and keeps, as ingredients, the things whose
edit makes the bug go away.

The edits, all generated up front and sent in as few batches as possible
(one process per side per batch for a ``cmd:`` target; the case itself rides
along as a control):

* **messages**: drop one; give it a neutral role; empty its text; empty all
  the messages equal to it together (three identical calls stay identical);
  put a ``function_call`` before an observation that has none;
* **characters**: every unusual character (anything but an ASCII letter,
  digit or space) replaced by an ASCII letter of its case, by a space, or
  deleted, all its occurrences in the conversation at once; all non-ASCII
  characters turned into ASCII letters together;
* **words**: drop one (runs of essential words make a phrase);
* **length**: keep only the head, the tail or the middle half of a long text;
* **JSON** in a ``function_call`` or ``observation`` (also inside
  ``name(...)``): rewrite one number into its canonical spelling; respell
  the whole value in the standard layout (which also unescapes); sort its
  keys; keep the last of duplicated keys; flatten one level of nesting;
  drop one key.

An edit that the oracle says no longer shows the bug *kills* it, and what it
edited is an ingredient. Then, for each essential unusual character, a
second batch substitutes other characters (the generator's hazard
characters and members of the same class) for it: the ones that still show
the bug are the character's *observed class*, which is what lets
``fuzz.engine.causes`` merge cases that differ only in which of several
equivalent characters they happened to contain.

When a case has several ingredients, the one that names the root cause is
chosen by precedence: a quality-only signature (a bucket boundary) over
context (messages needed only for their number or order) over length over
an unusual character over a JSON spelling feature over a phrase over the
rest. So a window-edge bug is "101 messages" whatever phrase it fired on, and
a Kelvin-sign bug is its character class whatever word carried it.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from fuzz.engine.charclass import default_char_class, describe, same_class, unusual
from fuzz.engine.compare import compare, is_hang
from fuzz.engine.jsontext import (
    ESCAPE,
    FEATURE_WORDS,
    NUMBER_OR_STRING,
    canonical_number,
    dump_standard,
    json_parts,
    loads_as_written,
    number_feature,
    tree_edits,
)
from fuzz.engine.oracle import Oracle, Shows
from fuzz.engine.outcomes import Conversation, Target
from fuzz.engine.targets import analyze_pair

#: Candidates sent in one batch (one process per side for a ``cmd:`` target).
DEFAULT_MAX_BATCH: Final = 256
#: Edits tried on one case at most; a big case keeps the first (message edits come first).
DEFAULT_MAX_EDITS: Final = 1000
#: At most this many distinct characters (per conversation), and words and JSON edits (per
#: message), are tried.
_PER_MESSAGE: Final = 64
#: Texts at least this long (code points) or this heavy (UTF-8 bytes) get the length edits.
_LONG_CHARS: Final = 256
_LONG_BYTES: Final = 512
#: Phrase keys are cut to this many characters (a 700-character "word" is still one key).
_PHRASE_KEY: Final = 80
#: The role a message is given to neutralise it: one no detector reads.
NEUTRAL_ROLE: Final = "system"


class Kind(enum.Enum):
    """What sort of thing an ingredient is."""

    QUALITY = "quality"  # the quality bucket alone differs: a boundary
    CONTEXT = "context"  # messages needed for their number or order, not their text
    LENGTH = "length"  # a text's length
    CHARACTER = "character"  # one character (or the non-ASCII ones of a text together)
    JSON = "json"  # a JSON spelling feature of a tool call or observation
    PHRASE = "phrase"  # words that must stay
    ROLE = "role"  # a message's role
    TEXT = "text"  # a text as a whole, a JSON key, ASCII punctuation: the weakest evidence


#: Lower is stronger: the strongest ingredient names the root cause.
RANK: Final[dict[Kind, int]] = {
    Kind.QUALITY: 0,
    Kind.CONTEXT: 1,
    Kind.LENGTH: 2,
    Kind.CHARACTER: 3,
    Kind.JSON: 4,
    Kind.PHRASE: 5,
    Kind.ROLE: 6,
    Kind.TEXT: 6,
}


@attrs.frozen
class Ingredient:
    """One thing a case cannot lose and still show its bug.

    ``key`` is what root causes are grouped by (the disputed thing: a
    character class, a phrase, a JSON feature, a message count); ``sentence``
    says it for people; ``text`` is the thing itself (the character, phrase,
    number spelling); ``chars`` lists, for a character, every character seen
    to show the bug in its place (its observed class, itself first).
    """

    kind: Kind
    key: str
    sentence: str
    message: int | None = None
    role: str | None = None
    text: str = ""
    code_point: int | None = None
    chars: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        """Its kind's precedence (written out in the JSON for readers of corpus files)."""
        return RANK[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "key": self.key,
            "sentence": self.sentence,
            "message": self.message,
            "role": self.role,
            "text": self.text,
            "code_point": self.code_point,
            "chars": list(self.chars),
            "rank": self.rank,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ingredient:
        """Rebuild one; ``KeyError``/``TypeError``/``ValueError`` on a malformed one."""
        return cls(
            kind=Kind(data["kind"]),
            key=str(data["key"]),
            sentence=str(data["sentence"]),
            message=None if data.get("message") is None else int(data["message"]),
            role=None if data.get("role") is None else str(data["role"]),
            text=str(data.get("text", "")),
            code_point=None if data.get("code_point") is None else int(data["code_point"]),
            chars=tuple(str(c) for c in data.get("chars", ())),
        )


@attrs.frozen
class Cost:
    """What explaining one case cost: oracle calls (batches), candidates, seconds."""

    oracle_calls: int = 0
    candidates: int = 0
    seconds: float = 0.0


@attrs.frozen
class Explanation:
    """A case's signature and its ingredients, strongest first; ``cause`` names the root cause."""

    signature: str
    conversation: Conversation
    ingredients: tuple[Ingredient, ...]
    #: Whether the case still showed its signature (the control in the first batch).
    reproduced: bool
    cost: Cost = Cost()
    #: False when edits were capped (``max_edits``) or the case was not run at all.
    complete: bool = True

    @property
    def cause(self) -> Ingredient | None:
        """The strongest ingredient, or ``None`` when nothing was found."""
        return self.ingredients[0] if self.ingredients else None

    @property
    def key(self) -> str:
        """The root-cause key; an unexplained case stands alone under its signature."""
        cause = self.cause
        return cause.key if cause is not None else f"signature:{self.signature}"

    @property
    def sentence(self) -> str:
        """One line saying why the case diverges."""
        cause = self.cause
        if cause is not None:
            return cause.sentence
        if not self.reproduced:
            return "not explained: the case no longer shows its signature"
        if not self.complete:
            return "not explained: the case was not (fully) tried"
        return "not explained: no cheap edit made the sides agree"

    @classmethod
    def untried(cls, signature: str, conversation: Conversation) -> Explanation:
        """Stands for a case nobody explained (not shrunk when a campaign stopped, a hang)."""
        return cls(signature, conversation, (), reproduced=True, complete=False)

    def to_json(self) -> dict[str, Any]:
        """The explanation as a corpus file keeps it (the conversation is the case's own)."""
        return {
            "signature": self.signature,
            "key": self.key,
            "sentence": self.sentence,
            "ingredients": [ingredient.to_json() for ingredient in self.ingredients],
            "reproduced": self.reproduced,
            "complete": self.complete,
            "cost": attrs.asdict(self.cost),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], conversation: Conversation) -> Explanation:
        """Rebuild one for ``conversation``; ``KeyError``/``TypeError``/``ValueError`` if bad."""
        cost = data.get("cost") or {}
        return cls(
            signature=str(data["signature"]),
            conversation=conversation,
            ingredients=tuple(Ingredient.from_json(i) for i in data["ingredients"]),
            reproduced=bool(data["reproduced"]),
            cost=Cost(
                int(cost.get("oracle_calls", 0)),
                int(cost.get("candidates", 0)),
                float(cost.get("seconds", 0.0)),
            ),
            complete=bool(data.get("complete", True)),
        )


# --- edits --------------------------------------------------------------------


#: What one edit changed, e.g. ("drop", 3) or ("char", 0, "\u00a0", "space").
Probe = tuple[Any, ...]


@attrs.frozen
class _Edit:
    probe: Probe
    conversation: Conversation


def _value(message: dict[str, Any]) -> str | None:
    value = message.get("value")
    return value if isinstance(value, str) else None


def _with_value(conversation: Conversation, m: int, value: str) -> Conversation:
    out = list(conversation)
    out[m] = {**conversation[m], "value": value}
    return out


def _neutral_role(role: object) -> str:
    return NEUTRAL_ROLE if role != NEUTRAL_ROLE else "user"


def _equal_groups(conversation: Conversation) -> list[tuple[int, ...]]:
    """Groups of two or more messages (anywhere) with the same role and the same non-empty text."""
    groups: dict[tuple[object, str], list[int]] = {}
    for m, message in enumerate(conversation):
        value = _value(message)
        if value:
            groups.setdefault((message.get("from"), value), []).append(m)
    return [tuple(g) for g in groups.values() if len(g) > 1]


def _orphan_observation(conversation: Conversation) -> int | None:
    """The first observation with no function_call before it, if any."""
    for m, message in enumerate(conversation):
        role = message.get("from")
        if role == "function_call":
            return None
        if role == "observation":
            return m
    return None


def _message_edits(conversation: Conversation) -> Iterator[_Edit]:
    for m, message in enumerate(conversation):
        yield _Edit(("drop", m), conversation[:m] + conversation[m + 1 :])
        neutral = {**message, "from": _neutral_role(message.get("from"))}
        yield _Edit(("role", m), [*conversation[:m], neutral, *conversation[m + 1 :]])
        if _value(message):
            yield _Edit(("empty", m), _with_value(conversation, m, ""))
    for group in _equal_groups(conversation):
        emptied = [
            {**msg, "value": ""} if m in group else msg for m, msg in enumerate(conversation)
        ]
        yield _Edit(("empty-group", group), emptied)
    orphan = _orphan_observation(conversation)
    if orphan is not None:
        call = {"from": "function_call", "value": "tool"}
        yield _Edit(("insert-call", orphan), [*conversation[:orphan], call, *conversation[orphan:]])


def _letter(char: str) -> str:
    """An ASCII letter of the character's case: neutral, but still a letter and still a capital."""
    return "X" if char.isupper() else "x"


def _replaced(conversation: Conversation, char: str, by: str, *, in_json: bool) -> Conversation:
    """Every occurrence of ``char`` in every text replaced (JSON texts spared unless ``in_json``).

    Across the whole conversation at once: a character shared by two
    near-duplicate replies must change in both, or the edit breaks their
    likeness rather than testing the character.
    """
    out = list(conversation)
    for m, message in enumerate(conversation):
        value = _value(message)
        if value and char in value and (in_json or not _is_json(message)):
            out[m] = {**message, "value": value.replace(char, by)}
    return out


def _is_json(message: dict[str, Any]) -> bool:
    value = _value(message)
    return value is not None and json_parts(message.get("from"), value) is not None


def _strong(char: str) -> bool:
    """Non-ASCII characters and controls; ASCII punctuation is weak evidence (it is syntax)."""
    return not char.isascii() or not char.isprintable()


def _distinct_unusual(conversation: Conversation) -> list[str]:
    """Unusual characters of the conversation, once each: strong ones first, then punctuation.

    In JSON, ASCII punctuation is syntax, and the JSON edits speak for it.
    """
    seen: dict[str, None] = {}
    for message in conversation:
        value = _value(message)
        if value:
            json_text = _is_json(message)
            seen.update((c, None) for c in value if unusual(c) and (_strong(c) or not json_text))
    strong = [c for c in seen if _strong(c)]
    return (strong + [c for c in seen if not _strong(c)])[:_PER_MESSAGE]


def _character_edits(conversation: Conversation) -> Iterator[_Edit]:
    for char in _distinct_unusual(conversation):
        for how, by in (("letter", _letter(char)), ("space", " "), ("delete", "")):
            edited = _replaced(conversation, char, by, in_json=_strong(char))
            yield _Edit(("char", char, how), edited)
    asciified = [
        {**msg, "value": "".join(c if c.isascii() else _letter(c) for c in value)}
        if (value := _value(msg)) and not value.isascii()
        else msg
        for msg in conversation
    ]
    if asciified != conversation:
        yield _Edit(("ascii",), asciified)


_WORD: Final = re.compile(r"\S+")


def _words(text: str) -> list[re.Match[str]]:
    return list(itertools.islice(_WORD.finditer(text), _PER_MESSAGE))


def _without_word(text: str, word: re.Match[str]) -> str:
    """The text without one word and the whitespace before it (after it, for the first)."""
    start, end = word.span()
    head = text[:start]
    if head.strip():
        return head.rstrip() + text[end:]
    return head + text[end:].lstrip()


def _word_edits(conversation: Conversation) -> Iterator[_Edit]:
    """Drop each word; and keep each word alone, for texts whose trigger is said twice."""
    for m, message in enumerate(conversation):
        value = _value(message)
        if value:
            words = _words(value)
            for i, word in enumerate(words):
                yield _Edit(
                    ("word", m, i), _with_value(conversation, m, _without_word(value, word))
                )
            if len(words) > 1:
                for i, word in enumerate(words):
                    yield _Edit(("only", m, i), _with_value(conversation, m, word.group(0)))


def _long(text: str) -> bool:
    return len(text) >= _LONG_CHARS or len(text.encode("utf-8", "surrogatepass")) >= _LONG_BYTES


def _length_edits(conversation: Conversation) -> Iterator[_Edit]:
    for m, message in enumerate(conversation):
        value = _value(message)
        if value and _long(value):
            n = len(value)
            cuts = {
                "head": value[: n // 2],
                "tail": value[n // 2 :],
                "middle": value[n // 4 : n - n // 4],
            }
            for how, cut in cuts.items():
                yield _Edit(("length", m, how), _with_value(conversation, m, cut))


#: JSON features from the most specific to the least (which one names a cause).
_JSON_ORDER: Final = (
    "number",
    "duplicate-keys",
    "escapes",
    "layout",
    "key-order",
    "nesting",
    "key",
)


def _json_edits(conversation: Conversation) -> Iterator[_Edit]:
    for m, message in enumerate(conversation):
        value = _value(message)
        parts = json_parts(message.get("from"), value) if value else None
        if parts is None:
            continue
        prefix, body, suffix = parts

        def rebuilt(
            new_body: str, m: int = m, prefix: str = prefix, suffix: str = suffix
        ) -> Conversation:
            return _with_value(conversation, m, prefix + new_body + suffix)

        count = 0
        for found in NUMBER_OR_STRING.finditer(body):
            literal = found.group(0)
            if literal.startswith('"'):
                continue
            canonical = canonical_number(literal)
            if canonical is not None and canonical != literal and count < _PER_MESSAGE:
                count += 1
                respelled = body[: found.start()] + canonical + body[found.end() :]
                yield _Edit(("json", m, "number", literal, canonical), rebuilt(respelled))
        tree = loads_as_written(body)
        standard = dump_standard(tree)
        yield _Edit(("json", m, "spelling", "", ""), rebuilt(standard))
        yield _Edit(("json", m, "key-order", "", ""), rebuilt(dump_standard(tree, sort=True)))
        for feature, where, edited in itertools.islice(tree_edits(tree), _PER_MESSAGE):
            yield _Edit(("json", m, feature, where, ""), rebuilt(dump_standard(edited)))


def _all_edits(conversation: Conversation) -> Iterator[_Edit]:
    """Every edit, most decisive families first (the cap keeps a prefix)."""
    yield from _message_edits(conversation)
    yield from _json_edits(conversation)
    yield from _character_edits(conversation)
    yield from _length_edits(conversation)
    yield from _word_edits(conversation)


# --- reading the verdicts -----------------------------------------------------


def _shown(text: str, limit: int = 40) -> str:
    """Text for a sentence: non-printable characters escaped, long text elided."""
    out = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _in(m: int, role: object) -> str:
    where = {
        "human": "a human turn",
        "gpt": "an assistant turn",
        "function_call": "a function_call",
        "observation": "an observation",
    }.get(str(role), f"a `{role}` message")
    return f"{where} (message {m})"


def _position(text: str, char: str) -> str:
    """Where a character stands among the words of its text."""
    i = text.index(char)
    before = re.search(r"\S*$", text[:i])
    after = re.match(r"\S*", text[i + 1 :])
    left = before.group(0).replace(char, "") if before else ""
    right = after.group(0).replace(char, "") if after else ""
    if left and right:
        return f"between `{_shown(left, 16)}` and `{_shown(right, 16)}`"
    if left:
        return f"after `{_shown(left, 16)}`"
    if right:
        return f"before `{_shown(right, 16)}`"
    return "on its own"


def _normal_phrase(phrase: str) -> str:
    """The grouping form of a phrase: case-folded, punctuation off the ends of each word."""
    words = [w.strip("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").casefold() for w in phrase.split()]
    return " ".join(w for w in words if w) or phrase.casefold()


@attrs.define
class _Reading:
    """The verdicts of one case's edits, and the questions asked of them."""

    conversation: Conversation
    kills: dict[Probe, bool]

    def killed(self, probe: Probe) -> bool:
        """Whether this edit made the bug go away (an edit never tried never did)."""
        return self.kills.get(probe, False)

    def role(self, m: int) -> object:
        return self.conversation[m].get("from")

    def text_matters(self, m: int) -> bool:
        if not self.killed(("empty", m)):
            return False
        group = next((g for g in _equal_groups(self.conversation) if m in g), None)
        return group is None or self.killed(("empty-group", group))

    def context(self) -> list[Ingredient]:
        found: list[Ingredient] = []
        orphan = _orphan_observation(self.conversation)
        if orphan is not None and self.killed(("insert-call", orphan)):
            found.append(
                Ingredient(
                    Kind.CONTEXT,
                    "context:observation-without-call",
                    f"an observation with no function_call before it (message {orphan})",
                    orphan,
                    "observation",
                )
            )
        n = len(self.conversation)
        present = [m for m in range(n) if self.killed(("drop", m)) and not self.text_matters(m)]
        if not present:
            return found
        roles = {self.role(m) for m in present}
        if len(roles) == 1 and all(self.killed(("role", m)) for m in present):
            role = str(roles.pop())
            count = sum(1 for m in range(n) if self.role(m) == role)
            key, sentence = (
                f"count:{role}:{count}",
                f"{count} {role} messages: each must be there, not its text",
            )
        else:
            key = f"count:messages:{n}"
            sentence = (
                f"{n} messages: {len(present)} of them must be there only for the count, "
                "not their text"
            )
        found.append(Ingredient(Kind.CONTEXT, key, sentence, text=str(len(present))))
        return found

    def roles(self) -> list[Ingredient]:
        return [
            Ingredient(
                Kind.ROLE,
                f"role:{self.role(m)}",
                f"message {m} must have the role `{self.role(m)}`",
                m,
                str(self.role(m)),
            )
            for m in range(len(self.conversation))
            if self.killed(("role", m)) and not self.killed(("drop", m))
        ]

    def characters(self) -> list[Ingredient]:
        """Characters no neutral replacement can stand in for, or non-ASCII ones needed together."""
        texts = [(m, v) for m, message in enumerate(self.conversation) if (v := _value(message))]
        chars = dict.fromkeys(c for _, v in texts for c in v)
        singles = [
            c
            for c in chars
            if all(self.killed(("char", c, how)) for how in ("letter", "space", "delete"))
        ]
        found = []
        for char in singles:
            m, value = next((m, v) for m, v in texts if char in v)
            found.append(
                Ingredient(
                    Kind.CHARACTER if _strong(char) else Kind.TEXT,
                    f"char:{default_char_class(char).key}",
                    f"{describe(char)} {_position(value, char)} in {_in(m, self.role(m))}",
                    m,
                    str(self.role(m)),
                    char,
                    ord(char),
                    (char,),
                )
            )
        non_ascii = [c for c in chars if not c.isascii()]
        if non_ascii and self.killed(("ascii",)) and not any(c in singles for c in non_ascii):
            found.append(self._together(texts, non_ascii))
        return found

    def _together(self, texts: list[tuple[int, str]], chars: list[str]) -> Ingredient:
        """The non-ASCII characters of the conversation, needed together (none alone)."""
        m = next(m for m, v in texts if not v.isascii())
        commonest = max(chars, key=lambda c: sum(v.count(c) for _, v in texts))
        named = ", ".join(describe(c) for c in chars[:3]) + (
            f" and {len(chars) - 3} more" if len(chars) > 3 else ""
        )
        return Ingredient(
            Kind.CHARACTER,
            f"char:{default_char_class(commonest).key}",
            f"the non-ASCII characters together ({named}), first in {_in(m, self.role(m))}: "
            f"as ASCII letters of the same case the sides agree",
            m,
            str(self.role(m)),
            "".join(chars),
            None,
            tuple(chars),
        )

    def lengths(self) -> list[Ingredient]:
        found: list[Ingredient] = []
        for m, message in enumerate(self.conversation):
            value = _value(message)
            if not value or not all(
                self.killed(("length", m, how)) for how in ("head", "tail", "middle")
            ):
                continue
            chars, size = len(value), len(value.encode("utf-8", "surrogatepass"))
            unit = "utf8-bytes" if size != chars and self.killed(("ascii",)) else "code-points"
            counted = "UTF-8 bytes" if unit == "utf8-bytes" else "code points"
            found.append(
                Ingredient(
                    Kind.LENGTH,
                    f"length:{unit}",
                    f"the length of {_in(m, message.get('from'))}: {chars:,} code points, "
                    f"{size:,} UTF-8 bytes; it counts in {counted}",
                    m,
                    str(message.get("from")),
                    str(size if unit == "utf8-bytes" else chars),
                )
            )
        return found

    def json_features(self) -> list[Ingredient]:
        found: list[Ingredient] = []
        for probe, killed in self.kills.items():
            if not killed or probe[0] != "json":
                continue
            _, m, feature, where, canonical = probe
            role = self.role(m)
            thing = (
                "a tool-call argument" if role == "function_call" else "a value in an observation"
            )
            spelling_matters = self.killed(("json", m, "spelling", "", ""))
            if feature == "number":
                kind = number_feature(where)
                found.append(
                    Ingredient(
                        Kind.JSON,
                        f"json:number:{kind}",
                        f"{thing} written `{where}` where the canonical spelling is `{canonical}` "
                        f"({FEATURE_WORDS[kind]}) in {_in(m, role)}",
                        m,
                        str(role),
                        where,
                    )
                )
            elif feature == "spelling":
                body = (json_parts(role, _value(self.conversation[m]) or "") or ("", "", ""))[1]
                escapes = ESCAPE.search(body)
                name = "escapes" if escapes else "layout"
                what = (
                    f"its escape `{escapes.group(0)}`" if escapes else "its whitespace and layout"
                )
                found.append(
                    Ingredient(
                        Kind.JSON,
                        f"json:{name}",
                        f"the JSON spelling of {_in(m, role)}: respelled in the standard layout "
                        f"the sides agree ({what})",
                        m,
                        str(role),
                        _shown(body),
                    )
                )
            elif not spelling_matters:
                found.append(self._structure(m, role, feature, where))
        # Most specific first: a number's spelling over a key's presence.
        return sorted(found, key=lambda i: _JSON_ORDER.index(i.key.split(":")[1]))

    def _structure(self, m: int, role: object, feature: str, where: str) -> Ingredient:
        if feature == "key":
            name = where.rsplit(".", 1)[-1]
            return Ingredient(
                Kind.TEXT,
                f"json:key:{name}",
                f"the JSON key `{where}` in {_in(m, role)}",
                m,
                str(role),
                name,
            )
        words = {
            "key-order": "the order of its keys",
            "duplicate-keys": f"a duplicated key `{where}`",
            "nesting": f"one level of nesting at `{where}`",
        }
        return Ingredient(
            Kind.JSON, f"json:{feature}", f"{words[feature]} in {_in(m, role)}", m, str(role), where
        )

    def phrases(self) -> list[Ingredient]:
        found: list[Ingredient] = []
        for m, message in enumerate(self.conversation):
            value = _value(message)
            if not value:
                continue
            words = _words(value)
            essential = [i for i in range(len(words)) if self.killed(("word", m, i))]
            if not essential and self.text_matters(m):
                # No word is needed alone: the trigger is said twice ("504 Gateway Timeout").
                # Then the words that show the bug on their own are its ingredients.
                essential = [
                    i
                    for i in range(len(words))
                    if ("only", m, i) in self.kills and not self.killed(("only", m, i))
                ]
            for run in _runs(essential):
                phrase = " ".join(words[i].group(0) for i in run)
                found.append(
                    Ingredient(
                        Kind.PHRASE,
                        f"phrase:{_normal_phrase(phrase)[:_PHRASE_KEY]}",
                        f'the phrase "{_shown(phrase)}" in {_in(m, message.get("from"))}',
                        m,
                        str(message.get("from")),
                        phrase,
                    )
                )
        return found

    def whole_texts(self, explained: set[int]) -> list[Ingredient]:
        """Texts that matter as a whole, where nothing smaller inside them was found to."""
        found = []
        for m, message in enumerate(self.conversation):
            value = _value(message)
            if value and m not in explained and self.text_matters(m):
                digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
                found.append(
                    Ingredient(
                        Kind.TEXT,
                        f"text:{message.get('from')}:{digest}",
                        f'the text "{_shown(value)}" of {_in(m, message.get("from"))} as a whole',
                        m,
                        str(message.get("from")),
                        value,
                    )
                )
        return found

    def ingredients(self, signature: str) -> list[Ingredient]:
        found = _quality(signature, len(self.conversation))
        found += self.context() + self.lengths() + self.characters() + self.json_features()
        found += self.phrases() + self.roles()
        found += self.whole_texts({i.message for i in found if i.message is not None})
        return found


def _runs(indices: list[int]) -> list[list[int]]:
    """Consecutive runs: [0, 1, 3] -> [[0, 1], [3]]."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _quality(signature: str, messages: int) -> list[Ingredient]:
    """A quality-only signature is its own ingredient: the counts agree, the bucket does not."""
    if not signature.startswith("quality: "):
        return []
    pair = signature.removeprefix("quality: ")
    reference, _, candidate = pair.partition(" -> ")
    return [
        Ingredient(
            Kind.QUALITY,
            f"quality:{pair}",
            f"a quality bucket boundary: every count agrees, but the reference says {reference} "
            f"and the candidate {candidate} ({messages} messages, each needed for the score)",
            text=pair,
        )
    ]


# --- probing character classes ------------------------------------------------


def default_substitutes() -> tuple[str, ...]:
    """Single characters the generator uses as hazards: what a character is probed against."""
    from strategies import hazards  # the generator's pool; imported only when probing

    pools = (
        hazards.SPACES,
        hazards.CASE_CHARS,
        hazards.TYPOGRAPHIC,
        hazards.COMBINING,
        hazards.INVISIBLE,
        hazards.ASTRAL,
        hazards.CONTROLS,
    )
    return tuple(dict.fromkeys(c for pool in pools for c in pool if len(c) == 1))


def _probe(
    reading: _Reading, found: list[Ingredient], oracle: Oracle, substitutes: Sequence[str]
) -> list[Ingredient]:
    """Each essential single character's observed class: the substitutes that still show the bug."""
    singles = [
        i
        for i in found
        if i.kind is Kind.CHARACTER and i.code_point is not None and i.message is not None
    ]
    if not singles:
        return found
    asks: list[tuple[Ingredient, str, Conversation]] = []
    present = {c for message in reading.conversation for c in (_value(message) or "")}
    for ingredient in singles:
        pool = dict.fromkeys([*substitutes, *same_class(ingredient.text)])
        for other in pool:
            if other not in present:  # a character already there would blur the answer
                changed = _replaced(reading.conversation, ingredient.text, other, in_json=True)
                asks.append((ingredient, other, changed))
    verdicts = oracle.verdicts([changed for _, _, changed in asks])
    observed: dict[int, list[str]] = {}
    for (ingredient, other, _), shows in zip(asks, verdicts, strict=True):
        if shows:
            observed.setdefault(id(ingredient), []).append(other)
    return [
        attrs.evolve(i, chars=(i.text, *sorted(observed.get(id(i), ())))) if i in singles else i
        for i in found
    ]


# --- the entry points ---------------------------------------------------------


def explain(
    conversation: Conversation,
    shows: Shows,
    *,
    signature: str = "",
    max_batch: int = DEFAULT_MAX_BATCH,
    max_edits: int = DEFAULT_MAX_EDITS,
    probe: bool = True,
    substitutes: Sequence[str] | None = None,
    deadline: float | None = None,
) -> Explanation:
    """The ingredients of ``conversation``'s bug, by neutralising edits judged by ``shows``.

    ``shows(candidates)`` says, for each candidate, whether it still shows
    the bug (for a real pair of targets, ``signature_oracle`` builds it).
    All edits go in one round of batches (``max_batch`` candidates each, at
    most ``max_edits`` edits, the case itself first as a control), and
    essential characters are probed in one more round (``probe``) against
    ``substitutes`` (default: the generator's hazard characters) and members
    of their own class. ``signature`` is only read for what it says itself
    (a quality-only signature is a bucket boundary). ``deadline`` (a
    ``time.monotonic`` value) stops sending batches once passed (the first,
    with the control, always goes): edits left unjudged count as harmless
    and the explanation is marked incomplete. A shrunk case needs one or two
    batches; the bound is for big unshrunk ones (a 101-message case with its
    text costs over a thousand candidates).
    """
    if max_batch < 1:
        raise ValueError(f"max_batch={max_batch!r} must be at least 1")
    if max_edits < 0:
        raise ValueError(f"max_edits={max_edits!r} must not be negative")
    started = time.monotonic()
    original = [dict(message) for message in conversation]
    oracle = Oracle(shows, max_batch, deadline)
    every = _all_edits(original)
    edits = list(itertools.islice(every, max_edits))
    complete = next(every, None) is None
    changed = [e for e in edits if e.conversation != original]
    verdicts = oracle.verdicts([original] + [e.conversation for e in changed])
    if not verdicts[0]:
        cost = Cost(oracle.batches, oracle.candidates, time.monotonic() - started)
        return Explanation(signature, original, (), False, cost, complete)
    judged = zip(changed, verdicts[1:], strict=True)
    reading = _Reading(original, {e.probe: not v for e, v in judged if v is not None})
    # An edit that changed nothing still shows the bug, as the control did.
    reading.kills.update((e.probe, False) for e in edits if e.conversation == original)
    found = reading.ingredients(signature)
    if probe:
        found = _probe(
            reading, found, oracle, default_substitutes() if substitutes is None else substitutes
        )
    ordered = tuple(sorted(found, key=lambda i: i.rank))  # stable: the order found breaks ties
    cost = Cost(oracle.batches, oracle.candidates, time.monotonic() - started)
    return Explanation(signature, original, ordered, True, cost, complete and not oracle.expired)


def signature_oracle(signature: str, reference: Target, candidate: Target) -> Shows:
    """``shows`` for one signature of a pair of targets: both sides run once per batch."""

    def shows(candidates: Sequence[Conversation]) -> list[bool]:
        references, candidates_ = analyze_pair(reference, candidate, candidates)
        verdicts = []
        for ref, cand in zip(references, candidates_, strict=True):
            divergence = compare(ref, cand, diffs=False).tier_a
            verdicts.append(divergence is not None and signature in divergence.signatures)
        return verdicts

    return shows


def explain_case(
    conversation: Conversation,
    signature: str,
    reference: Target,
    candidate: Target,
    **options: Any,
) -> Explanation:
    """``explain`` with the oracle of a real pair of targets (``options`` go to ``explain``).

    A hang is not explained: every edit that still hangs would cost a whole
    timeout. It comes back unexplained (``complete=False``), grouped alone by
    its signature.
    """
    if is_hang(signature):
        return Explanation.untried(signature, [dict(m) for m in conversation])
    return explain(
        conversation,
        signature_oracle(signature, reference, candidate),
        signature=signature,
        **options,
    )
