"""The Rust-side emulation (``strategies.rust_semantics``) against the real thing.

Three real references, each skipped with its reason when missing: a std-only
Rust probe compiled with ``rustc`` (``tests/fixtures/rust_probe/chars.rs``), the
real ``regex`` crate through the ``regex-rs`` bindings, and a real
``serde_json`` built offline from Debian's ``librust-serde-json-dev``
(``tests/fixtures/rust_probe/serde``). The emulation follows the newest
Unicode tables it has; the real builds have their own versions, so the tests
require agreement on every character whose answer did not change between the
running Python's Unicode version and the emulation's, and allow differences
only on characters that did (the version delta, a row of its own).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import strategies.crosslang as table
import strategies.rust_semantics as rust

PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "rust_probe"


def scan_code_points(pattern: str) -> frozenset[str]:
    return table.scan_code_points(pattern, engine=rust.unicode_regex())


# --- the std probe --------------------------------------------------------------


@pytest.fixture(scope="module")
def probe_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    rustc = shutil.which("rustc") or str(Path.home() / ".cargo" / "bin" / "rustc")
    if not Path(rustc).exists():
        pytest.skip("rustc is not installed: the real char primitives cannot be probed")
    out = tmp_path_factory.mktemp("probe") / "chars"
    subprocess.run([rustc, "-O", str(PROBE / "chars.rs"), "-o", str(out)], check=True)
    questions = [f"f32 {h.p} {h.q} {h.threshold!r}" for h in table.float_hazards()]
    questions += ["f32 4 5 0.8", "f32 7 10 0.7", "f32 1 3 0.3333333333333333"]
    questions += ["lower ΑΣ ΑΣΑ Σ ὈΔΥΣΣΕΎΣ", "lower İSTANBUL ǅ ẞ"]
    done = subprocess.run(
        [str(out)], input="\n".join(questions), capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def _chars(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    for line in lines:
        parts = line.split()
        if parts[0] not in ("unicode", "f32", "lower"):
            yield chr(int(parts[0], 16)), parts[1:]


def _decode(hexes: str) -> str:
    return "".join(chr(int(h, 16)) for h in hexes.split("."))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("column", "pattern", "python"),
    [
        (0, r"\p{White_Space}", str.isspace),
        (1, r"\p{Alphabetic}", str.isalpha),
        (2, r"\p{Uppercase}", str.isupper),
        (3, r"\p{Lowercase}", str.islower),
        (4, r"\p{N}", str.isnumeric),
    ],
)
def test_char_predicates_match_rust_std(
    probe_lines: list[str], column: int, pattern: str, python: object
) -> None:
    """The emulated char predicate disagrees with Rust on a character Python knows."""
    real = frozenset(c for c, flags in _chars(probe_lines) if flags[column] == "1")
    emulated = scan_code_points(pattern)
    differ = real ^ emulated
    assert all(not rust.python_knows(c) for c in differ), sorted(differ)[:10]
    # The per-character functions say what the scan says (a random sample).
    functions = (rust.is_whitespace, rust.is_alphabetic, rust.is_uppercase, rust.is_lowercase,
                 rust.is_numeric)  # fmt: skip
    sample = random.Random(column).sample(rust.all_code_points(), 3000)
    assert all(functions[column](c) == (c in emulated) for c in sample)


@pytest.mark.slow
def test_case_mapping_matches_rust_std(probe_lines: list[str]) -> None:
    """to_uppercase/to_lowercase emulation disagrees with Rust beyond the version delta."""
    wrong = []
    for char, flags in _chars(probe_lines):
        lower, upper = _decode(flags[5]), _decode(flags[6])
        uncased = not (rust.is_uppercase(char) or rust.is_lowercase(char))
        if lower == upper == char and char.lower() == char.upper() == char and uncased:
            continue
        for real, emulated, python in (
            (lower, rust.to_lowercase(char), char.lower()),
            (upper, rust.to_uppercase(char), char.upper()),
        ):
            # A difference is allowed only where the tables changed since Python's version.
            if real != emulated and rust.python_knows(char) and emulated == python:
                wrong.append(f"U+{ord(char):04X}")
    assert wrong == []
    new_upper = [c for c in ("\u0264", "\u019b") if rust.to_uppercase(c) != c.upper()]
    assert new_upper, "letters that gained a capital after Python's Unicode version"


@pytest.mark.slow
def test_final_sigma_and_special_casing_match_rust_std(probe_lines: list[str]) -> None:
    """str::to_lowercase parts from Python's lower on final sigma or SpecialCasing."""
    lowered = [line.split(" ", 1)[1] for line in probe_lines if line.startswith("lower ")]
    texts = ["ΑΣ ΑΣΑ Σ ὈΔΥΣΣΕΎΣ", "İSTANBUL ǅ ẞ"]
    assert [_decode(h) for h in lowered] == [rust.to_lowercase(t) for t in texts]


