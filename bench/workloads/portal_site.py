"""The portal page of one site, for a contact whose grants cover it (portal_site.graphql)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench.workloads import Caller, Workload, decode_id, global_id, iso

# One statement: the site if the contact's grants cover it, its client, and every list as an
# array of records in Sportello's order (db/queries/*.py), each with its count.
SQL = """
SELECT s.id, s.name, s.address, s.city, s.postal_code, s.province, s.country,
  c.id AS client_id, c.code AS client_code, c.name AS client_name,
  (SELECT (r.id, r.due_month, r.planned_date, r.performed_at, r.result) FROM revision r
    WHERE r.site_id = s.id AND r.performed_at IS NOT NULL
    ORDER BY r.performed_at DESC, r.id DESC LIMIT 1) AS last_revision,
  (SELECT count(*) FROM equipment e WHERE e.site_id = s.id) AS equipment_count,
  ARRAY(SELECT (e.id, e.kind, e.model, e.serial_number, e.location, e.installed_on)
    FROM equipment e WHERE e.site_id = s.id ORDER BY e.kind, e.id LIMIT 50) AS equipment,
  (SELECT count(*) FROM contract k WHERE k.site_id = s.id AND $3) AS contract_count,
  ARRAY(SELECT (k.id, k.number, k.kind, k.description, k.starts_on, k.expires_on)
    FROM contract k WHERE k.site_id = s.id AND $3
    ORDER BY k.expires_on, k.id LIMIT 10) AS contracts,
  (SELECT count(*) FROM invoice i
    WHERE i.site_id = s.id AND $4 AND i.status IN ('CLOSED', 'PAID')) AS invoice_count,
  ARRAY(SELECT (i.id, i.number, i.issued_on, i.due_on, i.paid_on, i.status, i.net_cents,
      i.vat_cents, i.total_cents)
    FROM invoice i WHERE i.site_id = s.id AND $4 AND i.status IN ('CLOSED', 'PAID')
    ORDER BY i.issued_on DESC, i.id DESC LIMIT 10) AS invoices,
  (SELECT count(*) FROM ticket t WHERE t.site_id = s.id) AS ticket_count,
  ARRAY(SELECT (t.id, t.number, t.reference_person, t.urgency, t.status, t.opened_at)
    FROM ticket t WHERE t.site_id = s.id
    ORDER BY t.urgency_rank, t.opened_at, t.id LIMIT 10) AS tickets,
  (SELECT count(*) FROM work_sheet w WHERE w.site_id = s.id AND w.status = 'SIGNED')
    AS work_sheet_count,
  ARRAY(SELECT (w.id, w.number, w.work_date, w.description, w.status, w.signed_by,
      w.signed_at)
    FROM work_sheet w WHERE w.site_id = s.id AND w.status = 'SIGNED'
    ORDER BY w.work_date DESC, w.id DESC LIMIT 10) AS work_sheets
FROM site s JOIN client c ON c.id = s.client_id
WHERE s.id = $1 AND EXISTS (
  SELECT FROM portal_grant g WHERE g.contact_id = $2
    AND (g.site_id = s.id OR (g.site_id IS NULL AND g.client_id = s.client_id)))
"""


def _node(type_name: str, record: Any, fields: str) -> dict[str, Any]:
    """A record of the SQL (its id, then the values of ``fields`` in order) as the GraphQL
    node; dates and times in ISO form."""
    values = (iso(v) if isinstance(v, dt.date) else v for v in tuple(record)[1:])
    return {"id": global_id(type_name, record[0]), **dict(zip(fields.split(), values, strict=True))}


def _connection(count: int, records: list[Any], type_name: str, fields: str) -> dict[str, Any]:
    nodes = [_node(type_name, record, fields) for record in records]
    return {"totalCount": count, "edges": [{"node": node} for node in nodes]}


async def floor(
    db: asyncpg.Connection, caller: Caller | None, variables: dict[str, Any], _: str | None
) -> dict[str, Any]:
    assert caller is not None
    assert caller.contact_id is not None
    site_id = decode_id("Site", variables["site"])
    row = (
        await db.fetchrow(
            SQL,
            site_id,
            caller.contact_id,
            "can_view_contracts" in caller.flags,
            "can_view_invoices" in caller.flags,
        )
        if site_id is not None
        else None
    )
    if row is None:
        return {"site": None}
    revision = row["last_revision"]
    return {
        "site": {
            "id": global_id("Site", row["id"]),
            "name": row["name"],
            "address": row["address"],
            "city": row["city"],
            "postalCode": row["postal_code"],
            "province": row["province"],
            "country": row["country"],
            "client": {
                "id": global_id("Client", row["client_id"]),
                "code": row["client_code"],
                "name": row["client_name"],
            },
            "lastRevision": None
            if revision is None
            else _node("Revision", revision, "dueMonth plannedDate performedAt result"),
            "equipment": _connection(
                row["equipment_count"],
                row["equipment"],
                "Equipment",
                "kind model serialNumber location installedOn",
            ),
            "contracts": _connection(
                row["contract_count"],
                row["contracts"],
                "Contract",
                "number kind description startsOn expiresOn",
            ),
            "invoices": _connection(
                row["invoice_count"],
                row["invoices"],
                "Invoice",
                "number issuedOn dueOn paidOn status netCents vatCents totalCents",
            ),
            "tickets": _connection(
                row["ticket_count"],
                row["tickets"],
                "Ticket",
                "number referencePerson urgency status openedAt",
            ),
            "workSheets": _connection(
                row["work_sheet_count"],
                row["work_sheets"],
                "WorkSheet",
                "number date description status signedBy signedAt",
            ),
        }
    }


def adapt_postgraphile(data: Any) -> Any:
    """PostGraphile answers the last revision as a list of at most one."""
    site = data["siteById"]
    if site is not None:
        nodes = site["lastRevision"]["nodes"]
        site["lastRevision"] = nodes[0] if nodes else None
    return data


WORKLOAD = Workload(
    name="portal_site",
    title="Portal page of one site (contact)",
    principal="contact",
    variables=lambda f: {"site": global_id("Site", f.site_id)},
    postgraphile_variables=lambda f: {"site": str(f.site_id)},
    adapt_postgraphile=adapt_postgraphile,
    floor=floor,
    # client, lastRevision, equipment, contracts, invoices, tickets, workSheets
    relation_edges=7,
)
