"""Agent tool traces: ``function_call`` and ``observation`` messages.

A trace is a list of *units*, each a short run of messages that only makes
sense whole: a call with its observation, a retry run, a parameter-drift run,
an oscillation. Traces are ``st.lists`` of units, flattened, so the shrinker
deletes whole units and never strands an observation without its call.
Inside a unit every observation directly follows its call and is optional
(it shrinks away when not needed).

Calls cost few Hypothesis choices: arguments come from a fixed pool and a
re-spelling is one integer (``strategies.hazards.render_json``), because a
campaign generates thousands of traces and each choice costs tens of
microseconds.

Runs are sized just below, at and above the loop threshold of 3 calls, and
re-send "the same" arguments re-spelled (keys reordered, ``1`` as ``1.0``):
equal for Python's ``==``, not for ``serde_json::Value``.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Iterable
from typing import Final, TypeAlias

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from strategies.hazards import (
    JSON_HAZARDS,
    NUMBER_VALUES,
    RESPELLINGS,
    VARIANTS,
    JSONValue,
    render_json,
)
from strategies.text import (
    _FRAMES,
    EXHAUSTION_TYPES,
    FAILURE_TYPES,
    VOCABULARY,
    _framed,
    _inlinable,
    _picked,
    _weighted,
    check_bounds,
    check_signal_types,
    draw_inline,
    lexicon_phrases,
    trigger_texts,
)

#: One ShareGPT message: ``{"from": role, "value": text}``.
Message: TypeAlias = dict[str, str]
#: A conversation (or a trace): messages in order.
Conversation: TypeAlias = list[Message]

#: Tool names; ordinary ones first, then names that are equal only after
#: case folding, or that contain separators a parser might split on.
TOOL_NAMES: Final[tuple[str, ...]] = (
    "search", "get_weather", "read_file", "run_sql", "send_email", "lookup",
    "Search", "search_v2", "get-weather", "fs.read", "w\u00e9ather", "run sql", "f(x)", "",
)  # fmt: skip
_ARG_KEYS: Final[tuple[str, ...]] = (
    "q", "city", "limit", "page", "path", "units", "verbose", "filters", "id",
)  # fmt: skip
#: Values a drifting argument walks through (no bools: ``True == 1``).
_DRIFT_VALUES: Final[tuple[int | str, ...]] = (1, 2, 3, 10, "paris", "london", "tokyo", 0, -1)

#: How a call is written; the canonical form first (the shrink target).
CALL_FORMS: Final[tuple[str, ...]] = (
    "name+arguments",
    "arguments+name",
    "function+args",
    "args+function",
    "string-arguments",
    "paren",
    "bare",
    "name-only",
    "name+args",
    "function+arguments",
    "both-names",
    "openai",
    "hazard-arguments",
    "malformed",
)

#: HTTP statuses with reasons, then codes around the 4xx/5xx class edges
#: and digit strings that merely contain a status.
_STATUSES: Final[tuple[tuple[int, str], ...]] = (
    (500, "Internal Server Error"), (429, "Too Many Requests"), (401, "Unauthorized"),
    (403, "Forbidden"), (404, "Not Found"), (400, "Bad Request"), (408, "Request Timeout"),
    (409, "Conflict"), (422, "Unprocessable Entity"), (502, "Bad Gateway"),
    (503, "Service Unavailable"), (504, "Gateway Timeout"), (200, "OK"), (399, ""),
    (499, ""), (599, ""), (600, ""), (4290, ""), (1429, ""), (5000, ""),
)  # fmt: skip
_SUCCESSES: Final[tuple[str, ...]] = (
    '{"result": "ok"}', "OK", '{"status": 200, "data": [1, 2, 3]}', "done", "",
    "[]", "{}", "null", '{"results": [], "count": 0}', "200 OK",
    '{"temperature": 21.5, "units": "metric"}', "Saved 3 rows.",
)  # fmt: skip


def tool_calls() -> SearchStrategy[str]:
    """A ``function_call`` value in any of the forms the contract allows, and some it doesn't.

    ``{"name", "arguments"}`` (first, the shrink target), the
    ``function``/``args`` alternatives and mixes of them, keys in either
    order, arguments as a JSON-encoded string (compared as raw text),
    ``name({...})``, a bare name, an OpenAI-style wrapper, hazardous JSON as
    arguments, and malformed JSON (a truncated, Python-repr or
    trailing-comma object). Numbers inside arguments are spelled variously.
    """
    return _TOOL_CALLS


def observations(signal_types: Iterable[str] | None = None) -> SearchStrategy[str]:
    """An ``observation`` value: a failure, an exhaustion, or a success.

    Failures and exhaustions come from the lexicons of ``signal_types``
    (default: every ``execution.failure.*`` and ``environment.exhaustion.*``
    leaf), as free text, inside JSON error bodies, as HTTP status lines
    (including codes next to the class edges), as two wordings at once (an
    observation yields at most one failure and one exhaustion, so the tie
    break is tested) or as a traceback; successes are plain results.
    """
    if signal_types is None:
        return _OBSERVATIONS
    return _observations(check_signal_types("observations", signal_types))


def tool_traces(*, min_size: int = 0, max_size: int = 20) -> SearchStrategy[Conversation]:
    """Between ``min_size`` and ``max_size`` messages of tool calls and observations.

    Made of units: call + observation pairs, retry runs (same tool, same
    arguments re-spelled, 2/3/4 calls), parameter drift (same tool, changing
    arguments, 2-4 calls) and oscillation (2-5 tools called in turn for up
    to 4 rounds: 2, 3 or 4 full repetitions, or a cycle that stops short of
    the threshold, down to one call past the first round). Each unit has at
    least one message; a unit that would overrun ``max_size`` is cut at the
    end, which leaves a call without its observation, never the reverse.
    """
    check_bounds("tool_traces", min_size, max_size)
    return st.lists(_UNITS, min_size=min_size, max_size=max_size).map(
        lambda units: [m for unit in units for m in unit][:max_size]
    )


# --- private builders -------------------------------------------------------


def _call(value: str) -> Message:
    return {"from": "function_call", "value": value}


def _observation(value: str) -> Message:
    return {"from": "observation", "value": value}


def _argument_pool() -> tuple[dict[str, JSONValue], ...]:
    """Argument objects, smallest first (``{}`` is the shrink target).

    Drawn with one choice per call rather than a choice per key and value:
    calls are the most numerous messages of a trace, and every choice costs
    tens of microseconds. The pool is fixed (seeded) so that replays of a
    saved example see the same arguments. Every number of ``NUMBER_VALUES``
    appears, so re-spelling reaches each of them.
    """
    rng = random.Random(7)
    leaves: list[JSONValue] = [*VOCABULARY[:20], *NUMBER_VALUES, True, False, None]
    nested: list[JSONValue] = [[1, 2, 3], [], {"from": 1, "to": 10}, {"b": 1, "a": 2.0}, ["paris"]]
    pool: dict[str, dict[str, JSONValue]] = {"{}": {}}
    for value in NUMBER_VALUES:
        pool[json.dumps({"limit": value})] = {"limit": value}
    for size in (1, 2, 2, 3, 3, 4):
        for _ in range(8):
            keys = rng.sample(_ARG_KEYS, size)
            args = {k: rng.choice(nested if rng.random() < 0.15 else leaves) for k in keys}
            pool.setdefault(json.dumps(args), args)
    return tuple(sorted(pool.values(), key=lambda a: (len(a), len(json.dumps(a)))))


_ARGUMENTS: Final[tuple[dict[str, JSONValue], ...]] = _argument_pool()
_ARGS: Final = st.sampled_from(_ARGUMENTS)


def render_call(name: str, args: dict[str, JSONValue], form: str, variant: int = 0) -> str:
    """Write one call to ``name`` with ``args`` in ``form`` (one of ``CALL_FORMS``).

    ``variant`` re-spells the arguments (see ``render_json``) and picks the
    details of the odd forms, so that a whole call costs a handful of
    Hypothesis choices and ``variant=0`` is always the plainest text.
    """
    n = json.dumps(name)
    if form == "bare":
        return name
    if form == "name-only":
        return "{" + f'"name": {n}' + "}"
    if form == "hazard-arguments":
        return "{" + f'"name": {n}, "arguments": {JSON_HAZARDS[variant % len(JSON_HAZARDS)]}' + "}"
    a = render_json(args, variant)
    if form == "name+arguments":
        return "{" + f'"name": {n}, "arguments": {a}' + "}"
    if form == "arguments+name":
        return "{" + f'"arguments": {a}, "name": {n}' + "}"
    if form == "function+args":
        return "{" + f'"function": {n}, "args": {a}' + "}"
    if form == "args+function":
        return "{" + f'"args": {a}, "function": {n}' + "}"
    if form == "name+args":
        return "{" + f'"name": {n}, "args": {a}' + "}"
    if form == "function+arguments":
        return "{" + f'"function": {n}, "arguments": {a}' + "}"
    if form == "both-names":
        other = json.dumps(TOOL_NAMES[(variant + 1) % len(TOOL_NAMES)])
        return "{" + f'"name": {n}, "function": {other}, "arguments": {a}' + "}"
    if form == "string-arguments":
        return "{" + f'"name": {n}, "arguments": {json.dumps(a)}' + "}"
    if form == "openai":
        inner = "{" + f'"name": {n}, "arguments": {json.dumps(a)}' + "}"
        return "{" + f'"type": "function", "function": {inner}' + "}"
    if form == "paren":
        return f"{name}({a})"
    # malformed: a Python repr, a trailing comma, an unclosed paren, a truncation
    canonical = "{" + f'"name": {n}, "arguments": {a}' + "}"
    how = variant % 4
    if how == 0:
        return repr({"name": name, "arguments": args})
    if how == 1:
        return canonical[:-1] + ",}"
    if how == 2:
        return f"{name}({a}"
    return canonical[: (variant // 4) % len(canonical)]


_FORM: Final = st.sampled_from(CALL_FORMS)
#: A tool name and a call form as one choice (196 pairs, drawn uniformly),
#: the canonical form of the first name first.
_NAME_FORM: Final = st.sampled_from([(n, f) for f in CALL_FORMS for n in TOOL_NAMES])


def _render_named(name_form: tuple[str, str], args: dict[str, JSONValue], variant: int) -> str:
    return render_call(name_form[0], args, name_form[1], variant)


_TOOL_CALLS: Final = st.builds(_render_named, _NAME_FORM, _ARGS, RESPELLINGS)


def _status_line(code: int, reason: str, phrase: str, style: str) -> str:
    if style == "http":
        return f"HTTP/1.1 {code} {reason}".rstrip()
    if style == "error":
        return f"Error {code}: {phrase}"
    if style == "json":
        return json.dumps({"status": code, "error": phrase})
    return json.dumps({"error": {"code": code, "message": phrase}})


def _traceback(phrase: str) -> str:
    return f'Traceback (most recent call last):\n  File "tool.py", line 1\nRuntimeError: {phrase}'


def _observation_options(types: tuple[str, ...]) -> list[tuple[float, SearchStrategy[str]]]:
    phrases = lexicon_phrases(types)
    phrase = st.sampled_from(phrases) if phrases else st.sampled_from(VOCABULARY)
    return [
        (0.35, trigger_texts(types)),
        (0.15, st.sampled_from(_SUCCESSES)),
        (
            0.15,
            st.builds(
                lambda p, key: json.dumps({key: p}),
                phrase,
                st.sampled_from(("error", "message", "detail", "stderr")),
            ),
        ),
        (
            0.15,
            st.builds(
                lambda status, p, style: _status_line(status[0], status[1], p, style),
                st.sampled_from(_STATUSES),
                phrase,
                st.sampled_from(("http", "error", "json", "nested")),
            ),
        ),
        (0.1, st.builds(lambda a, b: f"{a}; {b}", phrase, phrase)),
        (0.05, st.builds(_traceback, phrase)),
        (0.05, st.sampled_from(JSON_HAZARDS)),
    ]


def _observations(types: tuple[str, ...]) -> SearchStrategy[str]:
    return _weighted(*_observation_options(types))


_OBSERVATION_OPTIONS: Final = _observation_options(FAILURE_TYPES + EXHAUSTION_TYPES)
_OBSERVATIONS: Final = _weighted(*_OBSERVATION_OPTIONS)


def _run_observation_pool() -> tuple[str, ...]:
    """Observations for the calls of a run: bare failure/exhaustion phrases,
    status lines and successes (``_SLOT`` adds "no observation"). A run
    has up to 20 calls; a lone pair draws the richer ``_rich_observations``."""
    texts = [
        *lexicon_phrases(FAILURE_TYPES + EXHAUSTION_TYPES),
        *(_status_line(code, reason, reason, "http") for code, reason in _STATUSES),
        *_SUCCESSES,
    ]
    return tuple(dict.fromkeys(texts))


def _slot_pool(observations: tuple[str, ...], seed: int) -> tuple[_Slot, ...]:
    """(re-spelling, observation) pairs for the calls of a unit: one choice per call.

    Every observation appears with the plain spelling (0), and every other one
    also with a seeded re-spelling. Sorted plainest first, with no observation
    (``None``) as the first entry (a bare call, the shrink target) and then in
    about every seventh entry (15 %): spread out, because Hypothesis favours
    the low indices of a long pool.
    """
    rng = random.Random(seed)
    spelled = [(0, o) for o in observations] + [
        (rng.randrange(1, VARIANTS), o) for o in observations[::2]
    ]
    spelled.sort(key=lambda s: (len(s[1]), s[0], s[1]))
    slots: list[_Slot] = [(0, None)]
    for i, slot in enumerate(spelled):
        slots.append(slot)
        if i % 6 == 5:
            slots.append((0, None))
    return tuple(slots)


_Slot = tuple[int, str | None]


def _rich_observations() -> tuple[str, ...]:
    """Observations in every form ``observations()`` draws, built once (seeded):
    each failure/exhaustion phrase bare, framed, in a JSON body, in a status
    line and in a traceback; pairs of phrases; successes and JSON hazards."""
    rng = random.Random(20240604)
    phrases = lexicon_phrases(FAILURE_TYPES + EXHAUSTION_TYPES)
    texts: list[str] = [*_SUCCESSES, *JSON_HAZARDS]
    for p in phrases:
        texts.append(p)
        texts.append(_framed(p, rng.choice(_FRAMES)))
        texts.append(json.dumps({rng.choice(("error", "message", "detail", "stderr")): p}))
        code, reason = rng.choice(_STATUSES)
        texts.append(_status_line(code, reason, p, rng.choice(("http", "error", "json", "nested"))))
        texts.append(_traceback(p))
        texts.append(f"{p}; {rng.choice(phrases)}")
    return tuple(dict.fromkeys(texts))


#: One call of a run: a re-spelling of the run's arguments and maybe a bare
#: observation, as *two* choices. Folded into one, a run whose bug needs a
#: re-spelled call could not shrink that call's observation away (the
#: re-spelling was tied to one observation): measured on the planted
#: ``json_number_args`` variant.
_RUN_OBSERVATIONS: Final = _run_observation_pool()
#: Share of a run's calls without an observation.
_NO_OBSERVATION: Final = 0.15
_SLOT: Final[SearchStrategy[_Slot]] = st.tuples(
    RESPELLINGS,
    st.sampled_from(
        (None,) * round(len(_RUN_OBSERVATIONS) * _NO_OBSERVATION / (1 - _NO_OBSERVATION))
        + _RUN_OBSERVATIONS
    ),
)
#: A lone call: the richer observations, also one choice.
_PAIR_SLOTS: Final = _slot_pool(_rich_observations(), 6)
_PAIR_SLOT: Final[SearchStrategy[_Slot]] = st.sampled_from(_PAIR_SLOTS)


def _with_observation(call: str, obs: str | None) -> list[Message]:
    return [_call(call)] if obs is None else [_call(call), _observation(obs)]


def _pair(
    name: str, args: dict[str, JSONValue], form: str, slot: tuple[int, str | None]
) -> list[Message]:
    return _with_observation(render_call(name, args, form, slot[0]), slot[1])


def _lone_pair(
    name_form: tuple[str, str], args: dict[str, JSONValue], slot: tuple[int, str | None]
) -> list[Message]:
    return _pair(name_form[0], args, name_form[1], slot)


def _retry(
    name_form: tuple[str, str], args: dict[str, JSONValue], slots: list[tuple[int, str | None]]
) -> list[Message]:
    """Same tool, equal arguments (re-spelled), 2-4 calls: the retry threshold is 3."""
    name, form = name_form
    return [m for slot in slots for m in _pair(name, args, form, slot)]


def _drift(
    name_form: tuple[str, str],
    base: dict[str, JSONValue],
    key: str,
    steps: list[tuple[int | str, tuple[int, str | None]]],
) -> list[Message]:
    """Same tool, the argument ``key`` taking a new value on every call, 2-4 calls."""
    name, form = name_form
    return [m for value, slot in steps for m in _pair(name, {**base, key: value}, form, slot)]


def _oscillation(
    tools: list[tuple[str, dict[str, JSONValue]]], form: str, slots: list[tuple[int, str | None]]
) -> list[Message]:
    """Calls cycle through 2-5 distinct tools, up to 4 rounds, the last maybe cut short."""
    out: list[Message] = []
    for i, slot in enumerate(slots):
        name, args = tools[i % len(tools)]
        out += _pair(name, args, form, slot)
    return out


@st.composite
def _oscillation_units(draw: st.DrawFn) -> list[Message]:
    tools = draw(_TOOLS_WITH_ARGS)
    form = draw(_FORM)
    # Deleting a slot shortens the cycle by one call, so shrinking keeps an
    # oscillation-shaped trace; cached per pattern length (2-5).
    slots = draw(_cycle_slots(len(tools)))
    return _oscillation(tools, form, slots)


_ToolSet = tuple[tuple[str, dict[str, JSONValue]], ...]


def _tool_set_pool() -> tuple[_ToolSet, ...]:
    """2-5 distinct tools with their arguments, for an oscillation: one choice.

    Built once (seeded), 50 sets of each width, narrowest and plainest first
    (two tools without arguments is the shrink target). A list of (name,
    arguments) pairs cost three choices a tool.
    """
    rng = random.Random(8)
    simplest: _ToolSet = tuple((name, {}) for name in TOOL_NAMES[:2])
    sets: dict[str, _ToolSet] = {}
    for width in range(2, 6):
        for k in range(50):
            names = rng.sample(TOOL_NAMES[:6] if k < 25 else TOOL_NAMES, width)
            picked = tuple((n, rng.choice(_ARGUMENTS[:8] if k < 25 else _ARGUMENTS)) for n in names)
            sets.setdefault(json.dumps(picked), picked)
    sets.pop(json.dumps(simplest), None)
    ordered = sorted(
        sets.values(),
        key=lambda t: (len(t), sum(len(json.dumps(a)) + TOOL_NAMES.index(n) for n, a in t)),
    )
    return (simplest, *ordered)


_TOOL_SETS: Final = _tool_set_pool()
_TOOLS_WITH_ARGS: Final = st.sampled_from(_TOOL_SETS).map(list)


@functools.cache
def _cycle_slots(width: int) -> SearchStrategy[list[tuple[int, str | None]]]:
    # From one call past the first round (a near miss, and a step the
    # shrinker can take one call at a time) to four full rounds.
    return st.lists(_SLOT, min_size=width + 1, max_size=4 * width)


#: Units drawn whole from ``_unit_pool`` rather than piece by piece.
POOLED_UNIT_SHARE: Final = 0.9
#: Pooled units of each kind, in buckets of ``_BUCKET`` (Hypothesis draws
#: indices up to 256 uniformly, larger ranges biased towards 0).
UNITS_PER_KIND: Final = 1024
_BUCKET: Final = 256
_UNIT_KINDS: Final = ("pair", "retry", "drift", "oscillation")
_UNIT_WEIGHTS: Final = (0.45, 0.25, 0.15, 0.15)

#: One unit of a trace drawn piece by piece; pairs first, so shrinking turns runs into pairs.
_PAIR_WEIGHT, _RETRY_WEIGHT, _DRIFT_WEIGHT, _OSCILLATION_WEIGHT = _UNIT_WEIGHTS
_FRESH_UNITS: Final[SearchStrategy[list[Message]]] = _weighted(
    (_PAIR_WEIGHT, st.builds(_lone_pair, _NAME_FORM, _ARGS, _PAIR_SLOT)),
    (
        _RETRY_WEIGHT,
        st.builds(_retry, _NAME_FORM, _ARGS, st.lists(_SLOT, min_size=2, max_size=4)),
    ),
    (
        _DRIFT_WEIGHT,
        st.builds(
            _drift,
            _NAME_FORM,
            _ARGS,
            st.sampled_from(_ARG_KEYS),
            st.lists(
                st.tuples(st.sampled_from(_DRIFT_VALUES), _SLOT),
                min_size=2,
                max_size=4,
                unique_by=lambda step: step[0],
            ),
        ),
    ),
    (_OSCILLATION_WEIGHT, _oscillation_units()),
)


def _random_slot(rng: random.Random) -> _Slot:
    """A call slot of a run as ``_SLOT`` draws it: half re-spelled, some without observation."""
    respelling = rng.randrange(1, VARIANTS) if rng.random() < 0.5 else 0
    return respelling, (None if rng.random() < _NO_OBSERVATION else rng.choice(_RUN_OBSERVATIONS))


def _random_unit(rng: random.Random, kind: str) -> list[Message]:
    """One unit of ``kind``, built by ``_FRESH_UNITS``' builders from pieces picked by ``rng``."""
    name_form = (rng.choice(TOOL_NAMES), rng.choice(CALL_FORMS))
    args = rng.choice(_ARGUMENTS)
    if kind == "pair":
        return _lone_pair(name_form, args, rng.choice(_PAIR_SLOTS))
    if kind == "retry":
        slots = [_random_slot(rng) for _ in range(rng.randint(2, 4))]
        return _retry(name_form, args, slots)
    if kind == "drift":
        values = rng.sample(_DRIFT_VALUES, rng.randint(2, 4))
        steps = [(v, _random_slot(rng)) for v in values]
        return _drift(name_form, args, rng.choice(_ARG_KEYS), steps)
    tools = list(rng.choice(_TOOL_SETS))
    width = len(tools)
    slots = [_random_slot(rng) for _ in range(rng.randint(width + 1, 4 * width))]
    return _oscillation(tools, rng.choice(CALL_FORMS), slots)


