"""A selection's fields filled by a function written for that selection.

schema/kit/reading.py used to walk a selection's steps one by one for every object: per
field, a branch on the step's kind, the step's attribute and key looked up, the leaf's
coercion called. For a page of a hundred timesheet entries that walk ran a thousand times
per request. Here each :class:`~schema.kit.read_plans.Selection` gets, on first use, one
Python function made from its steps (:func:`compile_fill`), kept on the selection for every
later request with the same plan. It reads each column by its attribute name, stores it under
its response key, and answers the usual values of the usual leaves (a ``str`` for String and
ID, a ``bool``, a 32-bit ``int``, a member of the enum's class, ``None`` where the field may be
null) without calling anything; everything else takes the reading's general path, the same
code as before, so the answer and its errors are the same.

A DateTime in UTC and a Date are left in the response as they are: orjson, which writes every
response (sportello/graphql_request.py ``ResultResponse``), writes them as their scalars'
``isoformat()`` would, in C (a timesheet page has 200 of them, at about 0.9 microseconds each
through the coercion). So the data of a result read from a plan is JSON once orjson writes it,
not before; nothing else reads it.

What the function leaves to the reading:

- ``reading.one`` and ``reading.objects``: a column holding an object, or a list of
  objects, of one object type: filled by that type's selection's function;
- ``reading.column(step, value, result, slot)``: any other column's value completed as the
  step's shape says (a coercion that fails or gives nothing, a null where none may be, a
  list of leaves or of an abstract type's objects);
- ``reading.failed(step, error, slot)``: an attribute that raised, a refused read;
- ``reading.other(step, source, result, slot)``: a computed field or a resolver;
- a loaded field is put on the reading's next level, as before.

Only text the plan holds goes into the source: response keys and attribute names as Python
string literals (``repr``), step numbers; the steps, coercions and enum tables are names of
the function's own namespace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from graphql import Undefined

from schema.kit.errors import FieldRefused
from schema.kit.read_plans import (
    COLUMN,
    LOADED,
    REFUSED,
    TYPENAME,
    Selection,
    Shape,
    Step,
)

# fill(reading, source, result, slot): the selection's fields of ``source`` into ``result``.
Fill = Callable[[Any, Any, dict[str, Any], Any], None]

# GraphQL's Int: a signed 32-bit integer.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def compile_fill(
    selection: Selection, selection_of: Callable[[Shape, str], Selection], pending: type
) -> Fill:
    """The function filling ``selection``'s fields; ``selection_of`` gives the selection of
    an object field (the plan's, schema/kit/read_plans.py ``Plan.selection``), ``pending``
    makes a loaded field's entry of the next level (schema/kit/reading.py ``Pending``)."""
    source = _Source(selection, selection_of, pending)
    lines = ["def fill(reading, source, result, slot):"]
    for number, step in enumerate(selection.steps):
        lines.extend("    " + line for line in source.step(step, number))
    if len(lines) == 1:
        lines.append("    return None")
    code = compile("\n".join(lines), f"<fill {selection.type_name}>", "exec")
    exec(code, source.namespace)  # noqa: S102 - our own source, from the plan's steps (see the module)
    fill: Fill = source.namespace["fill"]
    return fill


class _Source:
    """The lines of one selection's function, and the names they use."""

    def __init__(
        self, selection: Selection, selection_of: Callable[[Shape, str], Selection], pending: type
    ) -> None:
        self.selection = selection
        self.selection_of = selection_of
        self.namespace: dict[str, Any] = {
            "Undefined": Undefined,
            "FieldRefused": FieldRefused,
            "Pending": pending,
            "INT_MIN": _INT_MIN,
            "INT_MAX": _INT_MAX,
            "DATETIME": dt.datetime,
            "DATE": dt.date,
            "UTC": dt.UTC,
        }

    def step(self, step: Step, number: int) -> list[str]:
        """The lines answering ``step``, the selection's ``number``-th."""
        self.namespace[f"s{number}"] = step
        key, name = repr(step.key), f"s{number}"
        if step.kind == TYPENAME:
            return [f"result[{key}] = {self.selection.type_name!r}"]
        if step.kind == REFUSED:
            # Null where the field may be (the portal view holds flag-gated reads nullable),
            # else its object's null.
            return [f"result[{key}] = reading.failed({name}, FieldRefused({name}.message), slot)"]
        if step.kind == LOADED:
            return [
                f"result[{key}] = None",
                f"reading.level.append(Pending({name}, source, result, slot))",
            ]
        if step.kind != COLUMN:
            return [f"reading.other({name}, source, result, slot)"]
        attribute = step.attribute
        read = (
            f"source.{attribute}"
            if attribute.isidentifier() and not attribute.startswith("__")
            else f"getattr(source, {attribute!r})"
        )
        return [
            "try:",
            f"    value = {read}",
            "except Exception as error:",
            f"    result[{key}] = reading.failed({name}, error, slot)",
            "else:",
            *("    " + line for line in self.completion(step, number, key)),
        ]

    def completion(self, step: Step, number: int, key: str) -> list[str]:
        """How a column's ``value`` goes into ``result``: the usual values inline, an object
        or a list of objects of one type by ``reading.one`` and ``reading.objects``, the rest
        by ``reading.column``."""
        shape = step.shape
        assert shape is not None
        namespace = self.namespace
        general = f"result[{key}] = reading.column(s{number}, value, result, slot)"
        if shape.object_type is not None:
            namespace[f"o{number}"] = self.selection_of(shape, shape.object_type.name)
            return [f"result[{key}] = reading.one(s{number}, o{number}, value, result, slot)"]
        item = shape.item
        if item is not None and item.object_type is not None:
            namespace[f"o{number}"] = self.selection_of(item, item.object_type.name)
            return [f"result[{key}] = reading.objects(s{number}, o{number}, value, result, slot)"]
        if shape.leaf is None:
            return [general]
        null = f"result[{key}] = None" if not shape.non_null else general
        usual = {
            "str": "type(value) is str",
            "bool": "type(value) is bool",
            "int": "type(value) is int and INT_MIN <= value <= INT_MAX",
            "datetime": "type(value) is DATETIME and value.tzinfo is UTC",
            "date": "type(value) is DATE",
        }.get(shape.leaf)
        if shape.leaf == "enum":
            assert shape.enum is not None
            members, names = shape.enum
            namespace[f"E{number}"], namespace[f"N{number}"] = members, names
            usual, answer = f"type(value) is E{number}", f"N{number}[value]"
        elif usual is not None:
            answer = "value"
        else:  # a leaf whose coercion is called for every value (DateTime, Date, Decimal, ...)
            namespace[f"c{number}"] = shape.coerce
            return [
                "if value is None:",
                f"    {null}",
                "else:",
                "    try:",
                f"        coerced = c{number}(value)",
                "    except Exception:",
                "        coerced = None",
                "    if coerced is None or coerced is Undefined:",
                f"        {general}",
                "    else:",
                f"        result[{key}] = coerced",
            ]
        lines = [f"if {usual}:", f"    result[{key}] = {answer}"]
        if not shape.non_null:
            lines += ["elif value is None:", f"    {null}"]
        return [*lines, "else:", f"    {general}"]