@pytest.mark.slow
def test_float_hazards_match_rust_f32(probe_lines: list[str]) -> None:
    """The derived f32 comparisons disagree with Rust's own f32 arithmetic."""
    answers = {
        tuple(parts[1:4]): (parts[4] == "1", parts[5] == "1")
        for parts in (line.split() for line in probe_lines if line.startswith("f32 "))
    }
    for hazard in table.float_hazards():
        key = (str(hazard.p), str(hazard.q), repr(hazard.threshold))
        assert answers[key] == (hazard.f32_all, hazard.f32_threshold), hazard
    assert answers[("4", "5", "0.8")] == (True, False)  # 0.8f32 widened is above 4/5


# --- the regex crate ------------------------------------------------------------


@pytest.fixture(scope="module")
def regex_rs() -> object:
    return pytest.importorskip("regex_rs", reason="regex-rs (the real regex crate) is missing")


def _crate_set(regex_rs: object, pattern: str) -> frozenset[str]:
    compiled = regex_rs.Regex(pattern + "+")  # type: ignore[attr-defined]
    return frozenset("".join(m.matched_text for m in compiled.find_iter(rust.all_code_points())))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("crate", "emulated"),
    [
        (r"\s", rust.RUST_SPACE_CLASS),
        (r"\w", rust.RUST_WORD_CLASS),
        (r"\d", rust.RUST_DIGIT_CLASS),
    ],
)
def test_regex_classes_match_the_crate(regex_rs: object, crate: str, emulated: str) -> None:
    """The emulated \\s \\w \\d classes disagree with the regex crate on a character Python
    knows (the crate bundles its own, older Unicode tables)."""
    differ = _crate_set(regex_rs, crate) ^ scan_code_points(emulated)
    assert all(not rust.python_knows(c) for c in differ), sorted(differ)[:10]


@pytest.mark.slow
def test_word_boundary_matches_the_crate(regex_rs: object) -> None:
    """The variant's \\b (look-arounds over the crate's \\w) finds other boundaries than
    the crate's own \\b, on text mixing every kind of hazard character."""
    import re

    from fuzz.examples.analyzer import _rewrite_classes

    body = rust.class_ranges(rust.RUST_WORD_CLASS)
    ours = re.compile(_rewrite_classes(r"\bout\b", space=None, word=None, boundary=body))
    crate = regex_rs.Regex(r"\bout\b")  # type: ignore[attr-defined]
    chars = [c for c in table.hazard_chars_of("regex_b") if rust.python_knows(c)] + [" ", "x"]
    for left in chars:
        for right in chars:
            text = f"{left}out{right}"
            assert bool(ours.search(text)) == crate.is_match(text), ascii(text)


@pytest.mark.slow
def test_ignore_case_matches_the_crate(regex_rs: object) -> None:
    """simple_fold says a character matches an ASCII letter under (?i) where the crate
    says it does not, or the other way round."""
    for letter in "abcdefghijklmnopqrstuvwxyz":
        crate = _crate_set(regex_rs, f"(?i){letter}")
        ours = frozenset(
            c for c in rust.all_code_points() if c == letter or rust.simple_fold(c) == letter
        )
        ours |= {letter.upper()}
        assert crate == ours, (letter, sorted(crate ^ ours))


