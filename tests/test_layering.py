"""The import rules of ARCHITECTURE §2, enforced on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "realtalk"

# package -> module prefixes it must not import (checked on every import statement)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "protocol": (
        "asyncio",
        "websockets",
        "time",
        "random",
        "socket",
        "realtalk.transport",
        "realtalk.session",
        "realtalk.live",
        "realtalk.emulator",
        "realtalk.cli",
        "realtalk.audio",
    ),
    "audio": (
        "asyncio",
        "websockets",
        "realtalk.protocol",
        "realtalk.transport",
        "realtalk.session",
        "realtalk.live",
        "realtalk.emulator",
    ),
    "transport": ("realtalk.protocol", "realtalk.session", "realtalk.live", "realtalk.emulator"),
    "session": ("websockets", "realtalk.live", "realtalk.cli", "realtalk.emulator"),
    "live": ("websockets", "realtalk.transport"),
    "emulator": ("websockets", "realtalk.session", "realtalk.live", "realtalk.cli"),
    "cli": ("websockets",),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violates(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_import_rules(package: str) -> None:
    root = SRC / package
    if not root.exists():
        pytest.skip(f"{package} not written yet")
    problems = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in sorted(root.rglob("*.py"))
        for line, module in imported_modules(path)
        for prefix in FORBIDDEN[package]
        if violates(module, prefix)
    ]
    assert problems == []


def test_only_transport_imports_websockets() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "transport" not in path.relative_to(SRC).parts
        and any(violates(m, "websockets") for _, m in imported_modules(path))
    ]
    assert offenders == []


def test_cli_uses_only_the_public_api() -> None:
    """The CLI imports realtalk's top-level package and public subpackages, never privates."""
    root = SRC / "cli"
    private = [
        f"{path.name}:{line} {module}"
        for path in root.rglob("*.py")
        for line, module in imported_modules(path)
        if module.startswith("realtalk") and any(part.startswith("_") for part in module.split("."))
    ]
    assert private == []


def test_layering_check_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom websockets.asyncio import client\n")
    modules = [m for _, m in imported_modules(bad)]
    assert any(violates(m, "asyncio") for m in modules)
    assert any(violates(m, "websockets") for m in modules)
