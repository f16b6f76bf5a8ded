"""How signals-fuzz writes files: whole or not at all, canonically, one way everywhere.

Corpus cases, reproducers, baselines, report files and seed files are all
read by people (in review, in a pull request) and by later runs. So every
writer goes through here:

* ``write_atomic``: a temporary file in the target's folder, flushed and
  fsynced, then renamed over the target; an interrupted run (Ctrl-C,
  ``kill -9``, a full disk) leaves the old file or the new one, never half
  of one;
* ``canonical_json``: sorted keys, two-space indent, trailing newline, so a
  file's diff shows what changed and nothing else;
* ``jsonl_line``: one JSON record per line, safe for readers that split
  lines with ``str.splitlines()``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from fuzz.errors import UsageError

#: Permissions of a finished file: ordinary data (the temporary file starts private).
FILE_MODE: Final = 0o644

#: Characters ``str.splitlines()`` breaks lines at that ``json.dumps`` leaves raw.
_LINE_BREAKERS: Final = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def canonical_json(data: Any) -> str:
    """The one way JSON files are written: sorted keys, fixed indent, trailing newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def jsonl_line(record: dict[str, Any]) -> str:
    """One JSONL record: readable UTF-8, or ASCII escapes when a lone surrogate cannot be UTF-8.

    U+0085, U+2028 and U+2029 are always escaped (they can only occur inside
    JSON strings), so a reader that splits with ``str.splitlines()`` still
    sees one record per line.
    """
    line = json.dumps(record, ensure_ascii=False, sort_keys=True)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record, ensure_ascii=True, sort_keys=True)
    for char, escape in _LINE_BREAKERS.items():
        line = line.replace(char, escape)
    return line


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: temp file in the same folder, fsync, then rename.

    Text that cannot be UTF-8 (a lone surrogate in a conversation) is written
    with backslash escapes rather than lost.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below; kept past close for the rename
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            try:
                handle.write(text)
            except UnicodeEncodeError:
                handle.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, FILE_MODE)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable: after a crash, the new name is there, or the old file."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a folder that cannot be opened this way (another OS): the file is fsynced
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def ensure_writable_dir(path: Path, flag: str) -> Path:
    """Create ``path`` if needed and prove it takes files, else ``UsageError`` naming ``flag``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"{flag}={str(path)!r} is not a writable directory: {exc.strerror}"
        ) from None
    return path
