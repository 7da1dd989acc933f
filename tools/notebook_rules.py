"""Which notebook cells the test suite and the docs build skip: the rule of nbdev_test, in one place.

A code cell is skipped when it calls `nbdev_export()`, carries `#| eval: false`, or carries a flag listed in
settings.ini's `tst_flags` (e.g. `#| slow`: measurements that take minutes, run with `nbdev_test --flags slow`).
"""
import re
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DIRECTIVE = re.compile(r"^\s*#\|\s*([\w-]+)\s*:?\s*(.*)$")


def skip_flags() -> set[str]:
    "The flags of settings.ini's `tst_flags`: cells marked with one of them are skipped."
    cfg = ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini", encoding="utf-8")
    return set(cfg["DEFAULT"].get("tst_flags", "").split())


def directives(source: str) -> dict[str, str]:
    "The `#| name: value` directives at the top of a cell."
    found = {}
    for line in source.splitlines():
        m = _DIRECTIVE.match(line)
        if not m: break
        found[m.group(1)] = m.group(2).strip()
    return found


def skip_cell(source: str, flags: set[str], found: dict[str, str] | None = None) -> bool:
    "Does nbdev_test skip a code cell with this source (and these directives, where nbdev already took them out of it)?"
    found = directives(source) if found is None else found
    return "nbdev_export" + "()" in source or found.get("eval", "").lower() == "false" or bool(flags & found.keys())
