"""The lists that can be downloaded as CSV (sportello/export_route.py serves them).

Each export names the GraphQL root field whose rule decides who may download it, builds its
statement from the caller's row scope and the query parameters (named like the GraphQL
arguments), and lists its columns in order, each mirroring a GraphQL field whose rule decides
whether the caller gets that column.

- base.py: what an export is (:class:`Export`, :class:`Column`) and the errors of its input;
- lists.py: the lists of the API, with arguments.py (their query parameters) and columns.py
  (their columns);
- staff_lists.py: the back office's lists (portal accesses, staff users, audit events, the
  portal bill of a month);
- reports.py: the partner reports.
"""

from __future__ import annotations

from sportello.exports.base import Column, Export, ExportInputError
from sportello.exports.lists import LISTS
from sportello.exports.reports import REPORTS
from sportello.exports.staff_lists import STAFF_LISTS

EXPORTS: dict[str, Export] = {**LISTS, **STAFF_LISTS, **REPORTS}

__all__ = ["EXPORTS", "Column", "Export", "ExportInputError"]
