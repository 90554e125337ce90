"""Do the three servers answer the same data?

Sportello and the floor must answer byte-for-byte the same body. PostGraphile names fields
and ids its own way (``siteById``, ``nodes``, raw uuids, bigints as strings), so its answer is
compared by value: both answers are flattened into the sequence of their leaf values, in
document order, after turning Sportello's opaque ids into their uuids, numbers into one
spelling and times into UTC. Field names and the nesting of connections do not count.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from bench.workloads import Workload

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


@dataclass(frozen=True)
class Verdict:
    same: bool
    detail: str


def leaves(value: Any) -> list[str]:
    """The leaf values of a GraphQL answer in document order, each in a canonical spelling."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [canonical(value)]


def canonical(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    text = str(value)
    opaque = _opaque_uuid(text)
    if opaque is not None:
        return opaque
    if TIMESTAMP.match(text):
        try:
            return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()
        except ValueError:
            return text
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return _number(float(text))
    return text


def _number(value: float) -> str:
    return repr(float(value))


def _opaque_uuid(text: str) -> str | None:
    """The uuid inside a Sportello id ("Type:uuid" in unpadded base64url), if ``text`` is one."""
    if len(text) < 40 or len(text) > 100 or UUID.match(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    _, _, tail = raw.partition(":")
    return tail if UUID.match(tail) else None


def same_body(workload: Workload, sportello: bytes, floor: bytes) -> Verdict:
    if workload.changes_every_time:
        # Fresh tokens and times: the same fields, the same kinds of values.
        a, b = json.loads(sportello), json.loads(floor)
        same = _shape(a) == _shape(b)
        return Verdict(same, "same fields and value types (tokens and times differ each time)")
    if sportello == floor:
        return Verdict(True, f"byte-for-byte identical ({len(sportello)} bytes)")
    return Verdict(False, _first_difference(sportello.decode(), floor.decode()))


def same_data(workload: Workload, sportello: bytes, postgraphile: bytes) -> Verdict:
    ours = json.loads(sportello)
    theirs = json.loads(postgraphile)
    if "errors" in theirs or "errors" in ours:
        return Verdict(False, f"errors: {ours.get('errors') or theirs.get('errors')}")
    a = leaves(ours["data"])
    b = leaves(workload.adapt_postgraphile(theirs["data"]))
    if a == b:
        return Verdict(True, f"same {len(a)} values")
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return Verdict(False, f"value {index} differs: {x!r} / {y!r}")
    return Verdict(False, f"{len(a)} values / {len(b)} values")


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def _first_difference(a: str, b: str) -> str:
    index = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    around = slice(max(0, index - 40), index + 40)
    return f"bodies differ at byte {index}: {a[around]!r} / {b[around]!r}"
