"""The demo accounts printed after seeding; they are fixed data, known without a database."""

from __future__ import annotations

from dataclasses import dataclass

from db.seed.italy import ITALY
from db.seed.profiles import Profile
from db.seed.spain import SPAIN

# Every account of the demo has this password (demo data only; never use it anywhere else).
DEMO_PASSWORD = "Sportello-demo-2024!"  # noqa: S105 - published demo credential

PROFILES: tuple[Profile, ...] = (ITALY, SPAIN)


@dataclass(frozen=True)
class DemoLogin:
    """An account to try the demo with: who it is, where it logs in, and its credentials."""

    role: str
    organization: str
    identifier: str
    password: str


def demo_logins() -> list[DemoLogin]:
    """The four demo logins of each organization, in a fixed order."""
    logins: list[DemoLogin] = []
    for profile in PROFILES:
        accounts = (
            ("staff admin", profile.admin.email),
            ("contact of one client", profile.single_client.contact.email),
            ("contact of several clients", profile.group_contact.email),
            ("contact limited to one site", profile.site_client.contact.email),
        )
        logins.extend(
            DemoLogin(role, profile.slug, email, DEMO_PASSWORD) for role, email in accounts
        )
    return logins
