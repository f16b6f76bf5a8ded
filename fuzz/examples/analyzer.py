"""Our own example of the signals analyzer, written from the contract alone.

The real analyzers (the Python reference and the Rust port) cannot be
installed here, yet the fuzzer needs something to drive: its tests compare
this analyzer with itself, and with variants that carry planted bugs
(``fuzz.examples.variants``), and must find every planted bug.

It follows the behaviour described in ``shared/spec/targets.md``: last 100
messages, long texts shortened, text normalised, phrases matched exactly or
fuzzily, tool calls parsed, observations classified, loops found, a quality
score bucketed. The phrase lists and detectors are ours.

Choices the contract leaves open, made here:

- Matching: a phrase matches when its words occur in a row among the
  message's normalised tokens, each word exactly or (for words of 5+
  characters) within one edit (symmetric-delete index, so it stays cheap).
  Each phrase leaf fires at most once per ``human`` message; exact matches
  get confidence 0.95, fuzzy ones 0.75. Negative stance also fires on
  "!!!" or on three ALL-CAPS words in a row.
- Observations: ordered regular-expression rules per leaf, first leaf wins
  (failure: tool_not_found, auth_misuse, state_error, invalid_args,
  bad_query; exhaustion: context_overflow, rate_limit, timeout, network,
  malformed_response, api_error).
- Loops, over consecutive ``function_call`` rows (other roles between them
  do not break a run): retry = 3+ calls with one name and equal arguments;
  parameter drift = 3+ calls with one name, each changing the arguments;
  oscillation = a pattern of 2-4 calls naming 2+ tools, repeated 3+ times.
  Each points at its first call.
- Quality: any escalation or quit is ``severe``. Otherwise an integer score
  starts at 50, +10 per satisfaction signal, -10 per disengagement signal,
  -(20 * misalignment signals // user turns), -10 per stagnation signal,
  -5 per failure, loop and exhaustion signal, clamped to 0..100; then
  ``>= 75`` excellent, ``>= 60`` good, ``>= 40`` neutral, else poor.

Every step a port could get subtly wrong is a small method (a "hook") so a
variant overrides exactly one of them. Per-class tables (normalised phrase
index, compiled observation rules) are built once from the hooks, so
``analyze`` itself does no set-up work.

Stdlib only: this module is also imported by the replay program, whose
start-up time the fuzzer pays on every batch.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Final, NamedTuple, Protocol

#: layer -> category -> leaves. Mirrors ``strategies.signal_types.LAYOUT``
#: (a unit test keeps them equal); repeated here so the replay program does
#: not import the strategies package.
LAYOUT: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "interaction": {
        "misalignment": ("correction", "rephrase", "clarification"),
        "stagnation": ("dragging", "repetition"),
        "disengagement": ("escalation", "quit", "negative_stance"),
        "satisfaction": ("gratitude", "confirmation", "success"),
    },
    "execution": {
        "failure": ("invalid_args", "bad_query", "tool_not_found", "auth_misuse", "state_error"),
        "loops": ("retry", "parameter_drift", "oscillation"),
    },
    "environment": {
        "exhaustion": (
            "api_error",
            "timeout",
            "rate_limit",
            "network",
            "malformed_response",
            "context_overflow",
        ),
    },
}

LAYER_KEYS: Final[dict[str, str]] = {
    "interaction": "interaction_signals",
    "execution": "execution_signals",
    "environment": "environment_signals",
}

#: (layer, category) of every category, in report order.
CATEGORIES: Final[tuple[tuple[str, str], ...]] = tuple(
    (layer, category) for layer, cats in LAYOUT.items() for category in cats
)

#: Interaction leaves found by phrase matching in ``human`` turns.
PHRASE_LEAVES: Final[tuple[tuple[str, str], ...]] = (
    ("misalignment", "correction"),
    ("misalignment", "rephrase"),
    ("misalignment", "clarification"),
    ("disengagement", "escalation"),
    ("disengagement", "quit"),
    ("disengagement", "negative_stance"),
    ("satisfaction", "gratitude"),
    ("satisfaction", "confirmation"),
    ("satisfaction", "success"),
)

#: (category, leaf, signal_type) of the phrase leaves, precomputed.
_PHRASE_SIGNALS: Final[tuple[tuple[str, str, str], ...]] = tuple(
    (category, leaf, f"interaction.{category}.{leaf}") for category, leaf in PHRASE_LEAVES
)

# --- our phrase lists --------------------------------------------------------
# Written in normalised form (lower case, ASCII apostrophes, no punctuation at
# token ends). They are short cores that occur inside longer user sentences.

_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "correction": (
        "i meant",
        "not what i asked",
        "not what i meant",
        "not what i wanted",
        "got it wrong",
        "is incorrect",
        "that's incorrect",
        "that is incorrect",
        "actually i wanted",
        "actually i want",
        "no i said",
        "i said",
        "misunderstood",
        "not right",
        "that's wrong",
        "that is wrong",
        "wrong it should",
        "the wrong",
        "i didn't ask",
        "i did not ask",
        "let me correct",
        "not that one",
        "you're mistaken",
        "you are mistaken",
        "correction",
        "i asked for",
    ),
    "rephrase": (
        "let me rephrase",
        "rephrase",
        "rephrasing",
        "in other words",
        "what i'm asking",
        "what i am asking",
        "put it another way",
        "another way",
        "let me try again",
        "say it differently",
        "put it differently",
        "ask again",
        "asking again",
        "once more",
        "to be clear",
        "what i mean is",
        "explain again",
        "put simply",
        "as i said",
        "restate",
        "let me restate",
        "to repeat",
    ),
    "clarification": (
        "don't understand",
        "do not understand",
        "dont understand",
        "what do you mean",
        "clarify",
        "confused",
        "confusing",
        "makes no sense",
        "make sense",
        "explain what",
        "could you explain",
        "sorry what",
        "not sure what you mean",
        "elaborate",
        "what does that mean",
        "do not follow",
        "don't follow",
        "huh",
        "i'm lost",
        "more specific",
        "unclear",
        "don't get it",
        "what are you talking about",
    ),
    "escalation": (
        "talk to a human",
        "speak to a human",
        "a real person",
        "human agent",
        "live agent",
        "real agent",
        "transfer me",
        "your manager",
        "supervisor",
        "connect me",
        "operator",
        "i want a human",
        "escalate",
        "someone in charge",
        "representative",
        "can a human",
        "speak to a person",
        "talk to a person",
        "human being",
        "customer support",
        "customer service",
    ),
    "quit": (
        "forget it",
        "give up",
        "never mind",
        "nevermind",
        "do it myself",
        "i'm done",
        "pointless",
        "i quit",
        "stop here",
        "forget about it",
        "i'm leaving",
        "i'm out",
        "don't bother",
        "on my own",
        "another tool",
        "use something else",
        "cancelling this",
        "cancel this",
        "bye",
        "goodbye",
    ),
    "negative_stance": (
        "ridiculous",
        "useless",
        "frustrating",
        "frustrated",
        "terrible",
        "waste of time",
        "annoyed",
        "annoying",
        "worst",
        "keep getting",
        "garbage",
        "even listening",
        "stupid",
        "i hate",
        "awful",
        "pathetic",
        "horrible",
        "disappointed",
        "fed up",
        "sucks",
    ),
    "gratitude": (
        "thanks",
        "thank you",
        "thank u",
        "thx",
        "thanx",
        "tysm",
        "ty",
        "appreciated",
        "appreciate it",
        "appreciate the",
        "i appreciate",
        "cheers",
        "many thanks",
        "grateful",
        "lifesaver",
        "kudos",
    ),
    "confirmation": (
        "that works",
        "that's correct",
        "that is correct",
        "perfect",
        "exactly what i needed",
        "looks good",
        "sounds good",
        "that's right",
        "that is right",
        "exactly",
        "that's it",
        "confirmed",
        "that's fine",
        "spot on",
        "go ahead",
        "correct",
        "that's what i wanted",
        "lgtm",
        "agreed",
        "yes please",
    ),
    "success": (
        "it worked",
        "that worked",
        "fixed it",
        "working now",
        "works now",
        "it works",
        "success",
        "successfully",
        "pass now",
        "passes now",
        "tests pass",
        "solved",
        "runs fine",
        "compiles now",
        "got it working",
        "did the trick",
        "like a charm",
        "error is gone",
        "all green",
        "resolved",
        "now it works",
    ),
}


def _status(codes: str) -> tuple[str, str]:
    """A status code next to a word that says it is one (``HTTP 429``, ``"code": 429``), or
    opening the text (``429 Too Many Requests``).

    A bare number elsewhere is too common in tool output ("500 results") to
    count. ``codes`` is an alternation of literal codes (no classes: the
    literal-run gate relies on it).
    """
    keyword = r"(?:status_code|status|code|http(?:/\d(?:\.\d)?)?|error)"
    return (
        rf"\b{keyword}\b[^a-z0-9]{{0,6}}(?:code[^a-z0-9]{{0,4}})?(?:{codes})\b",
        rf"^(?:{codes})\b",
    )


#: Auth failures in gRPC status words ("grpc status: UNAUTHENTICATED", "rpc code 16").
#: One regex with nested alternations, written as a real reference would write
#: it; the test fixture tree ``tests/fixtures/regex_src`` carries the same
#: pattern (and the port's Rust spelling of it), so a ``--dictionary`` campaign
#: can aim at each alternative. The planted ``lost_alternative`` variant drops
#: ``unauthenticated``, a word no lexicon of ours holds.
GRPC_AUTH: Final = (
    r"\b(?:grpc|rpc)[ _-]?(?:status|code)\s*[:=]?\s*"
    r"(?:7|16|unauthenticated|permission[ _]denied)\b"
)


# Observation rules: (leaf, alternatives). Text is lower-cased and whitespace
# collapsed first. Order is priority: the first leaf that matches wins, so an
# observation yields at most one failure and at most one exhaustion type.
_FAILURE_RULES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "tool_not_found",
        (
            r"\bunknown (?:tool|function|command|action|method)\b",
            r"\b(?:tool|function|command|method)\b[^.;\n]{0,40}?\b(?:not found|does not exist"
            r"|doesn't exist|not defined|not available|not registered|unavailable)\b",
            r"\bno such (?:tool|function|command|method)\b",
            r"\bis not defined\b",
            r"\bcommand not found\b",
            r"\b(?:tool|function)_not_found\b",
            r"\bhas no attribute\b",
            r"\binvalid (?:tool|function) name\b",
            r"\bno (?:tool|function) named\b",
        ),
    ),
    (
        "auth_misuse",
        (
            *_status("401|403"),
            GRPC_AUTH,
            r"\bunauthori[sz]ed\b",
            r"\bforbidden\b",
            r"\bpermission ?denied\b|\bpermissionerror\b",
            r"\baccess denied\b",
            r"\binvalid (?:api[ _-]?key|token|access token|credentials|authentication|auth)\b",
            r"\bauthentication ?(?:error|failed|required)\b",
            r"\b(?:token|api key|credentials?) (?:has |have |is )?(?:expired|revoked|invalid)\b",
            r"\bexpired (?:token|credentials)\b",
            r"\bauthorization header\b",
            r"\binsufficient (?:scope|permissions?|privileges)\b",
            r"\blogin required\b|\bnot logged in\b|\bnot authenticated\b",
        ),
    ),
    (
        "state_error",
        (
            *_status("409|412"),
            r"\bconflict\b",
            r"\balready (?:exists|running|started|closed|shipped|been|in progress|in use|locked"
            r"|initiali[sz]ed)\b",
            r"\bnot (?:yet )?initiali[sz]ed\b",
            r"\b(?:call|run|invoke) \S+ first\b",
            r"\bmust (?:call|be called|run|first|be initiali[sz]ed)\b",
            r"\bno (?:active |open )?(?:transaction|session)\b",
            r"\binvalid ?state\b|\binvalidstateerror\b|\binvalid_state\b|\billegalstateexception\b",
            r"\b(?:is|are|was) locked\b|\blocked by\b",
            r"\b(?:not allowed|invalid|not permitted) in (?:the )?current state\b",
            r"\bprecondition failed\b",
            r"\bsession (?:has )?(?:expired|closed|ended)\b",
            r"\bcannot \w+ (?:\S+ ){0,4}?(?:before|while|until)\b",
            r"\bcurrently (?:checked out|in use|running|busy)\b",
            r"\bout of order\b",
        ),
    ),
    (
        "invalid_args",
        (
            *_status("400|422"),
            r"\bmissing (?:required )?(?:argument|parameter|field|property|param)s?\b",
            r"\brequired (?:argument|parameter|property|field|param)s?\b",
            r"\bunexpected (?:keyword )?argument\b",
            r"\binvalid (?:argument|parameter|param|value|input|option|type)s?\b",
            r"\bvalidation ?(?:error|failed)\b",
            r"\bbad request\b",
            r"\bmust be (?:an? )?(?:positive |non-negative |valid )?(?:integer|int|string|number"
            r"|boolean|list|array|object|float)\b",
            r"\bexpected (?:type|an? (?:integer|string|number|boolean))\b",
            r"\btakes \d+ positional arguments?\b",
            r"\bwrong (?:number|type) of arguments?\b",
            r"\badditional propert(?:y|ies)\b",
        ),
    ),
    (
        "bad_query",
        (
            r"\bsyntax error\b",
            r"\bno (?:results?|matches|matching \w+|records|rows|documents|hits)\b",
            r"\b(?:returned|found|got) 0 (?:results|rows|records|hits|matches|documents|items)\b",
            r"\b0 (?:results|rows|records|hits|matches) (?:found|returned)\b",
            r"\b(?:empty|blank) (?:query|search|filter)\b",
            r"\bquery (?:must not be|cannot be|is|was) empty\b",
            r"\bno such (?:column|table|field|index|collection)\b",
            r"\b(?:invalid|malformed|bad) (?:query|filter|search|expression|sql)\b",
            r"\bfailed to parse (?:the )?(?:query|filter|expression)\b",
            r"\"(?:results|hits|items|rows)\" ?: ?\[ ?\]",
            r"\b(?:sql|query) error\b",
        ),
    ),
)

_TIMEOUT_ALTERNATIVES: Final[tuple[str, ...]] = (
    r"\btimed? ?out\b",
    r"timeout",
    r"\bdeadline(?: |_)exceeded\b",
    *_status("504"),
    r"\bgateway time-?out\b",
    r"\betimedout\b",
    r"\btook too long\b",
    r"\btime limit exceeded\b",
    r"\bran longer than\b",
)

_EXHAUSTION_RULES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "context_overflow",
        (
            r"\bcontext[ _-]?length",
            r"\bmaximum context\b",
            r"\bcontext (?:window|overflow|limit|size)\b",
            r"\btokens? limit\b|\bmax(?:imum)? tokens\b|\bmax_tokens\b",
            r"\btoo many tokens\b",
            r"\b(?:prompt|input|conversation|request|messages?) (?:is |are |was )?"
            r"too (?:long|large)\b",
            r"\breduce the length\b",
            r"\bexceeds the (?:context|maximum (?:context|length|number of tokens))\b",
        ),
    ),
    (
        "rate_limit",
        (
            *_status("429"),
            r"\btoo many requests\b",
            r"\brate[ _-]?limit",
            r"\bquota\b",
            r"\bthrottl",
            r"\bretry[ -]after\b",
            r"\bresource (?:has been )?exhausted\b|\bresource_exhausted\b",
            r"\busage (?:cap|limit) (?:reached|exceeded)\b",
            r"\bslow down\b",
        ),
    ),
    ("timeout", _TIMEOUT_ALTERNATIVES),
    (
        "network",
        (
            r"\bconnection (?:refused|reset|error|aborted|closed|failed|lost)\b",
            r"\bconnection(?:refused|reset)?error\b",
            r"\be(?:connrefused|connreset|notfound|hostunreach|netunreach|connaborted)\b",
            r"\bgetaddrinfo\b",
            r"\bcould not resolve\b|\bname resolution\b|\bname or service not known\b",
            r"\bdns\b",
            r"\bnetwork (?:is )?unreachable\b|\bnetwork error\b|\bhost unreachable\b",
            r"\bno route to host\b",
            r"\bsocket hang up\b",
            r"\bssl\b|\bcertificate verify failed\b|\btls handshake\b",
            r"\bmax retries exceeded\b",
            r"\bbroken pipe\b",
        ),
    ),
    (
        "malformed_response",
        (
            r"jsondecodeerror|\bjson decode error\b",
            r"\b(?:invalid|malformed|bad|broken) json\b|\bnot (?:a )?valid json\b",
            r"\bunexpected token\b",
            r"\bunexpected end of (?:json|input|data|file|stream)\b",
            r"\b(?:could not|couldn't|unable to|failed to|cannot) (?:parse|decode) (?:the )?"
            r"(?:response|reply|output|body|payload|result)",
            r"\bmalformed (?:response|reply|output|payload|data|body)\b",
            r"\b(?:response|reply|output|payload|body) (?:was |is )?truncated\b",
            r"\bunparse?able\b",
            r"\bexpected (?:a )?json\b",
            r"\beof while parsing\b",
            r"\bdecod(?:e|ing) error\b",
            r"\bempty response\b",
            r"\bexpecting value\b",
        ),
    ),
    (
        "api_error",
        (
            *_status("500|501|502|503|505|507|508|511|529"),
            r"\binternal (?:server )?error\b|\binternalservererror\b|\binternal_error\b",
            r"\bbad gateway\b",
            r"\bservice (?:is )?(?:temporarily )?unavailable\b|\btemporarily unavailable\b",
            r"\bupstream (?:server|service|error|returned|connect error)\b",
            r"\bserver (?:encountered|had an error|error)\b",
            r"\bapi ?error\b",
            r"\boverloaded\b",
            r"\bwent wrong on our end\b",
        ),
    ),
)

# --- normalisation tables ----------------------------------------------------

_TYPOGRAPHIC: Final[dict[int, str]] = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
    }
)

#: Stripped from both ends of every token.
_PUNCT: Final[str] = string.punctuation + "\u00a1\u00bf\u00ab\u00bb\u2039\u203a"

#: Matches the head of ``name(...)`` call syntax.
_CALL_HEAD: Final[re.Pattern[str]] = re.compile(r"([A-Za-z_][\w.\-]*)\s*\(")

_FUZZY_MIN_LEN: Final = 5
_FUZZY_CACHE_MAX: Final = 50_000
_SNIPPET_CHARS: Final = 120

# Confidence of each kind of evidence. Kept to a few distinct values; they are
# Tier C (information only) for the fuzzer.
_CONF_EXACT: Final = 0.95
_CONF_FUZZY: Final = 0.75
_CONF_EXCLAIM: Final = 0.65
_CONF_CAPS: Final = 0.7
_CONF_OBSERVATION: Final = 0.9
_CONF_LOOP: Final = 0.85
_CONF_DRAGGING: Final = 0.8

#: Token-set (Jaccard) similarity at or above which a reply repeats an earlier one.
_REPETITION_SIMILARITY: Final = 0.8

# Quality score steps (integers, so exact bucket boundaries are reachable).
_START_SCORE: Final = 50
_SATISFACTION_GAIN: Final = 10
_DISENGAGEMENT_LOSS: Final = 10
_MISALIGNMENT_WEIGHT: Final = 20
_STAGNATION_LOSS: Final = 10
_EXECUTION_LOSS: Final = 5


# --- report types ------------------------------------------------------------


class SignalInstance(NamedTuple):
    """One fired signal: which leaf, where, and the evidence."""

    signal_type: str
    message_index: int
    snippet: str
    confidence: float
    metadata: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The contract's per-signal dict."""
        return {
            "signal_type": self.signal_type,
            "message_index": self.message_index,
            "snippet": self.snippet,
            "confidence": self.confidence,
            "metadata": dict(self.metadata),
        }


