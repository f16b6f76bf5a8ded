"""Reproducers: the Markdown write-up of one case, ready to paste into an issue.

A reproducer is pasted into an issue by someone who has never run
signals-fuzz, so it carries everything inline: the conversation, the exact
input line, a Python snippet, both Tier-A views, the diff, and the command
that reruns it. Conversations are shown with escapes, never raw: the
characters that break ports (U+00A0, U+FEFF, U+2028, ...) are invisible or
get lost in a paste.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from fuzz import defaults
from fuzz.engine.canonical import tier_a_view
from fuzz.engine.case import Case
from fuzz.engine.outcomes import Outcome
from fuzz.gate.root_causes import FiledCause


def escaped(text: str) -> str:
    """A string as an ASCII-only literal body: what you see is what was sent."""
    return ascii(text)[1:-1]


def tier_a_table(reference: Outcome, candidate: Outcome) -> str:
    def cells(outcome: Outcome) -> tuple[dict[str, int], str] | str:
        if outcome.failure is not None:
            return f"**{outcome.failure.label}**: {outcome.failure.detail}"
        assert outcome.report is not None
        try:
            view = tier_a_view(outcome.report)
        except (KeyError, TypeError, AttributeError):
            return "**malformed report** (see the diff)"
        return dict(view.counts), view.quality

    ref, cand = cells(reference), cells(candidate)
    rows = ["| | reference | candidate |", "| --- | --- | --- |"]
    if isinstance(ref, str) or isinstance(cand, str):
        ref_text = ref if isinstance(ref, str) else "report"
        cand_text = cand if isinstance(cand, str) else "report"
        rows.append(f"| outcome | {_cell(ref_text)} | {_cell(cand_text)} |")
        return "\n".join(rows)
    (ref_counts, ref_quality), (cand_counts, cand_quality) = ref, cand
    for signal_type in sorted(ref_counts.keys() | cand_counts.keys()):
        r, c = ref_counts.get(signal_type, 0), cand_counts.get(signal_type, 0)
        mark = " ⚠" if r != c else ""
        rows.append(f"| `{signal_type}`{mark} | {r} | {c} |")
    mark = " ⚠" if ref_quality != cand_quality else ""
    rows.append(f"| overall_quality{mark} | {ref_quality} | {cand_quality} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def _python_snippet(case: Case) -> str:
    spec = case.provenance.reference.spec
    if case.provenance.reference.kind != "py":
        spec = (
            case.provenance.candidate.spec
            if case.provenance.candidate.kind == "py"
            else defaults.REFERENCE
        )
    module, _, attr = spec.removeprefix("py:").partition(":")
    return "\n".join(
        [
            f"from {module} import {attr.split('.')[0]}",
            "",
            f"messages = {case.conversation!a}",
            f"report = {attr}().analyze(messages)",
            "print(report.to_dict() if hasattr(report, 'to_dict') else report)",
        ]
    )


def _failure_stderr(outcome: Outcome, side: str) -> str:
    if outcome.failure is None or not outcome.failure.stderr.strip():
        return ""
    stderr = outcome.failure.stderr.strip()
    return f"\n<details><summary>{side} stderr (tail)</summary>\n\n```\n{stderr}\n```\n</details>\n"


def _conversation_table(conversation: list[dict[str, Any]]) -> str:
    rows = ["| # | from | value |", "| --- | --- | --- |"]
    for index, message in enumerate(conversation):
        role = escaped(str(message.get("from", "")))
        value = escaped(str(message.get("value", "")))
        rows.append(f"| {index} | `{role}` | `{_cell(value)}` |")
    return "\n".join(rows)


def _json_block(data: Mapping[str, Any]) -> str:
    return "```json\n" + json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n```"


def _provenance_table(case: Case) -> str:
    prov = case.provenance
    versions = f"{prov.fuzzer_version} / {prov.hypothesis_version} / {prov.python_version}"
    rows = [
        "| provenance | |",
        "| --- | --- |",
        f"| campaign seed | `{prov.seed}` |",
        f"| found at | {prov.found_at} |",
        f"| signals-fuzz / Hypothesis / Python | {versions} |",
    ]
    for side, identity in (("reference", prov.reference), ("candidate", prov.candidate)):
        version = identity.version or "no version"
        rows.append(f"| {side} | `{identity.spec}` ({version}, sha256 `{identity.sha256}`) |")
    rows.append(f"| campaign command | `{_cell(prov.command)}` |")
    return "\n".join(rows)


def _why(case: Case, cause: FiledCause | None) -> str:
    """What the case cannot lose, and the root cause it belongs to."""
    explanation = case.explanation
    if explanation is None or not explanation.ingredients:
        lines = [explanation.sentence if explanation is not None else "Not explained yet."]
    else:
        lines = [
            "What this case cannot lose: each of these, edited away, makes the two sides agree.",
            "",
            *(f"- {_cell(ingredient.sentence)}" for ingredient in explanation.ingredients),
        ]
    if cause is not None:
        others = [s for s in cause.signatures if s != case.signature]
        also = f"; it also shows as {len(others)} other signature(s): " if others else "."
        listed = ", ".join(f"`{_cell(s)}`" for s in others[:8])
        more = f" and {len(others) - 8} more" if len(others) > 8 else ""
        lines += [
            "",
            f"Root cause `{cause.id}`: {_cell(cause.cause.explanation)}{also}{listed}{more}",
        ]
        if cause.accepted:
            lines.append("The baseline accepts this root cause.")
    return "\n".join(lines)


def render_reproducer(case: Case, corpus_file: str = "", cause: FiledCause | None = None) -> str:
    """The Markdown reproducer of one case (with the root cause it belongs to, when known)."""
    prov = case.provenance
    corpus_file = corpus_file or f"corpus/{case.stem}.json"
    input_line = json.dumps(case.input_line, ensure_ascii=True)
    reproduce = " ".join(
        [
            "signals-fuzz reproduce",
            shlex.quote(corpus_file),
            "--reference",
            shlex.quote(prov.reference.spec),
            "--candidate",
            shlex.quote(prov.candidate.spec),
        ]
    )
    text_length = sum(len(str(m.get("value", ""))) for m in case.conversation)
    state = (
        "shrunk" if case.shrunk else "**not fully shrunk** (the campaign stopped while shrinking)"
    )
    return f"""# signals parity: {case.signature}

Tier {case.tier.value} divergence (`{case.kind}`) between the reference and the candidate,
{len(case.conversation)} message(s), {text_length} character(s) of text, {state}.

## Why

{_why(case, cause)}

## Minimal conversation

{_conversation_table(case.conversation)}

## Feed it to the port

Save this one line as `case.jsonl` and run `signals_replay < case.jsonl`:

```json
{input_line}
```

## Feed it to the reference

```python
{_python_snippet(case)}
```

## What each side says (Tier A)

{tier_a_table(case.reference, case.candidate)}
{_failure_stderr(case.reference, "reference")}{_failure_stderr(case.candidate, "candidate")}
## Diff (reference → candidate)

{_json_block(case.diff)}

## Rerun

```sh
{reproduce}
```

{_provenance_table(case)}
"""
