"""Signing a work sheet, and the sheet the signing tests sign: a draft whose contacts receive
the signed copy."""

from __future__ import annotations

import uuid

from tests.api import Demo

SIGN = """mutation($id: ID!, $by: String!) { signWorkSheet(id: $id, signedBy: $by) {
  status signedBy documents { edges { node { id kind fileName mimeType portalVisible } } } } }"""


async def draft_with_readers(demo: Demo) -> tuple[uuid.UUID, int]:
    """The brillanti DRAFT work sheet whose site has the most contacts receiving copies, and
    how many they are."""
    sheet, readers = await demo.scalar(
        "SELECT ARRAY[id::text, readers::text] FROM (SELECT w.id, (SELECT count(*) "
        "FROM contact k JOIN portal_grant g ON g.contact_id = k.id "
        "WHERE k.receives_signed_worksheets AND k.deleted_at IS NULL AND k.state = 'ACTIVE' "
        "AND (g.site_id = w.site_id OR g.client_id = w.client_id)) AS readers "
        "FROM work_sheet w JOIN organization o ON o.id = w.organization_id "
        "WHERE o.slug = 'brillanti' AND w.status = 'DRAFT') x "
        "ORDER BY readers DESC, id LIMIT 1"
    )
    return uuid.UUID(sheet), int(readers)
