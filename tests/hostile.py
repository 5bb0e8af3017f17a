"""The hostile-input corpus (tests/data/hostile-inputs.txt), decoded for use in tests."""

from pathlib import Path

_FILE = Path(__file__).resolve().parent / "data" / "hostile-inputs.txt"
_ESCAPES = {"\\n": "\n", "\\r": "\r", "\\0": "\0", "\\u202e": "\u202e"}


def _decode(line: str) -> str:
    for escape, char in _ESCAPES.items():
        line = line.replace(escape, char)
    return line


def _load() -> list[str]:
    lines = _FILE.read_text(encoding="utf-8").splitlines()
    return [_decode(line) for line in lines if line and not line.startswith("#")]


HOSTILE_INPUTS = _load()