def severity_of(count: int) -> int:
    """Contract severity: 0 for none, 1 for 1–2, 2 for 3–4, 3 for 5 or more."""
    if count <= 0:
        return 0
    if count <= 2:
        return 1
    if count <= 4:
        return 2
    return 3


class ExampleReport(NamedTuple):
    """What ``ExampleAnalyzer.analyze`` returns; ``to_dict`` gives the contract's dict."""

    signals: dict[str, tuple[SignalInstance, ...]]  # category -> instances
    overall_quality: str
    quality_score: int
    total_turns: int
    user_turns: int
    assistant_turns: int
    efficiency_score: float
    summary: str

    def count_of(self, signal_type: str) -> int:
        """How many instances of one leaf type fired (handy in tests)."""
        category = signal_type.split(".")[1] if signal_type.count(".") == 2 else ""
        return sum(1 for s in self.signals.get(category, ()) if s.signal_type == signal_type)

    def to_dict(self) -> dict[str, Any]:
        """The report dict of the contract plus the Python-side extras.

        Extras (``quality_score``, ``turn_metrics``) are what the reference
        carries and the port omits; the fuzzer reports them as Tier C.
        """
        out: dict[str, Any] = {}
        for layer, categories in LAYOUT.items():
            groups: dict[str, Any] = {}
            for category in categories:
                instances = self.signals.get(category, ())
                groups[category] = {
                    "category": category,
                    "count": len(instances),
                    "severity": severity_of(len(instances)),
                    "signals": [s.to_dict() for s in instances],
                }
            out[LAYER_KEYS[layer]] = groups
        out["overall_quality"] = self.overall_quality
        out["summary"] = self.summary
        out["quality_score"] = self.quality_score
        out["turn_metrics"] = {
            "total_turns": self.total_turns,
            "user_turns": self.user_turns,
            "assistant_turns": self.assistant_turns,
            "efficiency_score": self.efficiency_score,
        }
        return out