# --- serde_json -----------------------------------------------------------------

SERDE_TEXTS = [
    "1", "1.0", "-0", "1e0", "NaN", "[Infinity]", "1e400", "-1e400", "1e-400",
    "18446744073709551615", "18446744073709551616", "-9223372036854775809",
    "9007199254740993", '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"',
    '{"a": 1, "a": 2}', "[" * 127 + "]" * 127, "[" * 128 + "]" * 128,
    '{"a":' * 127 + "1" + "}" * 127, '{"a":' * 128 + "1" + "}" * 128,
    "0.1000000000000000055511151231257827", "1e16", "1e-5", "1e-7", "123456789012345680000.0",
    '{"b": [1.5, null, "\\u00e9\\n\\u0001"], "a": true}', "[1,]", "01", '"\\u0000"',
]  # fmt: skip


#: Decimals the real serde_json (default features) reads to a neighbouring float.
LOSSY_FLOATS = frozenset({"123456789012345680000.0"})


@pytest.fixture(scope="module")
def serde_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    registry = Path("/usr/share/cargo/registry")
    if not Path(cargo).exists() or not any(registry.glob("serde_json-1.*")):
        pytest.skip("no cargo or no librust-serde-json-dev: a real serde_json cannot be built")
    work = tmp_path_factory.mktemp("serde")
    shutil.copytree(PROBE / "serde", work / "serde")
    (work / "serde" / ".cargo").mkdir()
    (work / "serde" / ".cargo" / "config.toml").write_text(
        f'[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "{registry}"\n'
    )
    subprocess.run(
        [cargo, "build", "--offline", "--release", "-q"],
        cwd=work / "serde",
        check=True,
        env={"CARGO_HOME": str(work / "home"), "PATH": str(Path(cargo).parent) + ":/usr/bin:/bin"},
    )
    done = subprocess.run(
        [str(work / "serde" / "target" / "release" / "serde_probe")],
        input="\n".join(SERDE_TEXTS) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(zip(SERDE_TEXTS, done.stdout.splitlines(), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("text", SERDE_TEXTS, ids=lambda t: ascii(t)[:30])
def test_serde_loads_and_to_string_match_serde_json(
    serde_answers: dict[str, str], text: str
) -> None:
    """serde_loads accepts what serde_json refuses (or the reverse), or serde_to_string
    writes other text than serde_json::to_string."""
    real = serde_answers[text]
    try:
        value = rust.serde_loads(text)
    except rust.SerdeError:
        assert real.startswith("ERR "), real
        return
    assert real.startswith("OK "), real
    if text in LOSSY_FLOATS:
        # serde_json without its float_roundtrip feature reads this decimal one ulp
        # off; the emulation reads it correctly rounded, as Python does.
        assert math.isclose(float(real[3:]), value, rel_tol=2**-51) and real[3:] != repr(value)
        return
    assert rust.serde_to_string(value) == real[3:]


def test_ryu_format_round_trips_and_is_shortest() -> None:
    """ryu_format writes a float that reads back as another float, or not in the shortest digits."""
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(500)]
    values += [10.0**k for k in range(-12, 25)] + [1.5 * 10.0**k for k in range(-12, 25)]
    values += [5e-324, 1.7976931348623157e308, 2.0**64, 0.1]
    for value in values:
        text = rust.ryu_format(value)
        assert float(text) == value, text
        digits = text.lstrip("-").split("e")[0].replace(".", "").strip("0")
        assert len(digits) <= len(repr(abs(value)).split("e")[0].replace(".", "").strip("0"))
    assert not math.isnan(float(rust.ryu_format(0.0)))


def test_serde_number_key_splits_what_python_joins() -> None:
    """1 and 1.0 are one key to serde_json's equality (they are two), or 2**64 is not a float."""
    assert rust.serde_number_key(1) != rust.serde_number_key(1.0)
    assert rust.serde_number_key(2**64) == rust.serde_number_key(float(2**64))
    assert json.loads("1") == json.loads("1.0")
