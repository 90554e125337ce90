"""Opening tickets (contacts with can_open_tickets, and staff) and handling them (staff).

The server sets what no caller may choose: the number (the organization's next), the opening
time, the client (from the site), the author (from the session) and the status OPEN. A retried
submission with the same idempotency key returns the ticket the first one opened, also when
both arrive at once; a key is its author's own, so another caller's equal key is another
ticket, never a conflict (a key cannot be taken first or tried for an oracle). Every
change is audited; the organization's notification email gets a new-ticket notice through
the outbox, in the same transaction.
"""

from __future__ import annotations

import uuid

import strawberry
from strawberry import Info

from authz.policy import BACK_OFFICE_ONLY, TICKET_OPENING
from authz.principals import StaffPrincipal
from db import models as m
from db.queries import ticket_actions as actions
from db.queries import tickets as reads
from db.queries.accounts import account_of
from db.queries.viewer import viewer
from mailer.compose import NewTicket, compose
from mailer.links import brand_of
from mailer.outbox import enqueue
from resolvers import webhooks
from resolvers.kit import audited
from schema.kit import ids
from schema.kit.context import Context
from schema.kit.errors import BadUserInput, NotFound
from schema.kit.names import full_name
from schema.kit.permissions import permitted
from schema.tickets import Ticket, TicketStatus, TicketUrgency
from sportello.base.clock import now_utc

ContextInfo = Info[Context, None]


@strawberry.input
class OpenTicketInput:
    site_id: strawberry.ID
    department_id: strawberry.ID
    reference_person: str
    notes: str
    phone: str | None = None
    equipment_id: strawberry.ID | None = None
    urgency: TicketUrgency = TicketUrgency.NORMAL
    idempotency_key: str | None = strawberry.field(
        default=None, description="The same key on a retry returns the first ticket."
    )


