"""The substitution codes of activity types' portal texts, and the one function filling them.

Staff write an activity type's portal title and descriptions with codes such as
``{site.name}``; for one appointment the portal (schema/activity_types.py) and every mail
about it (mailer/notifications.py) fill them here, so a contact reads the same words in
both. It lives beside the mailer because it is pure and the mail queries, which sit below the
schema, need it too.
"""

from __future__ import annotations

import datetime as dt
import re

# The substitution codes a portal text may hold, each with what it becomes for one appointment.
# The single list: filling (substitute), the check when staff save a template
# (resolvers/activity_type_actions.py) and the README's list all come from here.
SUBSTITUTION_CODES: dict[str, str] = {
    "site.name": "the name of the appointment's site",
    "site.address": "the address of the appointment's site",
    "date": "the day of the appointment (dd/mm/yyyy)",
    "technician.first_name": "the first name of the technician (empty while nobody is assigned)",
}
_CODE = re.compile(r"\{([^{}]*)\}")
_SPACES = re.compile(r"[ \t]{2,}")
_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([.,;:!?)])")


def unknown_codes(template: str) -> list[str]:
    """Whatever ``template`` holds in braces that is not a substitution code, in order."""
    return [code for code in _CODE.findall(template) if code not in SUBSTITUTION_CODES]


def substitute(
    template: str,
    *,
    site_name: str,
    site_address: str,
    day: dt.date,
    technician_first_name: str | None,
) -> str:
    """``template`` with every code filled for one appointment; other braces stay as written.

    ``day`` is the appointment's day in the organization's time zone. A code without a value
    (no technician assigned yet) leaves no double space behind.
    """
    values = {
        "site.name": site_name,
        "site.address": site_address,
        "date": day.strftime("%d/%m/%Y"),
        "technician.first_name": technician_first_name or "",
    }
    text = template
    for code, value in values.items():
        text = text.replace("{" + code + "}", value)
    return _BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text))