# --- internal helpers --------------------------------------------------------


class _Call(NamedTuple):
    """A parsed ``function_call`` row."""

    message_index: int
    name: str
    args: Hashable
    snippet: str


class _Tables(NamedTuple):
    """Everything precomputed from the hooks, once per analyzer class."""

    by_first: dict[str, tuple[tuple[str, tuple[str, ...], frozenset[str], str], ...]]
    vocab: frozenset[str]
    fuzzy_keys: dict[str, frozenset[str]]
    fuzzy_max_len: int
    rules: tuple[_Rule, ...]  # failure rules then exhaustion rules, in priority order
    run_index: dict[str, tuple[int, ...]]  # literal run -> positions in ``rules`` it gates
    ungated: frozenset[int]  # rules without a literal gate: always tried
    fuzzy_cache: dict[str, tuple[str, ...]]  # token -> fuzzy neighbours, bounded
    call_head: re.Pattern[str]  # ``name(`` of call syntax, as the regex hooks have it


_TABLES: dict[type, _Tables] = {}


class _Searcher(Protocol):
    """What a rule needs of its pattern: ``search``."""

    def search(self, string: str) -> re.Match[str] | None: ...


class _LazyPattern:
    """A pattern compiled on its first ``search``."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    def search(self, string: str) -> re.Match[str] | None:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled.search(string)


#: One observation-rule alternative: group (0 failure, 1 exhaustion), leaf, pattern.
_Rule = tuple[int, str, _Searcher]


def _literal_runs(pattern: str) -> frozenset[str]:
    """Literal runs (3+ characters) of a rule pattern; every match contains one of them.

    Used as a cheap gate: a rule's regex runs only if the text contains one
    of its runs as a substring, which keeps scanning observations fast.
    Escapes, character classes and quantified characters are dropped, so
    what is left is text a match must spell out. Sound for the rule
    patterns in this module, each of which has such a run on every path.
    """
    text = re.sub(r"\\.", " ", pattern)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r".[?*+]|\{\d*,?\d*\}", " ", text)
    runs = set(re.findall(r"[a-z0-9_']{3,}", text))
    # A run containing another run adds nothing to an any-of gate.
    return frozenset(r for r in runs if not any(o != r and o in r for o in runs))


def _rewrite_classes(
    pattern: str, *, space: str | None, word: str | None, boundary: str | None
) -> str:
    """``pattern`` with ``\\s``/``\\w`` (and ``\\S``/``\\W`` outside classes) replaced by
    the given class bodies, and ``\\b`` by look-arounds over the ``boundary`` word class
    (each ``None``: left as written).

    How a variant makes ``re`` match the way another regex engine defines those
    classes. Escapes are read in pairs, so ``\\\\s`` stays a backslash and an ``s``.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            pair = pattern[i : i + 2]
            letter = pattern[i + 1]
            body = {"s": space, "w": word, "S": space, "W": word}.get(letter)
            if body is not None and (letter.islower() or not in_class):
                negated = "^" if letter.isupper() else ""
                out.append(body if in_class else f"[{negated}{body}]")
            elif letter == "b" and not in_class and boundary is not None:
                wc = f"[{boundary}]"
                out.append(f"(?:(?<={wc})(?!{wc})|(?<!{wc})(?={wc}))")
            else:
                out.append(pair)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":  # a leading ] is a member
                out.append("]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _deletions(token: str) -> Iterable[str]:
    """Every string one character shorter than ``token`` (symmetric-delete fuzzy index)."""
    return (token[:i] + token[i + 1 :] for i in range(len(token)))


def _number_key(value: int | float) -> Hashable:
    """Python's number equality: ``1 == 1.0``; NaN equals NaN so a retried NaN is a retry."""
    if isinstance(value, float):
        if value != value:
            return ("nan",)
        if value.is_integer():
            return ("n", int(value))
    return ("n", value)


def _canonical(value: Any, number_key: Callable[[int | float], Hashable] = _number_key) -> Hashable:
    """A hashable form of parsed JSON in which equal JSON values are equal.

    Object key order does not matter; numbers compare through ``number_key``
    (by default ``1`` and ``1.0`` are the same number); ``true`` is not ``1``.
    """
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return number_key(value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, dict):
        return (
            "o",
            tuple(sorted((str(k), _canonical(v, number_key)) for k, v in value.items())),
        )
    if isinstance(value, list):
        return ("a", tuple(_canonical(v, number_key) for v in value))
    return ("z",)


def _locate(
    cands: Sequence[tuple[tuple[str, ...], bool]], n: int, ptokens: tuple[str, ...]
) -> bool | None:
    """Whether the phrase occurs in the candidate sequence: ``None`` if not, else
    whether its best occurrence is exact (every word matched exactly)."""
    best: bool | None = None
    m = len(ptokens)
    for i in range(n - m + 1):
        exact = True
        for k in range(m):
            words, hit_exact = cands[i + k]
            if ptokens[k] not in words:
                break
            exact = exact and hit_exact
        else:
            if exact:
                return True
            best = False
    return best


def _to_text(value: Any) -> str:
    """Any message value as text: ``None`` is empty, JSON-able values become JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        try:
            return str(value)
        except Exception:  # a pathological __str__; never let it reach the caller
            return ""


# --- the analyzer ------------------------------------------------------------


class ExampleAnalyzer:
    """The faithful example analyzer. Subclass and override one hook to plant a bug."""

    # ----- hooks: constants --------------------------------------------------

    def window_size(self) -> int:
        """Only the last this-many messages are analysed."""
        return 100

    def max_text_chars(self) -> int:
        """``human``/``gpt`` texts longer than this are shortened."""
        return 2000

    def retry_threshold(self) -> int:
        """Identical consecutive calls needed for a retry loop."""
        return 3

    def baseline_turns(self) -> int:
        """User turns a conversation is expected to need."""
        return 5

    # ----- hooks: text -------------------------------------------------------

    def truncate(self, text: str) -> str:
        """Shorten a long text to its first and last halves (in code points)."""
        limit = self.max_text_chars()
        if len(text) <= limit:
            return text
        half = limit // 2
        return text[:half] + " " + text[-half:]

    def lowercase(self, text: str) -> str:
        """Full Unicode lower-casing."""
        return text.lower()

    def split_whitespace(self, text: str) -> list[str]:
        """Split on whitespace as Python's ``str.split()`` defines it."""
        return text.split()

    def tokenize(self, text: str) -> list[str]:
        """Normalised tokens: typographic marks to ASCII, lower case, end punctuation off."""
        lowered = self.lowercase(text.translate(_TYPOGRAPHIC))
        return [token for raw in self.split_whitespace(lowered) if (token := raw.strip(_PUNCT))]

    def strip(self, text: str) -> str:
        """Whitespace off both ends, as Python's ``str.strip()`` defines whitespace."""
        return text.strip()

    def uppercase(self, text: str) -> str:
        """Full Unicode upper-casing (Python's tables)."""
        return text.upper()

    def is_alpha(self, char: str) -> bool:
        """Whether one character is a letter, as Python's ``str.isalpha`` says."""
        return char.isalpha()

    def clip(self, text: str) -> str:
        """A snippet: the first characters of a text (code points)."""
        return text[:_SNIPPET_CHARS]

    def at_least(self, value: float, threshold: float) -> bool:
        """``value >= threshold`` in ``float`` (64-bit) arithmetic."""
        return value >= threshold

    def case_fold(self, text: str) -> str:
        """Observation text as the lower-case rules see it: lower-cased (``lowercase``)."""
        return self.lowercase(text)

    def normalize_text(self, text: str) -> str:
        """The normalised text: tokens joined by single spaces."""
        return " ".join(self.tokenize(text))

    def phrases_for(self, leaf: str) -> tuple[str, ...]:
        """Trigger phrases of a phrase-driven interaction leaf."""
        return _PHRASES.get(leaf, ())

    # ----- hooks: tool traces ------------------------------------------------

    def split_call_syntax(self, text: str) -> tuple[str, str] | None:
        """``name(args)`` -> ``(name, args)``; ``None`` when the text is not in that form."""
        head = self._tables.call_head.match(text)
        if head is None or not text.endswith(")"):
            return None
        return head.group(1), text[head.end() : -1]

    def args_key(self, args: Any) -> Hashable:
        """Equality key of parsed JSON arguments: equal values, equal keys."""
        return _canonical(args, self.number_key)

    def number_key(self, value: int | float) -> Hashable:
        """Equality key of one JSON number in arguments: Python's ``==`` (``1 == 1.0``)."""
        return _number_key(value)

    def argument_key(self, args: Any) -> Hashable:
        """Equality key of a call's arguments as found: strings compare as raw text
        (the contract), parsed values through ``args_key``."""
        if args is None:
            return ("none",)
        if isinstance(args, str):
            return ("raw", args)
        try:
            return self.args_key(args)
        except RecursionError:
            return ("deep",)

    def parse_json(self, text: str) -> Any:
        """Python's ``json.loads``; ``ValueError`` or ``RecursionError`` when it refuses."""
        return json.loads(text)

    def regex_space(self) -> str | None:
        """What ``\\s`` in rule patterns becomes (a class body), or ``None``: as written."""
        return None

    def regex_word(self) -> str | None:
        """What ``\\w`` in rule patterns becomes (a class body), or ``None``: as written."""
        return None

    def regex_boundary(self) -> str | None:
        """The word class (a class body) ``\\b`` is judged by, or ``None``: ``re``'s ``\\b``."""
        return None

    def failure_rules(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Failure leaves and their wordings, in priority order."""
        return _FAILURE_RULES

    def exhaustion_rules(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Exhaustion leaves and their wordings, in priority order."""
        return _EXHAUSTION_RULES

    def attributed_call(self, calls: Sequence[_Call]) -> _Call | None:
        """The call an observation belongs to: the most recent earlier one, if any."""
        return calls[-1] if calls else None

    def exhaustion_index(self, observation_index: int, call: _Call | None) -> int:
        """Where an exhaustion signal points: at the observation that reported it."""
        return observation_index

    # ----- hooks: quality ----------------------------------------------------

    def bucket(self, score: int) -> str:
        """Quality bucket of a score (severe is decided before scoring)."""
        if score >= 75:
            return "excellent"
        if score >= 60:
            return "good"
        if score >= 40:
            return "neutral"
        return "poor"

    # ----- tables ------------------------------------------------------------

    @property
    def _tables(self) -> _Tables:
        tables = _TABLES.get(type(self))
        if tables is None:
            tables = _TABLES[type(self)] = self._build_tables()
        return tables

    def _build_tables(self) -> _Tables:
        """Normalise the phrase lists and compile the observation rules (once per class)."""
        by_first: dict[str, list[tuple[str, tuple[str, ...], frozenset[str], str]]] = {}
        vocab: set[str] = set()
        for _category, leaf in PHRASE_LEAVES:
            for phrase in self.phrases_for(leaf):
                tokens = tuple(self.tokenize(phrase))
                if not tokens:
                    continue
                by_first.setdefault(tokens[0], []).append((leaf, tokens, frozenset(tokens), phrase))
                vocab.update(tokens)
        fuzzy: dict[str, set[str]] = {}
        for word in vocab:
            if len(word) >= _FUZZY_MIN_LEN:
                fuzzy.setdefault(word, set()).add(word)
                for key in _deletions(word):
                    fuzzy.setdefault(key, set()).add(word)

        space, word_class, boundary = self.regex_space(), self.regex_word(), self.regex_boundary()
        as_written = space is None and word_class is None and boundary is None

        def rewrite(pattern: str) -> str:
            if as_written:
                return pattern
            return _rewrite_classes(pattern, space=space, word=word_class, boundary=boundary)

        def compile_rule(pattern: str) -> _Searcher:
            if as_written:
                return re.compile(pattern)
            # Rewritten rules carry classes of thousands of ranges (tens of ms to
            # compile each): compiled when the literal-run gate first lets one run.
            return _LazyPattern(rewrite(pattern))

        rules: list[_Rule] = []
        run_index: dict[str, list[int]] = {}
        ungated: set[int] = set()
        for group, leaf_rules in enumerate((self.failure_rules(), self.exhaustion_rules())):
            for leaf, alternatives in leaf_rules:
                for alternative in alternatives:
                    position = len(rules)
                    rules.append((group, leaf, compile_rule(alternative)))
                    runs = _literal_runs(alternative)
                    if not runs:
                        ungated.add(position)
                    for run in runs:
                        run_index.setdefault(run, []).append(position)
        return _Tables(
            by_first={k: tuple(v) for k, v in by_first.items()},
            vocab=frozenset(vocab),
            fuzzy_keys={k: frozenset(v) for k, v in fuzzy.items()},
            fuzzy_max_len=max((len(w) for w in vocab), default=0) + 1,
            rules=tuple(rules),
            run_index={run: tuple(positions) for run, positions in sorted(run_index.items())},
            ungated=frozenset(ungated),
            fuzzy_cache={},
            call_head=re.compile(rewrite(_CALL_HEAD.pattern)),
        )

    # ----- matching ----------------------------------------------------------

    def _candidates(self, tables: _Tables, token: str) -> tuple[tuple[str, ...], bool]:
        """Phrase words a message token stands for, and whether it is an exact hit.

        Fuzzy: words of 5+ characters within one edit (symmetric delete).
        """
        if token in tables.vocab:
            return (token,), True
        if not _FUZZY_MIN_LEN <= len(token) <= tables.fuzzy_max_len:
            return (), False
        cache = tables.fuzzy_cache
        hit = cache.get(token)
        if hit is None:
            keys = tables.fuzzy_keys
            found: set[str] = set(keys.get(token, ()))
            for key in _deletions(token):
                found.update(keys.get(key, ()))
            hit = tuple(sorted(found))
            if len(cache) >= _FUZZY_CACHE_MAX:
                cache.clear()
            cache[token] = hit
        return hit, False

    def match_phrases(self, tokens: Sequence[str]) -> dict[str, tuple[str, bool]]:
        """For each phrase leaf found in ``tokens``: (phrase, exact?), exact preferred.

        A phrase is located only if every one of its words is among the
        words the message stands for, which skips almost all phrases cheaply.
        """
        tables = self._tables
        candidates = self._candidates
        cands = [candidates(tables, t) for t in tokens]
        present: set[str] = set()
        for words, _exact in cands:
            present.update(words)
        found: dict[str, tuple[str, bool]] = {}
        if not present:
            return found
        n = len(tokens)
        by_first = tables.by_first
        tried: set[str] = set()
        for words, _exact in cands:
            for word in words:
                if word in tried:
                    continue
                tried.add(word)
                for leaf, ptokens, needed, phrase in by_first.get(word, ()):
                    previous = found.get(leaf)
                    if (previous is not None and previous[1]) or not needed <= present:
                        continue
                    exact = _locate(cands, n, ptokens)
                    if exact is not None and (previous is None or exact):
                        found[leaf] = (phrase, exact)
        return found

    def shouting(self, text: str) -> bool:
        """Three ALL-CAPS words in a row (each with 2+ letters that lower-casing changes)."""
        run = 0
        for raw in self.split_whitespace(text):
            core = raw.strip(_PUNCT)
            if (
                self.uppercase(core) == core
                and self.lowercase(core) != core
                and sum(map(self.is_alpha, core)) >= 2
            ):
                run += 1
                if run >= 3:
                    return True
            else:
                run = 0
        return False

    def classify_observation(self, text: str) -> tuple[tuple[str, str] | None, ...]:
        """(failure leaf, matched text) and (exhaustion leaf, matched text), each or ``None``."""
        tables = self._tables
        prepared = self.case_fold(" ".join(self.split_whitespace(text.translate(_TYPOGRAPHIC))))
        live = set(tables.ungated)
        run_index = tables.run_index
        for run in filter(prepared.__contains__, run_index):  # the scan runs in C
            live.update(run_index[run])
        chosen: list[tuple[str, str] | None] = [None, None]
        for position in sorted(live):  # positions are in priority order
            group, leaf, pattern = tables.rules[position]
            if chosen[group] is None:
                found = pattern.search(prepared)
                if found is not None:
                    chosen[group] = (leaf, found.group(0))
                    if None not in chosen:
                        break
        return tuple(chosen)

    def parse_call(self, value: str) -> tuple[str, Hashable]:
        """A ``function_call`` value as (tool name, argument key)."""
        text = self.strip(value)
        if text.startswith("{"):
            try:
                obj = self.parse_json(text)
            except (ValueError, RecursionError):
                obj = None
            if isinstance(obj, dict):
                name = obj.get("name", obj.get("function"))
                if isinstance(name, str):
                    args = obj.get("arguments", obj.get("args"))
                    return name, self.argument_key(args)
        split = self.split_call_syntax(text)
        if split is not None:
            name, arg_text = split
            try:
                parsed = self.parse_json(arg_text)
            except (ValueError, RecursionError):
                return name, ("raw", arg_text.strip())
            return name, self.argument_key(parsed)
        return text, ("none",)

    # ----- the analysis ------------------------------------------------------

    def analyze(self, messages: Sequence[Any]) -> ExampleReport:
        """Analyse a ShareGPT conversation; never raises on lists of odd dicts."""
        msgs = list(messages)
        start = max(0, len(msgs) - self.window_size())
        found: dict[str, list[SignalInstance]] = {cat: [] for _, cat in CATEGORIES}
        user_turns = assistant_turns = 0
        dragging_fired = False
        calls: list[_Call] = []
        recent_gpt: list[tuple[int, frozenset[str]]] = []
        baseline = self.baseline_turns()

        for index in range(start, len(msgs)):
            message = msgs[index]
            if isinstance(message, dict):
                role = message.get("from")
                value = _to_text(message.get("value"))
            else:
                role, value = None, ""
            if role == "human":
                user_turns += 1
                if value:
                    self._scan_human(index, value, found)
                if not dragging_fired and baseline / user_turns < 0.5:
                    dragging_fired = True
                    found["stagnation"].append(
                        SignalInstance(
                            "interaction.stagnation.dragging",
                            index,
                            self.clip(value),
                            _CONF_DRAGGING,
                            {
                                "total_turns": user_turns,
                                "efficiency_score": baseline / user_turns,
                                "baseline": baseline,
                            },
                        )
                    )
            elif role == "gpt":
                assistant_turns += 1
                if value:
                    self._scan_gpt(index, value, recent_gpt, found)
            elif role == "function_call":
                name, args = self.parse_call(value)
                calls.append(_Call(index, name, args, self.clip(value)))
            elif role == "observation" and value:
                self._scan_observation(index, value, calls, found)

        self._find_loops(calls, found["loops"])

        ordered: dict[str, tuple[SignalInstance, ...]] = {
            cat: tuple(sorted(items, key=lambda s: (s.message_index, s.signal_type)))
            for cat, items in found.items()
        }
        efficiency = 1.0 if user_turns <= baseline else baseline / user_turns
        score = self._score(ordered, user_turns)
        severe = any(
            s.signal_type.endswith((".escalation", ".quit")) for s in ordered["disengagement"]
        )
        quality = "severe" if severe else self.bucket(score)
        total = len(msgs) - start
        return ExampleReport(
            signals=ordered,
            overall_quality=quality,
            quality_score=score,
            total_turns=total,
            user_turns=user_turns,
            assistant_turns=assistant_turns,
            efficiency_score=efficiency,
            summary=self._summary(ordered, quality, score, total, user_turns, efficiency),
        )

    def _scan_human(self, index: int, value: str, found: dict[str, list[SignalInstance]]) -> None:
        """Phrase leaves (and shouting / "!!!") of one non-empty user turn."""
        text = self.truncate(value)
        translated = text.translate(_TYPOGRAPHIC)
        tokens = self.tokenize(translated)  # translating twice is harmless: idempotent
        matches = self.match_phrases(tokens)
        snippet = self.clip(text)
        for category, leaf, signal_type in _PHRASE_SIGNALS:
            hit = matches.get(leaf)
            if hit is not None:
                phrase, exact = hit
                found[category].append(
                    SignalInstance(
                        signal_type,
                        index,
                        snippet,
                        _CONF_EXACT if exact else _CONF_FUZZY,
                        {"pattern_type": "exact" if exact else "fuzzy", "matched": phrase},
                    )
                )
            elif leaf == "negative_stance":
                if "!!!" in text:
                    indicator, confidence = "exclamation", _CONF_EXCLAIM
                elif sum(map(str.isupper, translated)) >= 3 and self.shouting(translated):
                    indicator, confidence = "all_caps", _CONF_CAPS
                else:
                    continue
                found[category].append(
                    SignalInstance(
                        signal_type, index, snippet, confidence, {"indicator_type": indicator}
                    )
                )

    def _scan_gpt(
        self,
        index: int,
        value: str,
        recent: list[tuple[int, frozenset[str]]],
        found: dict[str, list[SignalInstance]],
    ) -> None:
        """Repetition: this reply against the previous two non-empty replies."""
        text = self.truncate(value)
        tokens = self.tokenize(text)
        words = frozenset(tokens)
        if len(tokens) >= 5:
            for earlier_index, earlier in reversed(recent):
                union = len(words | earlier)
                similarity = len(words & earlier) / union if union else 0.0
                if self.at_least(similarity, _REPETITION_SIMILARITY):
                    found["stagnation"].append(
                        SignalInstance(
                            "interaction.stagnation.repetition",
                            index,
                            self.clip(text),
                            round(similarity, 4),
                            {"compared_to": earlier_index, "similarity": round(similarity, 4)},
                        )
                    )
                    break
        recent.append((index, words))
        if len(recent) > 2:
            del recent[0]

    def _scan_observation(
        self,
        index: int,
        value: str,
        calls: Sequence[_Call],
        found: dict[str, list[SignalInstance]],
    ) -> None:
        """At most one failure and one exhaustion signal for one tool result."""
        failure, exhaustion = self.classify_observation(value)
        if failure is None and exhaustion is None:
            return
        call = self.attributed_call(calls)
        base: dict[str, Any] = {
            "tool_name": call.name if call is not None else None,
            "call_index": call.message_index if call is not None else None,
        }
        snippet = self.clip(value)
        if failure is not None:
            leaf, matched = failure
            found["failure"].append(
                SignalInstance(
                    f"execution.failure.{leaf}",
                    index,
                    snippet,
                    _CONF_OBSERVATION,
                    {**base, "error_type": leaf, "matched": matched},
                )
            )
        if exhaustion is not None:
            leaf, matched = exhaustion
            found["exhaustion"].append(
                SignalInstance(
                    f"environment.exhaustion.{leaf}",
                    self.exhaustion_index(index, call),
                    snippet,
                    _CONF_OBSERVATION,
                    {**base, "exhaustion_type": leaf, "matched": matched},
                )
            )

    def _find_loops(self, calls: Sequence[_Call], out: list[SignalInstance]) -> None:
        """Retry, parameter drift and oscillation over the ``function_call`` rows."""
        n = len(calls)
        if n < 3:
            return

        def emit(loop_type: str, first: int, last: int, tools: list[str]) -> None:
            out.append(
                SignalInstance(
                    f"execution.loops.{loop_type}",
                    calls[first].message_index,
                    calls[first].snippet,
                    _CONF_LOOP,
                    {
                        "loop_type": loop_type,
                        "tool_name": tools[0] if len(tools) == 1 else None,
                        "tools": tools,
                        "start_index": calls[first].message_index,
                        "end_index": calls[last].message_index,
                        "call_count": last - first + 1,
                    },
                )
            )

        threshold = self.retry_threshold()
        i = 0
        while i < n:  # maximal runs of one tool name
            j = i
            while j + 1 < n and calls[j + 1].name == calls[i].name:
                j += 1
            # retries: stretches of equal arguments inside the run
            k = i
            while k <= j:
                m = k
                while m + 1 <= j and calls[m + 1].args == calls[k].args:
                    m += 1
                if m - k + 1 >= threshold:
                    emit("retry", k, m, [calls[k].name])
                k = m + 1
            # drift: stretches where every call changes the arguments
            k = i
            while k <= j:
                m = k
                while m + 1 <= j and calls[m + 1].args != calls[m].args:
                    m += 1
                if m - k + 1 >= 3:
                    emit("parameter_drift", k, m, [calls[k].name])
                k = m + 1
            i = j + 1

        names = [c.name for c in calls]
        i = 0
        while i < n:
            advanced = False
            for period in (2, 3, 4):
                if i + 3 * period > n:
                    break
                pattern = names[i : i + period]
                if len(set(pattern)) < 2:
                    continue
                end = i + period
                repeats = 1
                while names[end : end + period] == pattern:
                    repeats += 1
                    end += period
                if repeats >= 3:
                    emit("oscillation", i, end - 1, sorted(set(pattern)))
                    i = end
                    advanced = True
                    break
            if not advanced:
                i += 1

    def _score(self, signals: dict[str, tuple[SignalInstance, ...]], user_turns: int) -> int:
        """Integer quality score, clamped to 0..100."""
        score = _START_SCORE
        score += _SATISFACTION_GAIN * len(signals["satisfaction"])
        score -= _DISENGAGEMENT_LOSS * len(signals["disengagement"])
        score -= (_MISALIGNMENT_WEIGHT * len(signals["misalignment"])) // max(1, user_turns)
        score -= _STAGNATION_LOSS * len(signals["stagnation"])
        score -= _EXECUTION_LOSS * (
            len(signals["failure"]) + len(signals["loops"]) + len(signals["exhaustion"])
        )
        return max(0, min(100, score))

    def _summary(
        self,
        signals: dict[str, tuple[SignalInstance, ...]],
        quality: str,
        score: int,
        total: int,
        user_turns: int,
        efficiency: float,
    ) -> str:
        parts = [
            f"Overall Quality: {quality} (score {score})",
            f"Turns: {total} total, {user_turns} user, efficiency {efficiency:.2f}",
        ]
        for layer, categories in LAYOUT.items():
            counts = ", ".join(
                f"{cat} {len(signals[cat])} (sev {severity_of(len(signals[cat]))})"
                for cat in categories
            )
            parts.append(f"{layer.capitalize()} \u2014 {counts}")
        alerts = []
        kinds = {s.signal_type.rsplit(".", 1)[1] for s in signals["disengagement"]}
        if "escalation" in kinds:
            alerts.append("user asked for a human")
        if "quit" in kinds:
            alerts.append("user gave up")
        if signals["loops"]:
            alerts.append("agent is looping")
        if signals["exhaustion"]:
            alerts.append("environment exhausted")
        if alerts:
            parts.append("Alerts: " + "; ".join(alerts))
        return " | ".join(parts)