def _required(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise BadUserInput(field, "is required")
    if len(value) > limit:
        raise BadUserInput(field, f"use at most {limit} characters")
    return value


async def _author_name(info: ContextInfo) -> str:
    mine = account_of(info.context.principal)
    assert mine is not None  # opening tickets is for staff and contacts only (the policy)
    who = await viewer(info.context.db, *mine)
    return full_name(who.first_name, who.last_name)


async def _load(info: ContextInfo, ticket_id: uuid.UUID) -> Ticket:
    context = info.context
    rows = await reads.tickets_by_id(context.db, context.rows.scope, [ticket_id])
    if rows[0] is None:
        raise NotFound("ticket")
    return Ticket.from_row(rows[0])


async def _handled(info: ContextInfo, id: strawberry.ID) -> actions.TicketState:
    ticket_id = ids.decode("Ticket", id)
    found = (
        await actions.ticket_state(info.context.db, info.context.rows.scope, ticket_id)
        if ticket_id is not None
        else None
    )
    if found is None:
        raise NotFound("ticket")
    return found


@strawberry.type
class TicketMutation:
    @strawberry.mutation(
        description="Open a ticket at one of your sites.", extensions=permitted(TICKET_OPENING)
    )
    async def open_ticket(self, info: ContextInfo, input: OpenTicketInput) -> Ticket:
        context = info.context
        db, scope = context.db, context.rows.scope
        author = account_of(context.principal)
        assert author is not None  # opening tickets is for staff and contacts only (the policy)
        key = input.idempotency_key
        if key is not None:
            key = _required("idempotencyKey", key, 100)
            earlier = await actions.ticket_by_key(db, scope, author, key)
            if earlier is not None:
                return await _load(info, earlier)
        reference = _required("referencePerson", input.reference_person, 200)
        notes = _required("notes", input.notes, 4000)
        phone = input.phone.strip() if input.phone else None
        if phone is not None and len(phone) > 40:
            raise BadUserInput("phone", "use at most 40 characters")
        site_id = ids.decode("Site", input.site_id)
        where = await actions.place(db, scope, site_id) if site_id is not None else None
        if where is None:
            raise NotFound("site")
        department_id = ids.decode("Department", input.department_id)
        department = (
            await actions.department_name(db, scope, department_id)
            if department_id is not None
            else None
        )
        if department is None:
            raise BadUserInput("departmentId", "choose one of the departments offered")
        equipment_id = None
        if input.equipment_id is not None:
            equipment_id = ids.decode("Equipment", input.equipment_id)
            if equipment_id is None or not await actions.equipment_at(
                db, scope, equipment_id, where.site_id
            ):
                raise NotFound("equipment at this site")
        opened = await actions.insert_ticket(
            db,
            scope.organization_id,
            {
                "client_id": where.client_id,
                "site_id": where.site_id,
                "department_id": department_id,
                "equipment_id": equipment_id,
                "reference_person": reference,
                "phone": phone,
                "notes": notes,
                "urgency": input.urgency.value,
                "status": m.TicketStatus.OPEN.value,
                **actions.opened_by(author),
                "idempotency_key": key,
            },
        )
        if opened is None:
            # The same submission, sent twice at once: the other one opened it.
            assert key is not None
            earlier = await actions.ticket_by_key(db, scope, author, key)
            if earlier is None:
                raise NotFound("ticket")
            return await _load(info, earlier)
        ticket_id, number = opened
        notice = compose(
            NewTicket(
                number=str(number),
                client_name=where.client_name,
                site_name=where.site_name,
                department=department,
                urgency=input.urgency.value,
                reference_person=reference,
                phone=phone or "",
                notes=notes,
                opened_at=now_utc(),
                opened_by=await _author_name(info),
            ),
            await brand_of(db, scope.organization_id),
        )
        await enqueue(
            db,
            organization_id=scope.organization_id,
            kind=notice.kind,
            to_address=await actions.notification_email(db, scope.organization_id),
            locale=notice.locale,
            subject=notice.subject,
            body_text=notice.text,
            body_html=notice.html,
            dedupe_key=f"new_ticket:{ticket_id}",
        )
        await audited.record(context, "ticket_opened", "Ticket", ticket_id)
        await webhooks.notify(context, m.WebhookEvent.TICKET_OPENED, ticket_id)
        return await _load(info, ticket_id)

    @strawberry.mutation(
        description="Change a ticket's status (staff).", extensions=permitted(BACK_OFFICE_ONLY)
    )
    async def set_ticket_status(
        self, info: ContextInfo, id: strawberry.ID, status: TicketStatus
    ) -> Ticket:
        context = info.context
        ticket = await _handled(info, id)
        await actions.set_status(context.db, ticket, status, now_utc())
        await audited.record(
            context,
            "ticket_status_changed",
            "Ticket",
            ticket.id,
            {"from": ticket.status, "to": status.value},
        )
        await webhooks.notify(
            context, m.WebhookEvent.TICKET_STATUS_CHANGED, ticket.id, status=status.value
        )
        return await _load(info, ticket.id)

    @strawberry.mutation(
        description="Comment on a ticket (staff); visibleToClient shows it on the portal.",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def add_ticket_comment(
        self,
        info: ContextInfo,
        ticket_id: strawberry.ID,
        body: str,
        visible_to_client: bool = False,
    ) -> Ticket:
        context = info.context
        text = _required("body", body, 4000)
        ticket = await _handled(info, ticket_id)
        staff = context.principal
        assert isinstance(staff, StaffPrincipal)
        comment = await actions.add_comment(
            context.db,
            context.rows.scope.organization_id,
            ticket,
            staff.user_id,
            text,
            visible_to_client,
            now_utc(),
        )
        await audited.record(
            context, "ticket_commented", "TicketComment", comment, {"visible": visible_to_client}
        )
        return await _load(info, ticket.id)

    @strawberry.mutation(
        description="Assign a ticket to a staff user, or unassign it (staff).",
        extensions=permitted(BACK_OFFICE_ONLY),
    )
    async def assign_ticket(
        self, info: ContextInfo, id: strawberry.ID, staff_user_id: strawberry.ID | None = None
    ) -> Ticket:
        context = info.context
        ticket = await _handled(info, id)
        assignee = None
        if staff_user_id is not None:
            assignee = ids.decode("StaffUser", staff_user_id)
            if assignee is None or not await actions.active_staff(
                context.db, context.rows.scope, assignee
            ):
                raise BadUserInput("staffUserId", "no active staff user has this id")
        await actions.assign(context.db, ticket.id, assignee)
        await audited.record(context, "ticket_assigned", "Ticket", ticket.id)
        return await _load(info, ticket.id)
