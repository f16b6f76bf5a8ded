"""Report files (`--out DIR`): what the old release-gate harness wrote, from any run.

A replay, a parity run over a seed file and a campaign all end in the same
files in ``--out DIR``:

* ``diffs.jsonl``: one record per divergent conversation (any tier): its
  id, source, status (replay and parity runs), whether the baseline accepts
  it, its highest tier, kind and signature, each tier's structural diff, and
  its messages (so the file is itself replayable). A Tier-C entry says only
  that the details differ (its diff is ``{}``): that diff is a deepdiff of two
  whole reports, costlier than analysing the conversation, and a reference
  with extra keys differs from the port at Tier C on every conversation. The
  reproducers (JUnit, the pytest plugin) do carry it;
  A campaign writes one record per Tier-A signature it found (the smallest
  case) and one per Tier-B signature (the smallest conversation showing it):
  the conversations it ran while shrinking are many near-copies, not a
  population;
* ``metrics.json``: the numbers of ``fuzz.gate.metrics`` plus run metadata;
* ``summary.md``: the same for a pull request, headline verdict first;
* ``drift.json``: only when ``--out`` already held a ``metrics.json``: what
  changed since that run (also a section of ``summary.md``);
* JUnit XML on request, one testcase per replayed item.

Every file is written whole or not at all (``write_atomic``).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from fuzz.engine.case import Case
from fuzz.engine.compare import Comparison
from fuzz.files import canonical_json, jsonl_line, write_atomic
from fuzz.gate.metrics import DEFAULT_DRIFT_THRESHOLD, Metrics, divergence_json, drift
from fuzz.gate.root_causes import FiledCause

DIFFS, METRICS, SUMMARY, DRIFT = "diffs.jsonl", "metrics.json", "summary.md", "drift.json"

#: Statuses in the order the summary lists them (see ``fuzz.gate.replay``).
STATUS_ORDER = ("NEW", "CHANGED", "STILL", "FIXED", "OK")


def diff_record(
    item_id: str,
    comparison: Comparison,
    *,
    source: str | None = None,
    status: str | None = None,
    accepted: bool = False,
    saved_signature: str | None = None,
    messages: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The ``diffs.jsonl`` record of one conversation, or None where nothing diverges.

    With ``messages`` the record is also an input line (``id`` + ``messages``),
    so ``signals-fuzz replay diffs.jsonl`` reruns exactly the divergent ones.
    """
    tiers = [d for d in (comparison.tier_a, comparison.tier_b, comparison.tier_c) if d is not None]
    if not tiers:
        return None
    top = tiers[0]
    return {
        "id": item_id,
        "source": source,
        "status": status,
        "saved_signature": saved_signature,
        "accepted": accepted if comparison.tier_a is not None else None,
        "tier": top.tier.value,
        "kind": top.kind,
        "label": top.label,
        "signatures": list(top.signatures),
        "tiers": {d.tier.value: divergence_json(d) for d in tiers},
        "messages": None if messages is None else list(messages),
    }


def case_record(case: Case) -> dict[str, Any]:
    """The ``diffs.jsonl`` record of a saved (campaign-found) case (no source: it was drawn)."""
    return {
        "id": case.stem,
        "source": None,
        "status": None,
        "saved_signature": case.signature,
        "accepted": False,
        "tier": case.tier.value,
        "kind": case.kind,
        "label": case.signature,
        "signatures": [case.signature],
        "tiers": {
            "A": {
                "tier": "A",
                "kind": case.kind,
                "label": case.signature,
                "signatures": [case.signature],
                "diff": dict(case.diff),
            }
        },
        "messages": case.conversation,
    }


@attrs.frozen
class JunitCase:
    """One testcase: passing, or failing with a message and a body (the reproducer)."""

    classname: str
    name: str
    failure_message: str | None = None
    failure_type: str | None = None
    failure_text: str = ""
    system_out: str = ""


@attrs.define
class ParityReport:
    """Everything one run's report files say."""

    mode: str
    metrics: Metrics
    run: dict[str, Any]
    records: list[dict[str, Any]] = attrs.field(factory=list)
    baseline: Mapping[str, Any] = attrs.field(factory=dict)  # signature -> entry JSON
    expired: frozenset[str] = frozenset()
    found: Sequence[str] = ()  # campaign: signatures found (not set aside)
    root_causes: Sequence[FiledCause] = ()
    #: Campaign: the cross-language rows its conversations exercised (``CrossLangCoverage``).
    crosslang: Mapping[str, Any] | None = None

    def metrics_json(self) -> dict[str, Any]:
        data = {"schema_version": 1, "mode": self.mode, **self.metrics.to_json()}
        data["root_causes"] = [cause.to_json() for cause in self.root_causes]
        if self.crosslang is not None:
            data["crosslang"] = dict(self.crosslang)
        data["baseline"] = {
            "entries": len(self.baseline),
            "expired": sorted(self.expired),
        }
        data["run"] = self.run
        return data


