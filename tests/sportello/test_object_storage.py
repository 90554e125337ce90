"""Documents in an S3 bucket: a real S3 server (moto's server mode) on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from db.engine import create_engine
from db.queries.organization_logo import logo_key
from db.seed.logos import logo_png
from db.storage import open_store
from mailer.worker import run_worker
from schema.kit import ids
from tests.api import Demo
from tests.api.worksheets.kit import SIGN, draft_with_readers
from tests.conftest import MakeClient
from tests.mailer.conftest import mail_settings
from tests.mailer.smtp import SmtpServer
from tests.sportello.test_cli import assert_one_line_error, sportello
from tests.sportello.test_files_route import PDF, site_revision

AWS = {
    "AWS_ACCESS_KEY_ID": "sportello-test",
    "AWS_SECRET_ACCESS_KEY": "sportello-test-secret",
    "AWS_REGION": "us-east-1",
}
BIG = b"%PDF-1.7\n" + bytes(range(256)) * 8_000  # about 2 MB: several reads of the upload


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def start_moto(**env: str) -> tuple[subprocess.Popen[bytes], str]:
    """moto's S3 server on a free loopback port, and its endpoint."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            return server, endpoint
        except httpx.TransportError:
            assert time.monotonic() < deadline, "moto did not start"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """The endpoint of an S3 server, with the AWS_* variables the store reads set."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in AWS.items():
            env.setenv(name, value)
        server, endpoint = start_moto()
        try:
            yield endpoint
        finally:
            server.terminate()
            server.wait(timeout=10)


def new_bucket(endpoint: str, name: str) -> str:
    """Create a bucket (moto accepts the unsigned request) and return its s3:// URL."""
    httpx.put(f"{endpoint}/{name}").raise_for_status()
    return f"s3://{name}/documents"


async def object_hash(location: str, endpoint: str, key: str) -> str | None:
    return await open_store(location, endpoint).hash_of(key)


class Bucketed(Demo):
    def __init__(self, demo: Demo, location: str) -> None:
        super().__init__(demo.engine, demo.client)
        self.location = location

    async def upload(self, data: bytes = PDF) -> httpx.Response:
        owner = ids.encode("Revision", await site_revision(self))  # type: ignore[arg-type]
        admin = await self.as_("staff admin")
        return await self.client.post(
            "/files",
            data={"ownerId": owner, "kind": "CHECKLIST", "portalVisible": "true"},
            files={"file": ("verbale finale.pdf", data)},
            headers={"authorization": f"Bearer {admin}"},
        )

    async def download(self, document: str) -> httpx.Response:
        admin = await self.as_("staff admin")
        found = await self.data(
            "query($id: ID!) { document(id: $id) { downloadUrl } }", admin, id=document
        )
        url = httpx.URL(found["document"]["downloadUrl"])
        return await self.client.get(
            f"{url.path}?{url.query.decode()}", headers={"authorization": f"Bearer {admin}"}
        )


async def bucketed(
    make_client: MakeClient, database: str, endpoint: str, bucket: str, **settings: object
) -> Bucketed:
    location = new_bucket(endpoint, bucket)
    client = await make_client(
        database, storage_url=location, storage_endpoint=endpoint, **settings
    )
    return Bucketed(Demo(create_engine(database, pool_size=1), client), location)


@pytest.fixture
async def bucket(make_client: MakeClient, demo_database: str, s3: str) -> AsyncIterator[Bucketed]:
    built = await bucketed(make_client, demo_database, s3, f"streamed-{uuid.uuid4().hex[:12]}")
    yield built
    await built.engine.dispose()


async def test_an_upload_lands_in_the_bucket_and_streams_back(bucket: Bucketed, s3: str) -> None:
    response = await bucket.upload(BIG)
    assert response.status_code == 201, response.text
    sha = hashlib.sha256(BIG).hexdigest()
    assert response.json()["sha256"] == sha
    document = response.json()["id"]
    key = await bucket.scalar(
        "SELECT storage_key FROM document WHERE id = :d", d=ids.decode("Document", document)
    )
    assert await open_store(bucket.location, s3).hash_of(key) == sha
    download = await bucket.download(document)
    assert download.status_code == 200
    assert download.content == BIG
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-length"] == str(len(BIG))
    assert "verbale%20finale.pdf" in download.headers["content-disposition"]


