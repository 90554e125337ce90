"""Two ``sportello serve`` processes on one database behave as one service (issue 26).

What a user logs into, downloads, spends or books on one process holds on the other, because
every piece of shared state lives in PostgreSQL or comes from the settings (docs/scaling.md).
The anonymous limit per address across two processes is tested with the rest of admission
(tests/security/test_admission.py); the mail workers are two ``sportello worker`` processes.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa

from schema.kit import ids
from tests.api import Demo
from tests.api.appointments.test_booking import BOOK, booker, booking, first_slot
from tests.conftest import Databases
from tests.mailer import rows
from tests.mailer.smtp import HOST, SmtpServer
from tests.security.conftest import Live, serving
from tests.security.test_admission import rate_limited, two_processes, within_one_minute
from tests.sportello.test_cli import assert_one_line_error, sportello

SIGNING_KEY = "two-processes-" + "k" * 32
VIEWER = "{ viewer { kind } }"
LOGOUT = "mutation { logout }"
CLIENTS = "{ clients(first: 1) { edges { node { name } } } }"
DOWNLOAD_URL = "query($id: ID!) { document(id: $id) { downloadUrl } }"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PARTNER_REQUESTS = 4
MESSAGES = 40


@pytest.fixture(scope="module")
async def pair(
    databases: Databases, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Live, Live]]:
    """Two servers on one copy of the demo data, configured as an operator runs several: one
    signing key, one document store (a shared folder here)."""
    async with two_processes(
        databases,
        seeded_template,
        tmp_path_factory,
        SPORTELLO_FILE_SIGNING_KEY=SIGNING_KEY,
        SPORTELLO_FILES_DIR=str(tmp_path_factory.mktemp("files")),
        SPORTELLO_PARTNER_REQUESTS_PER_MINUTE=str(PARTNER_REQUESTS),
    ) as servers:
        yield servers


async def test_a_session_made_on_one_process_works_and_ends_on_the_other(
    pair: tuple[Live, Live],
) -> None:
    first, second = pair
    token = await first.fresh_token("staff admin")
    assert (await second.data(VIEWER, token))["viewer"]["kind"] == "STAFF"
    assert (await second.data(LOGOUT, token))["logout"] is True
    ended = (await first.gql(VIEWER, token=token)).json()
    assert ended["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_download_link_signed_by_one_process_opens_on_the_other(
    pair: tuple[Live, Live],
) -> None:
    first, second = pair
    token = await first.token("staff admin")
    revision = await first.scalar(
        "SELECT r.id FROM revision r JOIN organization o ON o.id = r.organization_id "
        "WHERE o.slug = 'brillanti' ORDER BY r.id LIMIT 1"
    )
    uploaded = await first.request(
        "POST",
        "/files",
        data={"ownerId": str(ids.encode("Revision", revision)), "kind": "CHECKLIST"},
        files={"file": ("verbale.pdf", PDF, "application/pdf")},
        headers={"authorization": f"Bearer {token}"},
    )
    assert uploaded.status_code == 201, uploaded.text
    link = (await first.data(DOWNLOAD_URL, token, id=uploaded.json()["id"]))["document"]
    path = "/" + link["downloadUrl"].split("/", 3)[3]
    downloaded = await second.request("GET", path, headers={"authorization": f"Bearer {token}"})
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content == PDF


async def test_a_partner_budget_counts_the_requests_of_both_processes(
    pair: tuple[Live, Live],
) -> None:
    first, second = pair
    token = await first.partner_token()

    async def attempt() -> None:
        for server in (first, second) * (PARTNER_REQUESTS // 2):
            assert "errors" not in (await server.gql(CLIENTS, token=token)).json()
        for server in (first, second):
            rate_limited(await server.gql(CLIENTS, token=token))

    await within_one_minute(attempt)


async def test_twenty_bookings_of_one_slot_spread_over_both_make_one_appointment(
    pair: tuple[Live, Live],
) -> None:
    first, second = pair
    # The live servers answer the calls the in-process Demo answers (scalar, execute, login,
    # data): the booking helpers of the single-process tests run against them unchanged.
    who = await booker(cast(Demo, first))
    slot = await first_slot(cast(Demo, first), who)
    count = "SELECT count(*) FROM intervention WHERE status <> 'CANCELLED'"
    before = await first.scalar(count)
    answers = await asyncio.gather(
        *(
            (first, second)[n % 2].gql(
                BOOK, {"input": booking(who, slot["startsAt"])}, token=who["token"]
            )
            for n in range(20)
        )
    )
    codes = sorted(
        "BOOKED" if body.get("data") else body["errors"][0]["extensions"]["code"]
        for body in (answer.json() for answer in answers)
    )
    assert codes == ["BOOKED"] + ["CONFLICT"] * 19
    assert await first.scalar(count) == before + 1


async def test_two_worker_processes_never_send_one_message_twice(
    pair: tuple[Live, Live], tmp_path: Path
) -> None:
    first, _ = pair
    async with first.engine.begin() as connection:
        org = await connection.scalar(
            sa.text("SELECT id FROM organization WHERE slug = 'brillanti'")
        )
        queued = [
            await rows.message(connection, org, to_address=f"person{n}@client.example")
            for n in range(MESSAGES)
        ]
    smtp = SmtpServer()
    await smtp.start()
    try:
        environment = worker_environment(first.database_url, tmp_path, smtp.port)
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "sportello",
                "worker",
                "--once",
                env=environment,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        outputs = [(await worker.communicate())[0].decode() for worker in workers]
    finally:
        await smtp.stop()
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    sent = [int(re.findall(r"sent (\d+) messages", output)[-1]) for output in outputs]
    received = smtp.recorder.message_ids()
    assert len(received) == len(set(received)) == sum(sent)
    delivered = {each.split("@")[0].strip("<") for each in received}
    assert {str(message) for message in queued} <= delivered
    print(f"messages sent by each worker: {sent}")


def worker_environment(database_url: str, data_dir: Path, smtp_port: int) -> dict[str, str]:
    """A worker's environment: the test's database and SMTP server, nothing of this shell's."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    return inherited | {
        "DATABASE_URL": database_url,
        "SPORTELLO_DATA_DIR": str(data_dir),
        "SPORTELLO_SMTP_HOST": HOST,
        "SPORTELLO_SMTP_PORT": str(smtp_port),
        "SPORTELLO_SMTP_SECURITY": "plain",
    }


