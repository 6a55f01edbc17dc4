#!/usr/bin/env python3
"""Check that nitro_desktop's imports point only down, and that no file is too long.

    python3 tools/import_graph.py [ROOT]     ROOT holds nitro_desktop/ (default: this checkout)

Every ``import`` in every module counts: top-level, inside functions (lazy
imports) and under ``if TYPE_CHECKING:``, because each is an arrow in the
design even when it costs nothing at run time. ``importlib.import_module`` with
a string (cli.py's subcommand table) is not seen. Exit 1 with one line per
problem (``path:line: …``), 0 when clean. Only the standard library is used.

The layers, bottom to top (a module may import its own package, anything in a
lower layer, and the sideways arrows listed in SIDEWAYS):

    layer  packages / top-level modules         notes
    0      redact, cli_errors, __init__         leaves: import nothing of ours (__init__ holds __version__)
    1      protocol                             pure; imports only layer 0
    2      client, keys, store, chain           keys -> store allowed (accounts' public data)
    2      devnode                              protocol and layer 0 only (RESTRICTED)
    3      history                              the one writer of the session list (GUI and CLI)
    4      wallet, flows, signing, crash        wallet -> flows/signing, signing -> flows allowed
    5      ui                                   Qt only here
    6      app                                  composition: builds the window, hands the sandbox in
    7      cli                                  the entry point: subcommands, or app for the GUI
    8      __main__                             python -m nitro_desktop

devnode may be imported only from layers 6-8 (app.py hands the sandbox in; cli runs it).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "nitro_desktop"
MAX_LINES = 420

LAYERS: dict[str, int] = {
    "redact": 0,
    "cli_errors": 0,
    "__init__": 0,
    "protocol": 1,
    "client": 2,
    "keys": 2,
    "store": 2,
    "chain": 2,
    "devnode": 2,
    "history": 3,
    "wallet": 4,
    "flows": 4,
    "signing": 4,
    "crash": 4,
    "ui": 5,
    "app": 6,
    "cli": 7,
    "__main__": 8,
}
#: Arrows between packages of the same layer that the design allows.
SIDEWAYS: frozenset[tuple[str, str]] = frozenset(
    {
        ("keys", "store"),
        ("wallet", "flows"),
        ("wallet", "signing"),
        ("signing", "flows"),
    }
)
#: Packages that may import only these (besides themselves), whatever the layers say.
RESTRICTED: dict[str, frozenset[str]] = {
    "devnode": frozenset({"protocol", "redact", "cli_errors", "__init__"}),
    "protocol": frozenset(),
}
#: Packages that only these may import.
IMPORTED_ONLY_BY: dict[str, frozenset[str]] = {
    "devnode": frozenset({"app", "cli", "__main__"}),
}


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def unit_of(module: str) -> str:
    """The package (or top-level module) a dotted ``nitro_desktop.…`` name belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(
    tree: ast.AST, current: str, is_package: bool, package_dir: Path
) -> Iterator[tuple[int, str]]:
    """(line, dotted module) for every import of ours in a module's syntax tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != PACKAGE and not target.startswith(PACKAGE + "."):
                continue
            if target == PACKAGE:  # `from nitro_desktop import cli`: a module, or a name of __init__
                for alias in node.names:
                    is_module = (package_dir / alias.name).is_dir() or (
                        package_dir / f"{alias.name}.py"
                    ).exists()
                    yield node.lineno, f"{PACKAGE}.{alias.name}" if is_module else PACKAGE
            else:
                yield node.lineno, target


def check_arrow(source: str, target: str) -> str | None:
    """Why ``source`` (a unit) must not import ``target``, or None when the arrow is allowed."""
    if source == target:
        return None
    for unit in (source, target):
        if unit not in LAYERS:
            return f"{unit!r} is in no layer: add it to LAYERS in tools/import_graph.py"
    allowed_importers = IMPORTED_ONLY_BY.get(target)
    if allowed_importers is not None and source not in allowed_importers:
        return f"only {', '.join(sorted(allowed_importers))} may import {target}"
    restricted = RESTRICTED.get(source)
    if restricted is not None and target not in restricted:
        allowed = ", ".join(sorted(restricted)) or "nothing of ours"
        return f"{source} may import only {allowed}"
    src, dst = LAYERS[source], LAYERS[target]
    if dst < src or (source, target) in SIDEWAYS:
        return None
    way = "sideways" if dst == src else "upward"
    return f"{way} arrow: {source} (layer {src}) -> {target} (layer {dst})"


def check_tree(root: Path) -> list[Problem]:
    package_dir = root / PACKAGE
    if not package_dir.is_dir():
        return [Problem(root, 0, f"no {PACKAGE}/ package here")]
    problems: list[Problem] = []
    for path in sorted(package_dir.rglob("*.py")):
        shown = path.relative_to(root)
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_LINES:
            problems.append(Problem(shown, lines, f"{lines} lines, over {MAX_LINES}: split it along a seam"))
        try:
            tree = ast.parse(text, filename=str(path))
        except SyntaxError as exc:
            problems.append(Problem(shown, exc.lineno or 0, f"cannot parse: {exc.msg}"))
            continue
        current = module_name(root, path)
        source = unit_of(current)
        for line, target_module in imported_modules(tree, current, path.name == "__init__.py", package_dir):
            why = check_arrow(source, unit_of(target_module))
            if why is not None:
                problems.append(Problem(shown, line, f"imports {target_module}: {why}"))
    return problems


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    problems = check_tree(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"import graph: {len(problems)} problem(s) (layers: see tools/import_graph.py)")
        return 1
    print("import graph: arrows point down, no file over", MAX_LINES, "lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
