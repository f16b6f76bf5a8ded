"""Trigger lexicons: for every leaf type, wordings that should fire it and near misses.

Written by us for this project. Matchers in the analyzers are fuzzy, so the
near misses (typos, inflections, partial phrases) sit on the boundary of a
match, which is exactly where two implementations disagree.

Roles: interaction triggers are ``human`` text; failure and exhaustion
triggers are ``observation`` text (a tool's reply after a ``function_call``).

Structural leaves have no trigger wording, because no text fires them:

- ``dragging`` fires on the number of user turns (more than twice the
  baseline of 5), whatever they say; ``USER_FILLER_TURNS`` holds neutral
  user turns to pad a conversation with.
- ``repetition`` fires when an assistant reply of 5+ tokens nearly repeats
  one of the two before it; ``ASSISTANT_REPLIES`` holds replies to repeat,
  and ``repetition``'s near misses are replies that differ by a few words.
- ``retry``, ``parameter_drift`` and ``oscillation`` fire on the sequence of
  ``function_call`` rows; ``TOOL_NAMES`` and ``ARGUMENT_SHAPES`` give what
  to call, including argument pairs that are equal as JSON values but
  spelled differently (the hazard ports get wrong).

Their ``Lexicon`` has empty ``triggers`` and says so in ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from strategies.signal_types import LEAF_TYPES


@attrs.frozen
class Lexicon:
    """Wordings for one leaf type.

    ``triggers`` should fire the leaf on a faithful analyzer; ``near_misses``
    are close to a trigger and may or may not fire, on purpose. ``notes``
    explains leaves that are structural (no trigger wording).
    """

    signal_type: str
    triggers: tuple[str, ...]
    near_misses: tuple[str, ...] = ()
    notes: str = ""


_WORDINGS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    # ----- interaction: misalignment ---------------------------------------
    "interaction.misalignment.correction": (
        (
            "No, I meant the second file, not the first one.",
            "That's not what I asked for.",
            "You got it wrong, the date is in March.",
            "That is incorrect; the limit is 20.",
            "Actually, I wanted Python, not JavaScript.",
            "No no, I said the blue one.",
            "You misunderstood me.",
            "That's not right at all.",
            "Wrong, it should be ascending order.",
            "I didn't ask for a summary.",
            "Let me correct you: the port is 8080.",
            "Not that one, the other one.",
            "You're mistaken about the version.",
            "That's not what I meant.",
            "Correction: the meeting is on Friday.",
            "No, that's the wrong table.",
            "I asked for the total, not the average.",
        ),
        (
            "I mean, it is fine.",
            "not what I expected, but fine",
            "That's not quite how I'd put it.",
            "it's wrongly labelled in the docs",
            "I'll correct it myself later",
            "Did I mean that? Maybe.",
            "you got it",
            "no, nothing else",
        ),
    ),
    "interaction.misalignment.rephrase": (
        (
            "Let me rephrase that.",
            "In other words, I need a list of names.",
            "What I'm asking is how to sort the list.",
            "To put it another way, can you shorten it?",
            "Let me try again: find the cheapest flight.",
            "Let me say it differently.",
            "Asking again: I need the file renamed.",
            "I'll ask again: where is the config?",
            "Once more: what is the deadline?",
            "Let me put it differently.",
            "To be clear, I want only the headers.",
            "What I mean is that the output is too long.",
            "Rephrasing my question: how do I log in?",
            "Let me explain again.",
            "Put simply, I need the total.",
            "As I said before, use UTC.",
            "Let me restate the request.",
        ),
        (
            "other words would be nicer",
            "let me phrase this carefully",
            "I'll try it again tomorrow",
            "once I'm done with lunch",
            "it's clear now",
            "the way I put it was fine",
            "as you said",
        ),
    ),
    "interaction.misalignment.clarification": (
        (
            "I don't understand.",
            "What do you mean by that?",
            "Can you clarify the second step?",
            "I'm confused about the output.",
            "That makes no sense to me.",
            "Could you explain what this does?",
            "Sorry, what?",
            "I'm not sure what you mean.",
            "Can you elaborate on option B?",
            "What does that mean?",
            "I do not follow.",
            "Huh? Which file?",
            "I'm lost.",
            "Could you be more specific?",
            "Unclear \u2014 which version should I use?",
            "I don't get it.",
            "What are you talking about?",
        ),
        (
            "I understand now",
            "what you mean is clear",
            "the spec is clear",
            "I got it",
            "I follow the instructions",
            "it makes sense",
            "explained well",
        ),
    ),
    # ----- interaction: disengagement ---------------------------------------
    "interaction.disengagement.escalation": (
        (
            "I want to talk to a human.",
            "Let me speak to a real person.",
            "Can I get a human agent?",
            "Transfer me to customer support.",
            "I need to speak with your manager.",
            "Get me a supervisor.",
            "Connect me with a live agent.",
            "Is there a real person I can talk to?",
            "Put me through to an operator.",
            "I want a human, not a bot.",
            "Escalate this ticket, please.",
            "Let me talk to someone in charge.",
            "I'd like to file a complaint with a representative.",
            "Can a human take over?",
            "I demand to speak to a person.",
            "Hand me off to a real agent.",
        ),
        (
            "humans are complicated",
            "the manager class is broken",
            "the personal plan is fine",
            "talk to you later",
            "I'm a real personality",
            "agents and tools",
            "speak freely",
        ),
    ),
    "interaction.disengagement.quit": (
        (
            "Forget it.",
            "I give up.",
            "Never mind, I'll do it myself.",
            "I'm done here.",
            "This is pointless, goodbye.",
            "I quit.",
            "Let's stop here.",
            "Forget about it, I'm leaving.",
            "I'm out.",
            "Nevermind.",
            "Don't bother.",
            "I'll figure it out on my own.",
            "I'm going to use another tool instead.",
            "Stop, I'm cancelling this.",
            "Bye, this isn't working.",
            "I'm done with this.",
        ),
        (
            "don't forget it",
            "giving it a try",
            "my mind is made up",
            "I'm almost done",
            "stopwatch",
            "quite good",
            "by the way",
            "done and dusted, next step",
        ),
    ),
    "interaction.disengagement.negative_stance": (
        (
            "This is ridiculous.",
            "You are useless.",
            "This is so frustrating.",
            "WHY IS THIS STILL BROKEN",
            "Come on!!!",
            "This is terrible.",
            "What a waste of time.",
            "I'm so annoyed.",
            "Worst assistant ever.",
            "You keep getting this wrong.",
            "This is garbage.",
            "Are you even listening?",
            "Stop making things up!!!",
            "That's stupid.",
            "I hate this.",
            "Absolutely awful answer.",
            "THIS DOES NOT WORK",
        ),
        (
            "Why is this still broken?",
            "This is not ideal!",
            "Come on!!",
            "WHY IS",
            "terribly good",
            "I hated it at first but now it works",
            "garbage collection is slow",
            "a useful answer",
        ),
    ),
    # ----- interaction: satisfaction -----------------------------------------
    "interaction.satisfaction.gratitude": (
        (
            "Thanks!",
            "Thank you so much.",
            "Thanks a lot for your help.",
            "Much appreciated.",
            "I appreciate it.",
            "Cheers!",
            "Thx",
            "Many thanks.",
            "Thank you, that was helpful.",
            "Great, thanks.",
            "I'm grateful for the help.",
            "ty!",
            "Thanks a bunch.",
            "Appreciate the quick answer.",
            "You're a lifesaver.",
            "Kudos for the fix.",
        ),
        (
            "thank",
            "thankless task",
            "thanksgiving dinner",
            "I appreciate",
            "no thanks needed",
            "cheer up",
            "tyre pressure",
            "greatful",
        ),
    ),
    "interaction.satisfaction.confirmation": (
        (
            "That works.",
            "Yes, that's correct.",
            "Perfect, exactly what I needed.",
            "Looks good to me.",
            "Sounds good.",
            "Yep, that's right.",
            "Exactly.",
            "That's it!",
            "Confirmed.",
            "Okay, that's fine.",
            "Spot on.",
            "Yes, go ahead.",
            "Correct.",
            "That's what I wanted.",
            "LGTM",
            "Agreed, let's do that.",
        ),
        (
            "that work",
            "looks goo",
            "sounds",
            "exact",
            "it's fine-tuned",
            "go",
            "right now",
            "agreement pending",
        ),
    ),
    "interaction.satisfaction.success": (
        (
            "It worked!",
            "That fixed it.",
            "It's working now.",
            "Success, the build passes.",
            "The tests pass now.",
            "Problem solved.",
            "Everything runs fine now.",
            "It compiles now.",
            "Got it working, thanks to you.",
            "That did the trick.",
            "Works like a charm.",
            "The error is gone.",
            "All green now.",
            "Deployed successfully.",
            "Issue resolved.",
            "Now it works.",
        ),
        (
            "it work",
            "will it work?",
            "fixing it",
            "the test passed yesterday but not now",
            "solve for x",
            "it's green-ish",
            "runs",
            "worked example",
        ),
    ),
    # ----- execution: failure (observation text) -----------------------------
    "execution.failure.invalid_args": (
        (
            "Error: missing required argument 'path'",
            "TypeError: search() got an unexpected keyword argument 'limit'",
            '{"error": {"code": 400, "message": "Invalid argument: \'count\' must be a positive'
            ' integer"}}',
            "ValidationError: 1 validation error for SearchParams",
            'Invalid parameter "date": expected format YYYY-MM-DD',
            "HTTP 400 Bad Request",
            "ValueError: invalid value for 'mode': 'fastest'",
            "Missing required parameter: query",
            'Argument "limit" must be an integer, got string',
            "'units' is a required property",
            "Schema validation failed: additional property 'foo' not allowed",
            "Expected type int for field 'page' but got str",
        ),
        (
            "argument accepted",
            "all parameters valid",
            "missing",
            "HTTP 200 OK",
            "validation passed",
            "requires no arguments",
        ),
    ),
    "execution.failure.bad_query": (
        (
            'SQL error: syntax error at or near "FORM"',
            'No results found for query "asdfgh"',
            "Query returned 0 rows",
            "Error: query must not be empty",
            "sqlite3.OperationalError: no such column: nmae",
            "Invalid query syntax near 'AND AND'",
            '{"results": [], "total": 0}',
            "Search failed: malformed query",
            "Invalid filter expression: unknown operator '=~'",
            "No matching records for the given criteria.",
            "Elasticsearch: failed to parse query [title:(]",
            "0 results returned",
            "no such table: userz",
        ),
        (
            "3 results found",
            '{"results": [{"id": 1}], "total": 1}',
            "query ok",
            "syntax highlighted",
            "no result yet, still running",
            "returned 10 rows",
        ),
    ),
    "execution.failure.tool_not_found": (
        (
            "Error: unknown tool 'serach_web'",
            'Tool "fetch_url" not found',
            "No such tool: calculator_v2",
            "Function 'get_wether' is not defined",
            "NameError: name 'lookup' is not defined",
            "bash: jqq: command not found",
            '{"error": "tool_not_found", "tool": "db.query"}',
            "Unknown function: send_mail",
            "The requested tool is not available in this environment",
            "AttributeError: module 'tools' has no attribute 'scrape'",
            "Invalid tool name: 'browser.open_page'",
            "No tool named 'translate' is registered",
        ),
        (
            "tool found",
            "tool registered successfully",
            "the tool is available",
            "unknowns: 0",
            "commands found: 3",
            "defined 2 functions",
        ),
    ),
    "execution.failure.auth_misuse": (
        (
            "401 Unauthorized",
            "HTTP 403 Forbidden",
            "Error: invalid API key provided",
            "Permission denied (publickey)",
            '{"error": {"code": 401, "message": "Request had invalid authentication'
            ' credentials."}}',
            "Access denied for user 'app'@'localhost'",
            "AuthenticationError: token has expired",
            "PermissionError: [Errno 13] Permission denied: '/etc/shadow'",
            "The access token is invalid or has been revoked",
            "Missing Authorization header",
            "Insufficient scope: this token cannot write to the repository",
            "Login required",
        ),
        (
            "authorized",
            "permission granted",
            "token refreshed",
            "logged in as admin",
            "401 items processed",
            "access granted",
        ),
    ),
    "execution.failure.state_error": (
        (
            "Error: session not initialized; call connect() first",
            "409 Conflict: resource already exists",
            "Cannot commit: no transaction in progress",
            "InvalidStateError: the order has already been shipped",
            "File is locked by another process",
            "Operation not allowed in current state 'closed'",
            "Precondition failed: ETag mismatch",
            "Must call login before fetching messages",
            "RuntimeError: event loop is already running",
            "Cannot delete a branch that is currently checked out",
            "Session expired, please start a new session",
            "Cannot run step 3 before step 2 completes",
        ),
        (
            "session initialized",
            "transaction committed",
            "state: ready",
            "unlocked",
            "no conflicts detected",
            "order shipped",
        ),
    ),
    # ----- environment: exhaustion (observation text) ------------------------
    "environment.exhaustion.api_error": (
        (
            "500 Internal Server Error",
            "HTTP 502 Bad Gateway",
            "503 Service Unavailable",
            '{"error": {"code": 500, "message": "Internal error encountered."}}',
            "upstream server returned an error",
            "The server encountered an unexpected condition",
            "Error: backend service is temporarily unavailable",
            "InternalServerError: something went wrong on our end",
            "status=503 overloaded",
            "APIError: The server had an error while processing your request",
            "HTTP/1.1 500",
            "Service temporarily overloaded, please try again later",
        ),
        (
            "500 results",
            "server ok",
            "internal notes",
            "service available",
            "HTTP 200",
            "gateway configured",
        ),
    ),
    "environment.exhaustion.timeout": (
        (
            "Request timed out after 30s",
            "TimeoutError: operation exceeded 60 seconds",
            "504 Gateway Timeout",
            "deadline exceeded",
            "ReadTimeout: HTTPSConnectionPool(host='api.example.com', port=443): Read timed out."
            " (read timeout=10)",
            "Error: ETIMEDOUT",
            "The operation took too long and was cancelled",
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            "Execution timeout: script ran longer than 120s",
            '{"error": {"code": 504, "message": "upstream request timeout"}}',
            "Time limit exceeded",
            "Connection timed out",
        ),
        (
            "completed in 30s",
            "timed",
            "deadline: tomorrow",
            "time to first byte: 20ms",
            "took 2 seconds",
            "504 bytes received",
        ),
    ),
    "environment.exhaustion.rate_limit": (
        (
            "429 Too Many Requests",
            "Rate limit exceeded, retry after 20 seconds",
            '{"error": {"code": 429, "message": "Resource has been exhausted (e.g. check'
            ' quota)."}}',
            "You exceeded your current quota, please check your plan and billing details",
            "RateLimitError: Rate limit reached for requests",
            "Throttled: slow down",
            "API rate limit exceeded for user ID 1234",
            "Quota exceeded for metric 'requests per minute'",
            "Too many requests in 1 hour. Try again later.",
            "Request was throttled. Expected available in 17 seconds.",
            "Error 1015: You are being rate limited",
            "Daily usage cap reached",
        ),
        (
            "rate: 429 per second",
            "limits: none",
            "many requests served",
            "quote of the day",
            "retry succeeded",
            "the rate is fine",
        ),
    ),
    "environment.exhaustion.network": (
        (
            "Connection refused",
            "ECONNREFUSED 127.0.0.1:5432",
            "getaddrinfo ENOTFOUND api.example.com",
            "Could not resolve host: example.org",
            "Network is unreachable",
            "Connection reset by peer",
            "ssl.SSLError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
            "Temporary failure in name resolution",
            "No route to host",
            "socket hang up",
            "DNS lookup failed for db.internal",
            "ConnectionError: Max retries exceeded with url: /v1/items",
            "Broken pipe",
        ),
        (
            "connection established",
            "network ok",
            "host resolved",
            "route added",
            "socket open",
            "pipe created",
        ),
    ),
    "environment.exhaustion.malformed_response": (
        (
            "JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
            "Invalid JSON in response body",
            "Unexpected token < in JSON at position 0",
            "SyntaxError: Unexpected end of JSON input",
            "Could not parse response as XML",
            "Malformed response from server",
            "Response was truncated mid-object",
            "Unparseable payload received",
            "Expected a JSON object but received HTML",
            "serde_json::Error: EOF while parsing an object at line 1 column 42",
            "Failed to decode response: invalid UTF-8 sequence",
            "Empty response body where JSON was expected",
        ),
        (
            "valid JSON received",
            "parsed 3 objects",
            "response ok",
            "token accepted",
            "truncate table done",
            "formed a response",
        ),
    ),
    "environment.exhaustion.context_overflow": (
        (
            "This model's maximum context length is 8192 tokens",
            "context_length_exceeded",
            "Error: prompt is too long: 210000 tokens > 200000 maximum",
            "Input exceeds the context window of the model",
            "Token limit exceeded",
            "Request too large: too many tokens in messages",
            "The conversation is too long, please start a new one",
            "max_tokens exceeds the remaining context",
            "Context overflow: truncating history failed",
            "InvalidRequestError: This model's maximum context length was exceeded",
            "Please reduce the length of the messages",
            '{"error": {"type": "invalid_request_error", "code": "context_length_exceeded"}}',
        ),
        (
            "context: user profile",
            "tokens used: 120",
            "the prompt is short",
            "length: 42",
            "window closed",
            "limit: 10 items",
        ),
    ),
}

_STRUCTURAL_NOTES: Final[dict[str, str]] = {
    "interaction.stagnation.dragging": (
        "Structural: fires once the conversation has more than 10 user turns (efficiency "
        "5/turns below 0.5). Pad with USER_FILLER_TURNS."
    ),
    "interaction.stagnation.repetition": (
        "Structural: an assistant reply of 5+ tokens that nearly repeats one of the previous "
        "two. Repeat ASSISTANT_REPLIES; near misses change a few words."
    ),
    "execution.loops.retry": (
        "Structural: the same tool with equal arguments 3+ times in a row. Use TOOL_NAMES and "
        "ARGUMENT_SHAPES (pairs equal as JSON but spelled differently)."
    ),
    "execution.loops.parameter_drift": (
        "Structural: the same tool 3+ times in a row with the arguments changing each time."
    ),
    "execution.loops.oscillation": (
        "Structural: a pattern of 2+ different tools repeated 3+ times (A B A B A B)."
    ),
}

_STRUCTURAL_NEAR_MISSES: Final[dict[str, tuple[str, ...]]] = {
    "interaction.stagnation.repetition": (
        "Here is the updated summary of the report with the totals corrected.",
        "Here is the revised summary of the report with every total recomputed by hand.",
        "Here is the summary.",
    ),
}

#: Neutral user turns: fire nothing on the faithful analyzer (padding for dragging).
USER_FILLER_TURNS: Final[tuple[str, ...]] = (
    "Can you look at the next item?",
    "What about the file in the docs folder?",
    "Please continue.",
    "And the one after that?",
    "Show me the list again.",
    "Next one please.",
)

#: Assistant replies of 5+ tokens; two copies in a row fire repetition.
ASSISTANT_REPLIES: Final[tuple[str, ...]] = (
    "Here is the updated summary of the report with the totals corrected.",
    "I have checked the configuration file and the port is set to 8080.",
    "Let me search for that information and get back to you shortly.",
    "The function returns a list of names sorted in ascending order.",
)

#: Tool names for function_call rows.
TOOL_NAMES: Final[tuple[str, ...]] = (
    "search",
    "fetch_url",
    "read_file",
    "db.query",
    "send-email",
    "get_weather",
)

#: Argument objects; each inner tuple holds spellings equal as JSON values.
ARGUMENT_SHAPES: Final[tuple[tuple[str, ...], ...]] = (
    ('{"q": "paris"}', '{ "q" : "paris" }'),
    ('{"n": 1}', '{"n": 1.0}', '{"n": 1e0}'),
    ('{"a": 1, "b": 2}', '{"b": 2, "a": 1}'),
    ('{"x": -0.0}', '{"x": 0}'),
    ('{"s": "A"}', '{"s": "\\u0041"}'),
    ('{"items": [1, 2, 3]}', '{"items": [1.0, 2.0, 3.0]}'),
    ("{}",),
)


def _lexicon(signal_type: str) -> Lexicon:
    if signal_type in _WORDINGS:
        triggers, near_misses = _WORDINGS[signal_type]
        return Lexicon(signal_type=signal_type, triggers=triggers, near_misses=near_misses)
    return Lexicon(
        signal_type=signal_type,
        triggers=(),
        near_misses=_STRUCTURAL_NEAR_MISSES.get(signal_type, ()),
        notes=_STRUCTURAL_NOTES[signal_type],
    )


#: Leaves that fire on the shape of a conversation, not on a wording.
STRUCTURAL_LEAVES: Final[frozenset[str]] = frozenset(_STRUCTURAL_NOTES)

#: The role a trigger of each worded leaf must be written in.
TRIGGER_ROLES: Final[Mapping[str, str]] = {
    t: ("human" if t.startswith("interaction.") else "observation") for t in _WORDINGS
}

# Filled in per leaf above; every key of LEAF_TYPES has an entry.
LEXICONS: Mapping[str, Lexicon] = {t: _lexicon(t) for t in LEAF_TYPES}
