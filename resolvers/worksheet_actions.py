"""Staff and technicians draft work sheets; signing one stores its PDF.

Who: ADMIN and OFFICE for any intervention of their organization; a TECHNICIAN only for an
intervention assigned to them (SPEC §10): another one answers exactly like one that does not
exist (BAD_USER_INPUT naming ``appointmentId`` on creation, NOT_FOUND for the sheet to edit).
A SIGNED work sheet is immutable: changing it is BAD_USER_INPUT naming ``status``. Every
change is audited with the old and new values of the changed fields.

The PDF (``store_signed_pdf``) is generated inside the signing's transaction, after the sheet
is SIGNED and before the copies for contacts are queued, so the copies attach it
(db.queries.outbox.work_sheet_pdfs). Its file is written first and its document row after;
if the signing fails later and rolls back, the file stays behind unreferenced: it is named by
its content hash and a fresh document id that no row holds, so nothing ever serves or reuses
it, and the next signing writes its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import uuid
from typing import Any

import strawberry
from strawberry import Info

from authz.principals import StaffPrincipal
from authz.rules import STAFF_ONLY
from db import models as m
from db import storage
from db.models.staff import StaffRole
from db.queries import audit, documents, worksheets
from db.queries import worksheet_actions as actions
from db.queries.organization_logo import logo_key
from db.storage import store_for
from mailer import worksheet_pdf
from resolvers.kit import audited
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.names import full_name
from schema.kit.permissions import permitted
from schema.worksheets import CreateWorkSheetInput, UpdateWorkSheetInput, WorkSheet

ContextInfo = Info[Context, None]

# GraphQL field -> (column, most characters).
TEXTS = {
    "description": ("description", 10_000),
    "materials": ("materials", 5_000),
    "internalNotes": ("internal_notes", 5_000),
}
EARLIEST = dt.date(2000, 1, 1)
# A work sheet may be dated at most this far ahead of today (a visit planned for tomorrow).
AHEAD = dt.timedelta(days=31)


def _staff(info: ContextInfo) -> StaffPrincipal:
    principal = info.context.principal
    assert isinstance(principal, StaffPrincipal)  # the policy admits staff only
    return principal


def _may_touch(principal: StaffPrincipal, technician_id: uuid.UUID | None) -> bool:
    """Can this staff member write the work sheet of an intervention of ``technician_id``?"""
    return principal.role is not StaffRole.TECHNICIAN or technician_id == principal.user_id


def _text(field: str, value: str) -> str:
    limit = TEXTS[field][1]
    text = value.strip()
    if len(text) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    return text


def _date(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= dt.datetime.now(dt.UTC).date() + AHEAD:
        raise BadUserInput("date", "give the day the work was done (not a far-off date)")
    return value


async def _answer(info: ContextInfo, sheet_id: uuid.UUID) -> WorkSheet:
    context = info.context
    rows = await worksheets.work_sheets_by_id(context.db, context.rows.scope, [sheet_id])
    assert rows[0] is not None
    return WorkSheet.from_row(rows[0])


def _file_name(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", number) + ".pdf"


async def store_signed_pdf(info: ContextInfo, sheet_id: uuid.UUID) -> uuid.UUID:
    """Render a just-signed work sheet's PDF, store it as its portal-visible WORK_SHEET_PDF
    document, and return the document's id. Call it in the signing's transaction."""
    context = info.context
    organization_id = context.rows.scope.organization_id
    store = store_for(context.settings)
    row = await actions.signed_sheet_facts(context.db, organization_id, sheet_id)
    logo = None
    if row.logo_sha256 is not None:
        logo = await store.read(logo_key(organization_id, row.logo_sha256))
    technician = full_name(row.first_name, row.last_name) if row.first_name is not None else None
    facts = worksheet_pdf.SheetFacts(
        organization_name=row.organization_name,
        locale=row.locale,
        time_zone=row.timezone,
        number=row.number,
        work_date=row.work_date,
        site_name=row.site_name,
        site_address=f"{row.address}, {row.postal_code} {row.city}",
        technician=technician,
        description=row.description,
        materials=row.materials,
        signed_by=row.signed_by,
        signed_at=row.signed_at,
        logo=logo,
    )
    pdf = await asyncio.to_thread(worksheet_pdf.render, facts)
    file_name = _file_name(row.number)
    incoming = await store.receive(io.BytesIO(pdf), len(pdf), file_name=lambda _: file_name)
    document_id = uuid.uuid4()
    key = storage.storage_key(incoming.sha256, document_id)
    try:
        await store.place(incoming, key)
        await documents.insert_document(
            context.db,
            {
                "id": document_id,
                "organization_id": organization_id,
                "client_id": row.client_id,
                "site_id": row.site_id,
                "work_sheet_id": sheet_id,
                "kind": m.DocumentKind.WORK_SHEET_PDF.value,
                "file_name": file_name,
                "mime_type": incoming.mime_type,
                "size_bytes": incoming.size,
                "sha256": incoming.sha256,
                "storage_key": key,
                "portal_visible": True,
            },
        )
    except BaseException:
        await store.discard(incoming.key, key)
        raise
    return document_id


@strawberry.type
class WorkSheetMutation:
    @strawberry.mutation(
        description="Draft the work sheet of an appointment (ADMIN, OFFICE; a TECHNICIAN for "
        "their own appointment). It gets the organization's next number.",
        extensions=permitted(STAFF_ONLY),
    )
    async def create_work_sheet(self, info: ContextInfo, input: CreateWorkSheetInput) -> WorkSheet:
        context = info.context
        scope = context.rows.scope
        principal = _staff(info)
        visit_id = ids.decode("Appointment", input.appointment_id)
        visit = (
            await actions.intervention_for_sheet(context.db, scope, visit_id)
            if visit_id is not None
            else None
        )
        if visit is None or not _may_touch(principal, visit.technician_id):
            # Unknown, another organization's and (for a technician) another technician's
            # appointment answer alike.
            raise BadUserInput("appointmentId", "names no appointment you can write a sheet for")
        if visit.status == m.InterventionStatus.CANCELLED.value:
            raise BadUserInput("appointmentId", "a cancelled appointment gets no work sheet")
        values: dict[str, Any] = {
            "work_date": _date(input.date),
            "description": _text("description", input.description),
            "materials": _text("materials", input.materials),
            "internal_notes": _text("internalNotes", input.internal_notes),
        }
        values |= {
            "organization_id": scope.organization_id,
            "client_id": visit.client_id,
            "site_id": visit.site_id,
            "intervention_id": visit.id,
            "status": m.WorkSheetStatus.DRAFT.value,
            "number": await actions.next_number(
                context.db, scope.organization_id, values["work_date"].year
            ),
        }
        sheet_id = await actions.insert_work_sheet(context.db, values)
        details = audit.change_details({}, values)
        await audited.record(context, "work_sheet_created", "WorkSheet", sheet_id, details)
        return await _answer(info, sheet_id)

    @strawberry.mutation(
        description="Edit a DRAFT work sheet (ADMIN, OFFICE; a TECHNICIAN for their own "
        "appointment's). A SIGNED work sheet cannot be changed.",
        extensions=permitted(STAFF_ONLY),
    )
    async def update_work_sheet(
        self, info: ContextInfo, id: strawberry.ID, input: UpdateWorkSheetInput
    ) -> WorkSheet:
        context = info.context
        scope = context.rows.scope
        principal = _staff(info)
        sheet_id = ids.decode("WorkSheet", id)
        current = (
            await actions.work_sheet_for_update(context.db, scope, sheet_id)
            if sheet_id is not None
            else None
        )
        if current is None or not _may_touch(principal, current.technician_id):
            raise NotFound("work sheet")
        if current.status != m.WorkSheetStatus.DRAFT.value:
            raise BadUserInput("status", "a signed work sheet cannot be changed")
        values: dict[str, Any] = {}
        if input.date is not None:
            values["work_date"] = _date(input.date)
        for field, value in (
            ("description", input.description),
            ("materials", input.materials),
            ("internalNotes", input.internal_notes),
        ):
            if value is not None:
                values[TEXTS[field][0]] = _text(field, value)
        before = dict(current._mapping)
        values = {k: v for k, v in values.items() if before.get(k) != v}
        if values:
            await actions.update_work_sheet(context.db, current.id, values)
            details = audit.change_details(before, values)
            await audited.record(context, "work_sheet_changed", "WorkSheet", current.id, details)
        return await _answer(info, current.id)
