"""The web client's GraphQL documents, read from its sources into ``web/documents.json``.

``.venv/bin/python -m sportello.web_documents`` writes the file; a test fails when it is stale
(tests/sportello/test_persisted_registry.py). The server registers every document of the file
(sportello/persisted.py), and web/api.js sends only their sha256 hashes, never their text.

Where a document comes from, in the modules of ``web/`` and ``web/pages/``:

- A string or template literal whose text starts with ``query``, ``mutation`` or
  ``subscription`` (after ``#`` comments). ``${NAME}`` in a template is replaced by the text
  of the constant ``NAME`` (``const NAME = "..."`` in the same module, or imported from
  another one with ``import { NAME } from "./kit.js"``).
- A document a page builds at run time (a template with any other ``${...}``): the page exports
  ``documents()``, returning every document it can build; it is called here in Node. A built
  document in a module without ``documents()`` stops the generator, naming the file and line.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sportello.persisted import sha256

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
DOCUMENTS_FILE = WEB_DIR / "documents.json"

# An operation's text, after blank lines and ``#`` comments.
OPERATION = re.compile(r"(?:\s*#[^\n]*\n)*\s*(query|mutation|subscription)\b")
CONSTANT = re.compile(r"(?:export\s+)?const\s+([A-Za-z_$][\w$]*)\s*=\s*$")
IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*\"(\.{1,2}/[^\"]+)\"")
NAME = re.compile(r"\s*([A-Za-z_$][\w$]*)\s*")
EXPORTS_DOCUMENTS = re.compile(r"export\s+(?:async\s+)?(?:function|const)\s+documents\b")


class WebDocumentError(Exception):
    """A document in web/ that the generator cannot read; the message says where and why."""


@dataclass(frozen=True)
class Literal:
    """A string or template literal: its text pieces and the ``${...}`` between them."""

    offset: int
    pieces: tuple[str, ...]
    holes: tuple[str, ...]


def literals(source: str) -> list[Literal]:
    """Every string and template literal outside comments, in order (regular expression
    literals are not told apart: the web client's hold no quote or backtick)."""
    found: list[Literal] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = len(source) if end < 0 else end
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif ch in "\"'`":
            literal, i = _literal(source, i)
            found.append(literal)
        else:
            i += 1
    return found


def _literal(source: str, start: int) -> tuple[Literal, int]:
    quote, i = source[start], start + 1
    pieces, holes, piece = [], [], []
    while source[i] != quote:
        if source[i] == "\\":
            piece.append(source[i : i + 2])
            i += 2
        elif quote == "`" and source.startswith("${", i):
            end = _hole_end(source, i + 2)
            pieces.append("".join(piece))
            holes.append(source[i + 2 : end])
            piece, i = [], end + 1
        else:
            piece.append(source[i])
            i += 1
    pieces.append("".join(piece))
    return Literal(start, tuple(pieces), tuple(holes)), i + 1


def _hole_end(source: str, i: int) -> int:
    """The offset of the ``}`` closing a ``${`` whose expression starts at ``i``."""
    depth = 0
    while True:
        ch = source[i]
        if ch in "\"'`":
            _, i = _literal(source, i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1


class Module:
    """One module of the web client: its constants' literals and its imports."""

    def __init__(self, path: Path, web_dir: Path) -> None:
        self.path = path
        self.name = str(path.relative_to(web_dir.parent))
        self.source = path.read_text(encoding="utf-8")
        self.literals = literals(self.source)
        self.constants: dict[str, Literal] = {}
        for literal in self.literals:
            declared = CONSTANT.search(self.source, max(0, literal.offset - 120), literal.offset)
            if declared is not None and declared.end() == literal.offset:
                self.constants[declared.group(1)] = literal
        self.imports: dict[str, Path] = {}
        for names, target in IMPORT.findall(self.source):
            for name in names.split(","):
                if name.strip():
                    local = name.split(" as ")[-1].strip()
                    self.imports[local] = (path.parent / target).resolve()
        self.builds = EXPORTS_DOCUMENTS.search(self.source) is not None

    def line(self, literal: Literal) -> str:
        return f"{self.name}:{self.source.count(chr(10), 0, literal.offset) + 1}"


class Sources:
    """The web client's modules, each read once."""

    def __init__(self, web_dir: Path) -> None:
        paths = sorted([*web_dir.glob("*.js"), *web_dir.glob("pages/*.js")])
        self.modules = {path.resolve(): Module(path, web_dir) for path in paths}

    def text(self, module: Module, literal: Literal) -> str | None:
        """The literal's text, or None when a ``${...}`` is not a constant's name."""
        if any("\\" in piece for piece in literal.pieces):
            raise WebDocumentError(f"{module.line(literal)}: write documents without escapes")
        text = [literal.pieces[0]]
        for hole, piece in zip(literal.holes, literal.pieces[1:], strict=True):
            named = NAME.fullmatch(hole)
            value = self.constant(module, named.group(1)) if named else None
            if value is None:
                return None
            text.extend((value, piece))
        return "".join(text)

    def constant(self, module: Module, name: str) -> str | None:
        if name in module.constants:
            return self.text(module, module.constants[name])
        source = self.modules.get(module.imports.get(name, Path()))
        return self.constant(source, name) if source is not None else None


def written_documents(sources: Sources) -> list[str]:
    """The literal documents of every module (see the module docstring)."""
    found = []
    for module in sources.modules.values():
        for literal in module.literals:
            if not OPERATION.match(literal.pieces[0]):
                continue
            text = sources.text(module, literal)
            if text is not None:
                found.append(text)
            elif not module.builds:
                raise WebDocumentError(
                    f"{module.line(literal)}: a document built at run time; export "
                    "documents() from its module returning every document it can build"
                )
    return found


NODE_SCRIPT = (
    "for (const path of process.argv.slice(1)) {"
    " const built = (await import(path)).documents();"
    " process.stdout.write(JSON.stringify(built) + '\\n'); }"
)


def node() -> str:
    """Node, or the one Playwright brings with it (a development dependency)."""
    found = shutil.which("node")
    if found is not None:
        return found
    import playwright

    bundled = Path(playwright.__file__).parent / "driver" / "node"
    if bundled.exists():
        return str(bundled)
    raise WebDocumentError("Node is needed to call the pages' documents(): install nodejs")


def built_documents(sources: Sources) -> list[str]:
    """The documents of the modules that export ``documents()``, called in Node."""
    paths = [str(path) for path, module in sources.modules.items() if module.builds]
    if not paths:
        return []
    command = [node(), "--input-type=module", "-e", NODE_SCRIPT, *paths]
    # Node runs the web client's own modules, named by their paths here.
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    output = done.stdout
    return [text for line in output.splitlines() for text in json.loads(line)]


def collected(web_dir: Path = WEB_DIR) -> dict[str, str]:
    """Every document of the web client, by the hex sha256 of its UTF-8 text."""
    sources = Sources(web_dir)
    texts = [*written_documents(sources), *built_documents(sources)]
    return {sha256(text): text for text in sorted(set(texts))}


def rendered(documents: dict[str, str]) -> str:
    return json.dumps(dict(sorted(documents.items())), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    documents = collected()
    DOCUMENTS_FILE.write_text(rendered(documents), encoding="utf-8")
    print(f"{DOCUMENTS_FILE}: {len(documents)} documents", file=sys.stderr)


if __name__ == "__main__":
    main()
