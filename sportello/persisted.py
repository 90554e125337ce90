"""Persisted documents: a client sends the sha256 hash of a document the server knows instead of
its text, as GraphQL clients do with ``extensions.persistedQuery`` (version 1).

The registry is the server's own documents only, read once from files in the repository:

- ``web/documents.json``: the portal web client's documents, generated from its sources by
  ``python -m sportello.web_documents`` (a test fails when it is stale); web/api.js sends only
  their hashes.
- ``graphql_examples/**/*.graphql`` and ``bench/workloads/*.graphql`` (not the
  ``*.postgraphile.graphql`` ones): the staff dashboard's and partners' documents, each file's
  text as it is.

A request may carry a hash, a text, or both:

- hash only: the registered text runs; an unknown hash is refused (400,
  PERSISTED_QUERY_NOT_FOUND) and the client may send it again with its text.
- hash and text: the text's sha256 must be the hash (else 400, BAD_REQUEST), then the text runs
  as any text does. Nothing a client sends is ever added to the registry.
- text only: runs as always, unless the caller is a contact whose organization refuses
  unregistered documents (``refuseUnregisteredDocuments``, set by staff admins): then a text
  that is not a registered document is refused before anything runs (400,
  PERSISTED_QUERY_REQUIRED). Staff, staff previewing the portal, and partners are never refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from authz.principals import ContactPrincipal, Principal
from sportello.errors import Refusal

ROOT = Path(__file__).resolve().parent.parent
HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")

NOT_FOUND = (
    "No document is registered under this sha256Hash: send the document's text as query "
    "(with the hash or without it)."
)
REQUIRED = (
    "Your organization accepts only the portal's own documents: send the sha256Hash of a "
    "registered document in extensions.persistedQuery."
)


def sha256(text: str) -> str:
    """The hex sha256 of a document's UTF-8 text, as clients compute it. A lone surrogate
    (which no client's text holds, and which the route refuses by name after this,
    schema/kit/input_faults.py) is hashed as it comes rather than failing here."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def registry(root: Path = ROOT) -> dict[str, str]:
    """The registered documents by hash, read once (the files change only with a release)."""
    documents: dict[str, str] = {}
    web = root / "web" / "documents.json"
    if web.exists():
        documents.update(json.loads(web.read_text(encoding="utf-8")))
    files = [*root.glob("graphql_examples/**/*.graphql"), *root.glob("bench/workloads/*.graphql")]
    for path in files:
        if not path.name.endswith(".postgraphile.graphql"):
            text = path.read_text(encoding="utf-8")
            documents[sha256(text)] = text
    return documents


@cache
def registered_texts() -> frozenset[str]:
    """The registered documents' texts: a text sent without its hash is looked up here, so
    that it is hashed only when a client sends a hash to compare with."""
    return frozenset(registry().values())


@dataclass(frozen=True)
class Document:
    """The text to run and whether it is one of the server's registered documents."""

    text: str
    registered: bool


def requested_hash(payload: dict[str, Any]) -> str | None:
    """The body's ``extensions.persistedQuery.sha256Hash`` (lower case), or None without one."""
    extensions = payload.get("extensions")
    if extensions is None:
        return None
    if not isinstance(extensions, dict):
        raise Refusal(400, "BAD_REQUEST", "extensions must be a JSON object.")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise Refusal(400, "BAD_REQUEST", "persistedQuery must be an object with version 1.")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not HEX_SHA256.fullmatch(digest):
        raise Refusal(
            400, "BAD_REQUEST", "persistedQuery.sha256Hash must be 64 hexadecimal characters."
        )
    return digest.lower()


def document(payload: dict[str, Any]) -> Document:
    """The document the body asks to run: by its hash, its text, or both (they must agree)."""
    digest = requested_hash(payload)
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        raise Refusal(400, "BAD_REQUEST", "The body needs a query string.")
    known = registry()
    if query is None and digest is not None:
        if digest not in known:
            raise Refusal(400, "PERSISTED_QUERY_NOT_FOUND", NOT_FOUND)
        return Document(known[digest], registered=True)
    if query is None or not query.strip():
        raise Refusal(400, "BAD_REQUEST", "The body needs a query string or a persistedQuery hash.")
    if digest is not None:
        actual = sha256(query)
        if digest != actual:
            message = f"persistedQuery.sha256Hash is {digest} but the query's sha256 is {actual}."
            raise Refusal(400, "BAD_REQUEST", message)
    return Document(query, registered=query in registered_texts())


def refusal(principal: Principal, registered: bool) -> Refusal | None:
    """Must this caller's text be refused for not being registered? Only a contact (not staff
    previewing the portal) whose organization refuses unregistered documents (known from the
    session's statement: authz/principals.py ``registered_documents_only``)."""
    if registered or not isinstance(principal, ContactPrincipal) or principal.viewed_by:
        return None
    if not principal.registered_documents_only:
        return None
    return Refusal(400, "PERSISTED_QUERY_REQUIRED", REQUIRED)