async def test_a_presigned_download_redirects_to_the_bucket(
    make_client: MakeClient, demo_database: str, s3: str
) -> None:
    bucket = await bucketed(make_client, demo_database, s3, "presigned", storage_presign_seconds=60)
    uploaded = (await bucket.upload()).json()
    answer = await bucket.download(uploaded["id"])
    assert answer.status_code == 302
    target = answer.headers["location"]
    assert target.startswith(f"{s3}/presigned/documents/")
    assert "X-Amz-Expires=60" in target
    async with httpx.AsyncClient() as bucket_client:
        fetched = await bucket_client.get(target)
    assert fetched.content == PDF
    assert "verbale%20finale.pdf" in fetched.headers["content-disposition"]
    downloads = await bucket.scalar(
        "SELECT count(*) FROM audit_event WHERE action = 'document_downloaded' AND subject_id = :d",
        d=ids.decode("Document", uploaded["id"]),
    )
    assert downloads == 1
    await bucket.engine.dispose()


async def test_a_file_missing_from_the_bucket_is_the_usual_404_and_logged(
    bucket: Bucketed, s3: str, caplog: pytest.LogCaptureFixture
) -> None:
    uploaded = (await bucket.upload()).json()
    document = ids.decode("Document", uploaded["id"])
    key = await bucket.scalar("SELECT storage_key FROM document WHERE id = :d", d=document)
    await open_store(bucket.location, s3).discard(key)
    with caplog.at_level(logging.ERROR, logger="sportello.files"):
        answer = await bucket.download(uploaded["id"])
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["message"] == "No such file."
    assert [r.levelno for r in caplog.records if str(document) in r.getMessage()] == [logging.ERROR]


async def test_a_store_failing_during_the_upload_leaves_no_document(
    make_client: MakeClient, demo_database: str, s3: str
) -> None:
    client = await make_client(
        demo_database, storage_url="s3://no-such-bucket/x", storage_endpoint=s3
    )
    broken = Bucketed(Demo(create_engine(demo_database, pool_size=1), client), "")
    before = await broken.scalar("SELECT count(*) FROM document")
    response = await broken.upload(BIG)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert await broken.scalar("SELECT count(*) FROM document") == before
    await broken.engine.dispose()


async def test_a_signed_work_sheet_s_pdf_goes_to_the_bucket_and_into_the_mail(
    bucket: Bucketed, s3: str, demo_database: str, tmp_path: Path
) -> None:
    store = open_store(bucket.location, s3)
    organization = await bucket.scalar("SELECT id FROM organization WHERE slug = 'brillanti'")
    png = logo_png("brillanti")
    sha = hashlib.sha256(png).hexdigest()
    await store.write(logo_key(organization, sha), chunks_of(png), "image/png")
    await bucket.execute(
        "UPDATE organization SET logo_sha256 = :s, logo_mime_type = 'image/png' WHERE id = :o",
        s=sha,
        o=organization,
    )
    sheet, _ = await draft_with_readers(bucket)
    await bucket.execute("DELETE FROM outbox_message")
    admin = await bucket.as_("staff admin")
    await bucket.data(SIGN, admin, id=ids.encode("WorkSheet", sheet), by="Mario Bianchi")
    key, pdf_sha = await bucket.scalar(
        "SELECT ARRAY[storage_key, sha256] FROM document WHERE work_sheet_id = :w", w=sheet
    )
    assert await store.hash_of(key) == pdf_sha
    opened = await store.open(key)
    assert opened is not None
    pdf = b"".join([chunk async for chunk in opened.chunks])
    assert b"/Subtype /Image" in pdf  # the logo, read from the bucket

    smtp = SmtpServer()
    await smtp.start()
    try:
        settings = mail_settings(
            demo_database, tmp_path, smtp.port, storage_url=bucket.location, storage_endpoint=s3
        )
        await run_worker(settings, once=True, batch_size=500)
    finally:
        await smtp.stop()
    attached = [a.get_content() for m in smtp.recorder.messages for a in m.iter_attachments()]
    assert attached
    assert all(content == pdf for content in attached)


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.mark.parametrize(
    ("bucket_name", "reachable", "expected"),
    [
        ("absent-bucket", True, "the bucket does not exist"),
        ("docs", False, "unreachable"),
    ],
)
def test_serve_refuses_a_store_it_cannot_use(
    tmp_path: Path, database_url: str, s3: str, bucket_name: str, reachable: bool, expected: str
) -> None:
    endpoint = s3 if reachable else f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = sportello(
        "serve",
        cwd=tmp_path,
        DATABASE_URL=database_url,
        SPORTELLO_PORT=str(free_port()),
        SPORTELLO_STORAGE_URL=f"s3://{bucket_name}/files",
        SPORTELLO_STORAGE_ENDPOINT=endpoint,
    )
    assert_one_line_error(result, "the document store cannot be used", expected)
    assert time.monotonic() - started < 60