# ------------------------------------------------------------------ writing ---


def _load_previous(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def write_reports(
    out_dir: Path, report: ParityReport, *, threshold: float = DEFAULT_DRIFT_THRESHOLD
) -> dict[str, Path]:
    """Write diffs.jsonl, metrics.json, summary.md (and drift.json) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _load_previous(out_dir / METRICS)
    current = report.metrics_json()
    written = {}
    drift_data = None
    if previous is not None:
        drift_data = drift(previous, current, threshold=threshold)
        write_atomic(out_dir / DRIFT, canonical_json(drift_data))
        written["drift"] = out_dir / DRIFT
    lines = "".join(jsonl_line(record) + "\n" for record in report.records)
    write_atomic(out_dir / DIFFS, lines)
    write_atomic(out_dir / METRICS, canonical_json(current))
    write_atomic(out_dir / SUMMARY, render_summary(report, current, drift_data))
    written.update(diffs=out_dir / DIFFS, metrics=out_dir / METRICS, summary=out_dir / SUMMARY)
    return written


_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: other characters written as visible escapes."""
    return _XML_ILLEGAL.sub(lambda m: ascii(m.group())[1:-1], text)


def write_junit(
    path: Path, suite: str, cases: Sequence[JunitCase], *, elapsed: float = 0.0
) -> None:
    """JUnit XML: one testsuite, one testcase per item, reproducers in failure bodies."""
    failures = sum(case.failure_message is not None for case in cases)
    root = ET.Element("testsuites", name="signals-fuzz")
    element = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{elapsed:.3f}",
    )
    for case in cases:
        testcase = ET.SubElement(
            element, "testcase", classname=_xml_text(case.classname), name=_xml_text(case.name)
        )
        if case.failure_message is not None:
            failure = ET.SubElement(
                testcase,
                "failure",
                message=_xml_text(case.failure_message),
                type=case.failure_type or "divergence",
            )
            failure.text = _xml_text(case.failure_text)
        if case.system_out:
            ET.SubElement(testcase, "system-out").text = _xml_text(case.system_out)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    body = ET.tostring(root, encoding="unicode")
    write_atomic(path, '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n")


# ------------------------------------------------------------------ summary ---


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _fmt_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def _status_table(report: ParityReport, data: Mapping[str, Any]) -> list[str]:
    statuses: Mapping[str, int] = data["statuses"]
    accepted: dict[str, int] = {}
    for record in report.records:
        if record.get("accepted") and record.get("status"):
            accepted[record["status"]] = accepted.get(record["status"], 0) + 1
    rows = [
        "| status | meaning | items | accepted by baseline | not accepted |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    meaning = {
        "NEW": "plain conversation, diverges at Tier A",
        "CHANGED": "saved case, diverges with another signature",
        "STILL": "saved case, same signature as saved",
        "FIXED": "saved case, now agrees at Tier A",
        "OK": "plain conversation, agrees at Tier A",
    }
    for status in STATUS_ORDER:
        total = statuses.get(status, 0)
        if not total and status in ("OK", "NEW") and not any(statuses.values()):
            continue
        if status in ("FIXED", "OK"):
            rows.append(f"| {status} | {meaning[status]} | {total} | – | – |")
        else:
            ok = accepted.get(status, 0)
            rows.append(f"| {status} | {meaning[status]} | {total} | {ok} | {total - ok} |")
    return rows


def _signature_table(report: ParityReport, data: Mapping[str, Any]) -> list[str]:
    signatures: Mapping[str, int] = data["tier_a_signatures"]
    unaccepted = set(data["gate"]["unaccepted_signatures"])
    if not signatures:
        return ["No Tier-A divergence."]
    rows = ["| signature | conversations | baseline |", "| --- | ---: | --- |"]
    for signature, count in sorted(signatures.items(), key=lambda kv: (-kv[1], kv[0])):
        entry = report.baseline.get(signature)
        if signature in report.expired:
            verdict = f"**expired {entry.get('expires') if entry else ''}**"
        elif signature not in unaccepted and entry is not None:
            verdict = (
                f"accepted: {_cell(entry.get('reason', ''))} ({_cell(entry.get('accepted_by'))})"
            )
        else:
            verdict = "**not accepted**"
        rows.append(f"| `{_cell(signature)}` | {count} | {verdict} |")
    return rows


def _root_cause_table(report: ParityReport) -> list[str]:
    """Root causes first: one row per cause, its signatures, representative and verdict."""
    if not report.root_causes:
        return ["No Tier-A divergence, so no root cause."]
    signatures = sum(len(cause.signatures) for cause in report.root_causes)
    rows = [
        f"{len(report.root_causes)} root cause(s) behind {signatures} signature(s).",
        "",
        "| root cause | why | signatures | representative | baseline |",
        "| --- | --- | --- | --- | --- |",
    ]
    for cause in report.root_causes:
        listed = "<br>".join(f"`{_cell(s)}`" for s in cause.signatures)
        verdict = "accepted" if cause.accepted else "**not accepted**"
        rows.append(
            f"| `{cause.id}` | {_cell(cause.cause.explanation)} | {listed} "
            f"| `{_cell(cause.representative)}` | {verdict} |"
        )
    return rows


def _crosslang_table(crosslang: Mapping[str, Any]) -> list[str]:
    """How often the run's conversations exercised each row of ``docs/cross-language.md``."""
    rows = [
        f"{crosslang['reached']} of {crosslang['total']} rows, over "
        f"{crosslang['conversations']} conversations.",
        "",
        "| row | conversations | rate |",
        "| --- | ---: | ---: |",
    ]
    for slug, row in crosslang["rows"].items():
        rate = f"{100 * row['rate']:.1f} %"
        rows.append(f"| `{slug}`{'' if row['count'] else ' ⚠'} | {row['count']} | {rate} |")
    return rows


def _type_table(data: Mapping[str, Any]) -> list[str]:
    types: Mapping[str, Mapping[str, int]] = data["signal_types"]
    active = {t: v for t, v in types.items() if v["reference"] or v["candidate"]}
    silent = [t for t in types if t not in active]
    rows = [
        "| signal type | reference total | candidate total | conversations disagreeing |",
        "| --- | ---: | ---: | ---: |",
    ]
    for signal_type, v in active.items():
        mark = " ⚠" if v["disagreements"] else ""
        ref, cand, disagreeing = v["reference"], v["candidate"], v["disagreements"]
        rows.append(f"| `{signal_type}`{mark} | {ref} | {cand} | {disagreeing} |")
    if not active:
        rows = ["No signal fired on either side."]
    if silent:
        rows += [
            "",
            f"Never fired on either side ({len(silent)} of {len(types)}): "
            + ", ".join(f"`{t}`" for t in silent)
            + ".",
        ]
    return rows


def _confusion_table(data: Mapping[str, Any]) -> list[str]:
    confusion = data["quality_confusion"]
    buckets: list[str] = confusion["buckets"]
    rows = [
        "| reference ↓ / candidate → | " + " | ".join(buckets) + " |",
        "| --- |" + " ---: |" * len(buckets),
    ]
    for bucket, row in zip(buckets, confusion["matrix"], strict=True):
        cells = [
            f"**{n}**" if n and i != buckets.index(bucket) else str(n) for i, n in enumerate(row)
        ]
        rows.append(f"| **{bucket}** | " + " | ".join(cells) + " |")
    rows += [
        "",
        f"Conversations where a side failed (not in the matrix): {confusion['failed']}; "
        f"rejected by both sides alike: {confusion.get('rejected_by_both', 0)}.",
    ]
    return rows


def _drift_section(drift_data: Mapping[str, Any]) -> list[str]:
    previous = drift_data["previous_run"]
    lines = [
        "## Drift since last run",
        "",
        f"Previous run: {previous.get('finished_at') or 'unknown time'}, "
        f"git `{previous.get('git_sha') or 'none'}`; "
        f"rate threshold {drift_data['threshold'] * 100:g} % relative.",
        "",
    ]
    if not drift_data["drifted"]:
        return [*lines, "No drift: same Tier-A signatures, same agreement, rates within threshold."]
    agreement = drift_data["agreement_pct"]
    if agreement["change"]:
        lines.append(
            f"- agreement: {_fmt_pct(agreement['previous'])} → {_fmt_pct(agreement['current'])} "
            f"({agreement['change']:+.2f} points)"
        )
    for signature in drift_data["signatures_appeared"]:
        lines.append(f"- appeared: `{_cell(signature)}`")
    for signature in drift_data["signatures_disappeared"]:
        lines.append(f"- disappeared: `{_cell(signature)}`")
    for key, label in (("tier_b_pct", "Tier-B rate"), ("tier_c_pct", "Tier-C rate")):
        rate = drift_data["rates"][key]
        if rate["beyond_threshold"]:
            relative = rate["relative_change"]
            how = "from zero" if relative is None else f"{relative * 100:+.1f} % relative"
            lines.append(
                f"- {label}: {_fmt_pct(rate['previous'])} → {_fmt_pct(rate['current'])} ({how})"
            )
    return lines


def _run_table(run: Mapping[str, Any]) -> list[str]:
    versions = run.get("versions") or {}
    rows = [
        "| run | |",
        "| --- | --- |",
        f"| mode | {run.get('mode')} |",
        f"| seed | `{run.get('seed')}` |",
    ]
    if run.get("seed_file"):
        rows.append(f"| seed file | `{_cell(run['seed_file'])}` |")
    if run.get("dataset_revision"):
        rows.append(f"| dataset revision | `{_cell(run['dataset_revision'])}` |")
    rows += [
        f"| git sha | `{run.get('git_sha') or 'none'}` |",
        "| signals-fuzz / Hypothesis / datasets / Python | "
        + " / ".join(
            str(versions.get(k)) for k in ("signals-fuzz", "hypothesis", "datasets", "python")
        )
        + " |",
    ]
    for side in ("reference", "candidate"):
        identity = run.get(side) or {}
        rows.append(
            f"| {side} | `{_cell(identity.get('spec'))}` "
            f"({identity.get('version') or 'no version'}, sha256 `{identity.get('sha256')}`) |"
        )
    if run.get("command"):
        rows.append(f"| command | `{_cell(run['command'])}` |")
    rows.append(f"| finished at | {run.get('finished_at')} |")
    return rows


def render_summary(
    report: ParityReport, data: Mapping[str, Any], drift_data: Mapping[str, Any] | None
) -> str:
    """``summary.md``: verdict, numbers, statuses, signatures, types, confusion, drift, run."""
    gate = data["gate"]
    n = data["conversations_compared"]
    accepted = data["tier_a"] - gate["unaccepted_divergences"]
    if gate["passed"]:
        verdict = (
            f"**PASS**: no Tier-A divergence outside the baseline ({accepted} accepted by it)."
        )
    else:
        verdict = (
            f"**FAIL**: {gate['unaccepted_divergences']} Tier-A divergence(s) outside the "
            f"baseline, {len(gate['unaccepted_signatures'])} signature(s)."
        )
    lines = [
        f"# signals parity ({report.mode}): {'PASS' if gate['passed'] else 'FAIL'}",
        "",
        verdict,
        "",
        "| | |",
        "| --- | ---: |",
        f"| conversations compared | {n} |",
        f"| agreement (no Tier-A divergence) | {_fmt_pct(data['agreement_pct'])} |",
        f"| full match (no divergence at any tier) | {_fmt_pct(data['full_match_pct'])} |",
        f"| Tier A | {data['tier_a']} ({accepted} accepted by the baseline) |",
        f"| Tier B | {data['tier_b']} ({_fmt_pct(data['tier_b_pct'])}) |",
        f"| Tier C | {data['tier_c']} ({_fmt_pct(data['tier_c_pct'])}) |",
        f"| a side failed (Tier A) | {data['failed']} |",
        f"| rejected by both sides alike (agreement) | {data.get('rejected_by_both', 0)} |",
        "",
    ]
    lines += ["## Root causes", "", *_root_cause_table(report), ""]
    if report.mode == "campaign":
        lines += ["## Signatures found", ""]
        lines += [f"- `{_cell(s)}`" for s in report.found] or ["None."]
        lines.append("")
    else:
        lines += ["## Cases", "", *_status_table(report, data), ""]
    lines += ["## Tier-A signatures", "", *_signature_table(report, data), ""]
    if report.expired:
        lines += [
            "Expired baseline entries (no longer accepted): "
            + ", ".join(f"`{_cell(s)}`" for s in sorted(report.expired)),
            "",
        ]
    if report.crosslang is not None:
        lines += ["## Cross-language rows reached", "", *_crosslang_table(report.crosslang), ""]
    lines += ["## Per-signal-type disagreement", "", *_type_table(data), ""]
    lines += [
        "## Quality confusion matrix",
        "",
        "Rows: the reference's bucket; columns: the candidate's. Off-diagonal cells in bold.",
        "",
        *_confusion_table(data),
        "",
    ]
    if drift_data is not None:
        lines += [*_drift_section(drift_data), ""]
    lines += ["## Run", "", *_run_table(report.run), ""]
    return "\n".join(lines)
