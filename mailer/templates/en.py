"""English wording of every message. Placeholders in braces are filled (and escaped for HTML)."""

from __future__ import annotations

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

STRINGS = {
    "format.date": "{day} {month} {year}",
    "format.datetime": "{weekday} {date} at {time}",
    "greeting": "Hello {name},",
    "greeting.staff": "Hello,",
    "closing": "Kind regards,",
    "footer": "Automatic message from {org}, sent through the client portal.",
    "link_hint": "If the button does not work, copy this address into your browser:",
    "label.activity": "Activity",
    "label.site": "Site",
    "label.address": "Address",
    "label.when": "Date and time",
    "label.previously": "Previously",
    "label.technician": "Technician",
    "label.work_done": "Work done",
    "label.client": "Client",
    "label.contract": "Contract",
    "label.expires_on": "Expires on",
    "label.days_left": "Days left",
    "label.department": "Department",
    "label.urgency": "Urgency",
    "label.reference_person": "Reference person",
    "label.phone": "Phone",
    "label.equipment": "Equipment",
    "label.notes": "Notes",
    "label.opened_by": "Opened by",
    "urgency.LOW": "low",
    "urgency.NORMAL": "normal",
    "urgency.HIGH": "high",
    "urgency.CRITICAL": "critical",
    "visit_reminder.subject": "{org}: reminder of your visit on {date}",
    "visit_reminder.body": "This is a reminder of the visit “{activity}”, scheduled for {when}.",
    "visit_reminder.note": (
        "If the date does not suit you, contact us or, where allowed, reschedule the "
        "appointment on the client portal."
    ),
    "signed_worksheet.subject": "{org}: signed work sheet no. {number}",
    "signed_worksheet.body": (
        "Here is a copy of work sheet no. {number} of {date} at {site}, signed by {signed_by}."
    ),
    "signed_worksheet.attached": "The signed document is attached as a PDF.",
    "signed_worksheet.in_portal": "You can view the document on the client portal.",
    "contract_expiry.subject": "Contract {number} of {client} expires on {date}",
    "contract_expiry.body": (
        "Contract {number} ({contract_kind}) of client {client} expires on {date}."
    ),
    "contract_expiry.note": "Consider arranging the renewal with the client.",
    "invitation.subject": "{org}: your access to the client portal",
    "invitation.body": (
        "{org} has created an access to the client portal for you. To choose your password, "
        "open the link below: it works once and expires on {expires}."
    ),
    "invitation.action": "Choose your password",
    "invitation.ignore": "If you did not expect this message, you can ignore it.",
    "password_reset.subject": "{org}: reset your password",
    "password_reset.body": (
        "We received a request to reset the password of your client portal access. The link "
        "below works once and expires on {expires}."
    ),
    "password_reset.action": "Reset your password",
    "password_reset.ignore": (
        "If you did not ask for this, ignore this message: your password stays the same."
    ),
    "booking_confirmation.subject": "{org}: booking received for {date}",
    "booking_confirmation.body": "We have registered your booking of “{activity}” for {when}.",
    "appointment_cancelled.subject": "{org}: visit on {date} cancelled",
    "appointment_cancelled.body": (
        "The visit “{activity}”, scheduled for {when}, has been cancelled."
    ),
    "appointment_cancelled.note": (
        "To arrange a new appointment, contact us or, where allowed, book one on the client portal."
    ),
    "appointment_moved.subject": "{org}: visit moved to {date}",
    "appointment_moved.body": (
        "The visit “{activity}”, scheduled for {previous}, has been moved to {when}."
    ),
    "new_ticket.subject": "New ticket no. {number} from {client} ({urgency} urgency)",
    "new_ticket.body": "A new ticket was opened on the client portal on {when}.",
}