def test_serve_refuses_credentials_the_store_rejects(tmp_path: Path, database_url: str) -> None:
    # This server checks signatures (no access key is known to it): every key is wrong.
    server, endpoint = start_moto(INITIAL_NO_AUTH_ACTION_COUNT="0")
    try:
        result = sportello(
            "serve",
            cwd=tmp_path,
            DATABASE_URL=database_url,
            SPORTELLO_PORT=str(free_port()),
            SPORTELLO_STORAGE_URL="s3://docs/files",
            SPORTELLO_STORAGE_ENDPOINT=endpoint,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert_one_line_error(result, "the credentials were refused")


async def test_copy_moves_a_folder_to_the_bucket_verifying_every_hash(
    tmp_path: Path, s3: str
) -> None:
    folder = tmp_path / "files"
    contents = [PDF, BIG, b"\x89PNG\r\n\x1a\n" + bytes(100)]
    keys = []
    for data in contents:
        sha = hashlib.sha256(data).hexdigest()
        keys.append(f"{sha[:2]}/{sha}-{sha[:32]}")
        (folder / keys[-1]).parent.mkdir(parents=True, exist_ok=True)
        (folder / keys[-1]).write_bytes(data)
    damaged = f"{'0' * 2}/{'0' * 64}"
    (folder / damaged).parent.mkdir(parents=True)
    (folder / damaged).write_bytes(b"%PDF- not what the name says")
    (folder / ".incoming").mkdir()
    (folder / ".incoming" / "unfinished").write_bytes(b"half an upload")
    target = new_bucket(s3, "copied")

    first = await copy(tmp_path, folder, target, s3)
    assert first.returncode == 1
    assert first.stdout.strip() == "copied 3, already there 0, refused 1"
    assert f"{damaged}: its content does not match its name" in first.stderr
    for key, data in zip(keys, contents, strict=True):
        assert await object_hash(target, s3, key) == hashlib.sha256(data).hexdigest()
    assert await object_hash(target, s3, damaged) is None
    assert await object_hash(target, s3, ".incoming/unfinished") is None

    (folder / damaged).unlink()
    again = await copy(tmp_path, folder, target, s3)
    assert (again.returncode, again.stdout.strip()) == (0, "copied 0, already there 3, refused 0")


async def copy(
    cwd: Path, folder: Path, target: str, endpoint: str
) -> subprocess.CompletedProcess[str]:
    """``sportello storage copy`` of ``folder`` to ``target``."""
    return await asyncio.to_thread(
        sportello,
        "storage",
        "copy",
        "--from",
        str(folder),
        "--to",
        target,
        cwd=cwd,
        SPORTELLO_STORAGE_ENDPOINT=endpoint,
    )


def test_copy_to_a_missing_bucket_is_one_line(tmp_path: Path, s3: str) -> None:
    result = sportello(
        "storage",
        "copy",
        "--from",
        str(tmp_path),
        "--to",
        "s3://not-there/files",
        cwd=tmp_path,
        SPORTELLO_STORAGE_ENDPOINT=s3,
    )
    assert_one_line_error(result, "not-there", "the bucket does not exist")
