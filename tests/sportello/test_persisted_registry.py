"""The registry of persisted documents: web/documents.json is what the web client's sources
hold (sportello/web_documents.py), and every registered document is valid GraphQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse

from sportello.persisted import ROOT, registry, sha256
from sportello.web_documents import DOCUMENTS_FILE, WebDocumentError, collected, rendered


def test_web_documents_json_is_what_the_web_client_sends() -> None:
    assert DOCUMENTS_FILE.read_text(encoding="utf-8") == rendered(collected()), (
        "web/documents.json is stale: run .venv/bin/python -m sportello.web_documents"
    )


def test_the_registry_holds_the_web_client_the_examples_and_the_workloads() -> None:
    documents = registry()
    web = set(collected())
    assert web
    assert web <= documents.keys()
    for path in [*ROOT.glob("graphql_examples/portal/*.graphql"), *ROOT.glob("bench/workloads/*")]:
        registered = sha256(path.read_text(encoding="utf-8")) in documents
        assert registered != path.name.endswith((".postgraphile.graphql", ".py", ".sql")), path
    for digest, text in documents.items():
        assert sha256(text) == digest
        parse(text)


def test_a_document_built_at_run_time_without_documents_is_named(tmp_path: Path) -> None:
    (tmp_path / "page.js").write_text(
        'const FIELD = "viewer { id }";\n'
        "const KNOWN = `query Known { ${FIELD} }`;\n"
        "function built(name) {\n  return `query Built { ${name} }`;\n}\n",
        encoding="utf-8",
    )
    with pytest.raises(WebDocumentError, match=r"page\.js:4: a document built at run time"):
        collected(tmp_path)
    (tmp_path / "page.js").write_text(
        'import { FIELD } from "./kit.js";\n'
        "const KNOWN = `# the viewer\nquery Known { ${FIELD} }`;\n",
        encoding="utf-8",
    )
    (tmp_path / "kit.js").write_text('export const FIELD = "viewer { id }";\n', encoding="utf-8")
    assert list(collected(tmp_path).values()) == ["# the viewer\nquery Known { viewer { id } }"]
