"""The lists that can be downloaded as CSV (sportello/export_route.py serves them).

Each export names the GraphQL root field whose rule decides who may download it, builds its
statement from the caller's row scope and the query parameters (named like the GraphQL
arguments), and lists its columns in order, each mirroring a GraphQL field whose rule decides
whether the caller gets that column.

- base.py: what an export is (:class:`Export`, :class:`Column`) and the errors of its input;
- lists.py: the lists of the API, with arguments.py (their query parameters) and columns.py
  (their columns);
- reports.py: the partner reports.
"""

from __future__ import annotations

from sportello.exports.base import Column, Export, ExportInputError
from sportello.exports.lists import LISTS
from sportello.exports.reports import REPORTS

EXPORTS: dict[str, Export] = {**LISTS, **REPORTS}

__all__ = ["EXPORTS", "Column", "Export", "ExportInputError"]