def _size(unit: list[Message]) -> tuple[int, int]:
    return len(unit), sum(len(m["value"]) for m in unit)


def _unit_pool(kind: str, size: int, seed: int) -> tuple[list[Message], ...]:
    """``size`` distinct units of ``kind``, built once (seeded), shortest first.

    Drawn piece by piece a unit costs about 17 Hypothesis choices, and tool
    units made more than half of a campaign's choices; from this pool it
    costs two. The units come from the same builders, pools and weights as
    the drawn ones. The price is detail while shrinking: a pooled unit can
    only be swapped for an earlier (shorter) one, and what remains inside it
    is left to the campaign's batched pass (messages, then words, then
    characters, equal calls together). Being seeded, a saved example replays
    to the same units.
    """
    rng = random.Random(f"{kind}/{seed}")
    units: dict[str, list[Message]] = {}
    while len(units) < size:
        unit = _random_unit(rng, kind)
        units.setdefault(json.dumps(unit), unit)
    return tuple(sorted(units.values(), key=_size))


def _copied(unit: list[Message]) -> list[Message]:
    return [dict(m) for m in unit]


@functools.cache
def _unit_pick() -> SearchStrategy[list[Message]]:
    """Kind and bucket in one pick, then a unit of the bucket (two choices, the
    shrink target the shortest pair); for ``1 - POOLED_UNIT_SHARE`` of units,
    one drawn piece by piece instead.

    Bucket ``b`` of a kind holds every ``n``-th unit from the ``b``-th, so each
    bucket runs from short to long. Built on first use, not at import (the
    pools take a fraction of a second).
    """
    buckets = UNITS_PER_KIND // _BUCKET
    options: list[tuple[float, tuple[list[Message], ...] | SearchStrategy[list[Message]]]] = []
    for kind, weight in zip(_UNIT_KINDS, _UNIT_WEIGHTS, strict=True):
        pool = _unit_pool(kind, UNITS_PER_KIND, 9)
        options += [
            (POOLED_UNIT_SHARE * (weight / buckets), pool[b::buckets]) for b in range(buckets)
        ]
    options.append((1 - POOLED_UNIT_SHARE, _FRESH_UNITS))
    return _picked(*options, then=_copied)


#: One unit of a trace: usually whole from a pool, else drawn piece by piece.
_UNITS: Final[SearchStrategy[list[Message]]] = _inlinable(
    lambda draw: draw_inline(draw, _unit_pick())
)


def tool_units() -> SearchStrategy[list[Message]]:
    """One trace unit (pair, retry, drift or oscillation), for composing exchanges."""
    return _UNITS