# ---- serve --workers N -----------------------------------------------------------------------


def test_several_workers_without_a_signing_key_are_refused(
    tmp_path: Path, database_url: str
) -> None:
    result = sportello("serve", "--workers", "2", cwd=tmp_path, DATABASE_URL=database_url)
    assert_one_line_error(result, "SPORTELLO_FILE_SIGNING_KEY")


async def test_serve_with_two_workers_answers_and_stops_them_all(
    pair: tuple[Live, Live], tmp_path: Path
) -> None:
    """Both processes start on one port; a process that dies takes the set down with one line
    (the process manager restarts it whole); SIGTERM stops them all gracefully."""
    first, _ = pair
    for ending in ("child dies", "SIGTERM"):
        workdir = tmp_path / ending.replace(" ", "_")
        workdir.mkdir()
        async with serving(
            first.database_url,
            workdir,
            SPORTELLO_WORKERS="2",
            SPORTELLO_FILE_SIGNING_KEY=SIGNING_KEY,
        ) as server:
            children = started_children(server)
            token = await server.fresh_token("staff admin")
            answers = await asyncio.gather(*(server.gql(VIEWER, token=token) for _ in range(8)))
            assert {answer.status_code for answer in answers} == {200}
            if ending == "SIGTERM":
                server.process.send_signal(signal.SIGTERM)
            else:
                os.kill(children[0], signal.SIGKILL)
            status = await asyncio.to_thread(server.process.wait, 30)
        log = server.log()
        assert status == (0 if ending == "SIGTERM" else 1), log
        assert "Traceback" not in log
        for child in children:
            assert not alive(child)
        if ending == "SIGTERM":
            assert log.count("Finished server process") == 2, log
        else:
            assert f"server process {children[0]} ended (killed by SIGKILL)" in log


def started_children(server: Live) -> list[int]:
    found = re.search(r"with 2 processes \((\d+), (\d+)\)", server.log())
    assert found is not None, server.log()
    return [int(pid) for pid in found.groups()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
