"""A root list of the API beside the table its rows come from, for the tests that page through
it and compare what it lists with plain SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from schema.kit import ids
from tests.api import Demo, global_ids


@dataclass(frozen=True)
class Listing:
    query: str  # the list's document, with $first, $after, $last and its filters
    field: str  # the root field: "workSheets"
    type_name: str  # the type of its nodes: "WorkSheet"
    table: str  # the table of its rows, aliased ``r`` in ``where`` conditions
    order: str  # the list's order in SQL: "work_date DESC, id DESC"
    page_size: int  # how many rows a test asks for at a time

    async def all_ids(self, demo: Demo, token: str, **filters: Any) -> list[str]:
        """Every id the list gives ``token`` with ``filters``, paging forwards."""
        return await demo.every_id(self.query, self.field, token, self.page_size, **filters)

    async def expected(self, demo: Demo, where: str, **params: Any) -> list[str]:
        """The global ids of the rows matching ``where``, in the list's order."""
        rows = await demo.scalar(
            f"SELECT array_agg(r.id ORDER BY {self.order}) FROM {self.table} r WHERE {where}",  # noqa: S608
            **params,
        )
        return global_ids(self.type_name, rows)

    async def assert_lists(
        self, demo: Demo, token: str, where: str, **params: Any
    ) -> list[dict[str, Any]]:
        """The list gives ``token`` the rows matching ``where``, every one in its order, and
        counts them; its nodes."""
        pages = await demo.every_page(self.query, self.field, token, first=self.page_size)
        nodes = [edge["node"] for page in pages for edge in page["edges"]]
        expected = await self.expected(demo, where, **params)
        assert pages[-1]["totalCount"] == len(expected)
        assert [node["id"] for node in nodes] == expected
        return nodes

    async def assert_filters_in_turn(
        self,
        demo: Demo,
        period: str,
        periods: Sequence[tuple[str, str]],
        parse: Callable[[str], Any],
    ) -> None:
        """Sites and ``periods`` asked in turn each get their own rows and count: the list's
        statement, built once per filter shape (db/scoped/filter_shapes.py), takes each
        request's values. ``period`` is the SQL condition of a period from ``:f`` to ``:t``."""
        token = await demo.as_("staff admin")
        sites = await demo.busiest(self.table, "site_id", 3)
        listed = 0
        for site, (since, until) in zip([0, 1, 0, 2, 1, 2], [*periods] * 3, strict=True):
            where = f"r.site_id = :s AND {period}"
            expected = await self.expected(
                demo, where, s=sites[site], f=parse(since), t=parse(until)
            )
            filters = {"siteId": ids.encode("Site", sites[site]), "from": since, "to": until}
            assert await self.all_ids(demo, token, **filters) == expected
            counted = await demo.data(self.query, token, first=1, **filters)
            assert counted[self.field]["totalCount"] == len(expected)
            listed += len(expected)
        assert listed > 0
