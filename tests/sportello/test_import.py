"""Import and sync by external reference, as an operator and a back office use it: the sample
files of docs/import into an empty organization, again (nothing changes), changed (only the
changed rows), broken (nothing written, the line named); references by external reference,
never across organizations; the CLI end to end and the staff mutation."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from sportello.importing import import_files, planned
from tests import factories
from tests.api import Demo
from tests.sportello.test_cli import environment

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "import"
ENTITIES = ("clients", "departments", "sites", "equipment", "contracts")
TABLES = {"clients": "client", "departments": "department", "sites": "site"}
TABLES |= {"equipment": "equipment", "contracts": "contract"}


def sample_rows(entity: str) -> int:
    return len((SAMPLES / f"{entity}.csv").read_text(encoding="utf-8").splitlines()) - 1


async def run_import(
    engine: AsyncEngine, paths: list[Path], org: str = "acme", dry_run: bool = False
) -> tuple[bool, list[list[str]]]:
    """Import ``paths`` as the CLI does; whether all rows were accepted, and the report's
    rows (file:line, externalRef, outcome, details) without the summaries."""
    out = io.StringIO()
    accepted = await import_files(engine, org, planned(paths, None), dry_run=dry_run, out=out)
    lines = out.getvalue().splitlines()
    return accepted, [line.split("\t") for line in lines if "\t" in line]


def written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        found = {
            entity: await connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for entity, table in TABLES.items()
        }
        found["audit"] = await connection.scalar(sa.text("SELECT count(*) FROM audit_event"))
    return found


@pytest.fixture
async def acme(engine: AsyncEngine) -> AsyncEngine:
    """An empty organization ``acme`` (and ``other``, whose records it must never reach)."""
    await factories.organization(engine, "acme")
    await factories.organization(engine, "other")
    return engine


async def test_each_sample_imports_into_an_empty_organization_and_again_changes_nothing(
    acme: AsyncEngine,
) -> None:
    paths = [SAMPLES / f"{entity}.csv" for entity in reversed(ENTITIES)]  # any order given
    accepted, rows = await run_import(acme, paths)
    assert accepted
    assert {row[2] for row in rows} == {"created"}
    found = await counts(acme)
    for entity in ENTITIES:
        assert found[entity] == sample_rows(entity), entity
    created = sum(sample_rows(entity) for entity in ENTITIES)
    assert found["audit"] == created + len(ENTITIES)  # one per record, one summary per file
    async with acme.connect() as connection:
        site = (
            await connection.execute(
                sa.text(
                    "SELECT s.city, s.lat, c.code FROM site s JOIN client c ON c.id = s.client_id "
                    "WHERE s.external_ref = 'ERP-S-0003'"
                )
            )
        ).one()
        event = await connection.scalar(
            sa.text(
                "SELECT details FROM audit_event WHERE action = 'client_created' "
                "AND details->'after'->>'code' = 'ROSSI'"
            )
        )
    assert (site.city, str(site.lat), site.code) == ("Bologna", "44.499240", "BIANCHI")
    assert event["source"] == "sportello import"
    assert event["after"]["name"] == "Rossi Costruzioni S.r.l."

    accepted, rows = await run_import(acme, paths)
    assert accepted
    assert {row[2] for row in rows} == {"unchanged"}
    assert await counts(acme) == found


async def test_a_changed_file_updates_only_the_changed_rows(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    await run_import(acme, [SAMPLES / "clients.csv"])
    before = await counts(acme)
    text = (SAMPLES / "clients.csv").read_text(encoding="utf-8")
    changed = text.replace("info@panificiobianchi.it", "ordini@panificiobianchi.it")
    accepted, rows = await run_import(acme, [written(tmp_path, "clients.csv", changed)])
    assert accepted
    assert [row[1:] for row in rows if row[2] != "unchanged"] == [
        ["ERP-C-0002", "updated", "email"]
    ]
    assert await counts(acme) == before | {"audit": before["audit"] + 2}
    async with acme.connect() as connection:
        details = await connection.scalar(
            sa.text("SELECT details FROM audit_event WHERE action = 'client_changed'")
        )
    assert details["before"] == {"email": "info@panificiobianchi.it"}
    assert details["after"] == {"email": "ordini@panificiobianchi.it"}


async def test_a_broken_file_writes_nothing_and_names_the_line_and_field(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    broken = written(
        tmp_path,
        "clients.csv",
        "externalRef,code,name,email\n"
        "X-1,C1,Uno S.r.l.,uno@example.it\n"
        "X-2,C2,Due S.r.l.,non-una-email\n"
        'X-3,C3,"Tre, quattro S.n.c.",tre@example.it\n'
        "X-4,C4\n",
    )
    accepted, rows = await run_import(acme, [broken])
    assert not accepted
    refused = [row for row in rows if row[2] == "refused"]
    assert refused == [
        ["clients.csv:3", "X-2", "refused", "email: is not an email address"],
        ["clients.csv:5", "-", "refused", "line: has 2 cells where the header names 4"],
    ]
    assert [row[2] for row in rows if row[2] != "refused"] == ["created", "created"]
    assert await counts(acme) == dict.fromkeys((*ENTITIES, "audit"), 0)


async def test_a_duplicate_external_reference_or_code_in_a_file_is_refused(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    path = written(
        tmp_path,
        "clients.csv",
        "externalRef,code,name\nX-1,C1,Uno\nX-1,C2,Due\nX-3,C1,Tre\n",
    )
    accepted, rows = await run_import(acme, [path])
    assert not accepted
    assert [row[3] for row in rows if row[2] == "refused"] == [
        "externalRef: line 2 has the same one; give each record its own",
        "code: line 2 has the same one",
    ]
    assert (await counts(acme))["clients"] == 0


async def test_unknown_and_foreign_references_are_refused_alike(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    await run_import(acme, [SAMPLES / "clients.csv"], org="other")
    header = "externalRef,clientRef,name,address,postalCode,city,lat,lng\n"
    sites = written(
        tmp_path,
        "sites.csv",
        header
        + "S-1,ERP-C-0001,Sede,Via Roma 1,20100,Milano,45.46,9.19\n"  # other's client
        + "S-2,NESSUNO,Sede,Via Roma 2,20100,Milano,45.46,9.19\n",
    )
    accepted, rows = await run_import(acme, [sites])
    assert not accepted
    assert [row[3] for row in rows] == ["clientRef: no client has this external reference"] * 2
    assert (await counts(acme))["sites"] == 0


async def test_a_record_keeps_its_client_and_an_archived_client_takes_no_new_site(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    await run_import(acme, [SAMPLES / "clients.csv", SAMPLES / "sites.csv"])
    text = (SAMPLES / "sites.csv").read_text(encoding="utf-8")
    moved = text.replace("ERP-S-0003,ERP-C-0002", "ERP-S-0003,ERP-C-0001")
    accepted, rows = await run_import(acme, [written(tmp_path, "sites.csv", moved)])
    assert not accepted
    assert [row[3] for row in rows if row[2] == "refused"] == [
        "clientRef: a record keeps its client; archive it and import a new one"
    ]
    async with acme.begin() as connection:
        await connection.execute(
            sa.text("UPDATE client SET archived_at = now() WHERE external_ref = 'ERP-C-0003'")
        )
    new_site = text + "ERP-S-0005,ERP-C-0003,Magazzino,Via Tiburtina 1,00159,Roma,RM,IT,41.9,12.5\n"
    accepted, rows = await run_import(acme, [written(tmp_path, "sites.csv", new_site)])
    assert [row[3] for row in rows if row[2] == "refused"] == [
        "clientRef: the client is archived; new work goes to one in use"
    ]


async def test_a_dry_run_reports_and_writes_nothing(acme: AsyncEngine) -> None:
    paths = [SAMPLES / "clients.csv", SAMPLES / "sites.csv"]
    accepted, rows = await run_import(acme, paths, dry_run=True)
    assert accepted
    assert len(rows) == sample_rows("clients") + sample_rows("sites")
    assert {row[2] for row in rows} == {"created"}
    assert await counts(acme) == dict.fromkeys((*ENTITIES, "audit"), 0)


async def test_json_lines_mixing_entities_are_imported_in_dependency_order(
    acme: AsyncEngine, tmp_path: Path
) -> None:
    path = written(
        tmp_path,
        "export.jsonl",
        '{"entity": "equipment", "externalRef": "E-1", "siteRef": "S-1", "kind": "Estintore"}\n'
        '{"entity": "sites", "externalRef": "S-1", "clientRef": "C-1", "name": "Sede", '
        '"address": "Via Po 1", "postalCode": "10100", "city": "Torino", "lat": 45.07, '
        '"lng": 7.69}\n'
        '{"entity": "clients", "externalRef": "C-1", "code": "C1", "name": "Uno S.p.A."}\n',
    )
    accepted, rows = await run_import(acme, [path])
    assert accepted, rows
    assert [row[:3] for row in rows] == [
        ["export.jsonl:1", "E-1", "created"],
        ["export.jsonl:2", "S-1", "created"],
        ["export.jsonl:3", "C-1", "created"],
    ]
    async with acme.connect() as connection:
        site = await connection.scalar(
            sa.text("SELECT s.external_ref FROM equipment e JOIN site s ON s.id = e.site_id")
        )
    assert site == "S-1"


def sportello_import(cwd: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sportello", "import", *args],
        cwd=cwd,
        env=environment(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_cli_imports_the_samples_and_exits_1_on_a_refused_row(
    tmp_path: Path, database_url: str
) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        await factories.organization(engine, "acme")
    finally:
        await engine.dispose()
    for entity in ENTITIES:
        shutil.copy(SAMPLES / f"{entity}.csv", tmp_path / f"{entity}.csv")
    files = [str(tmp_path / f"{entity}.csv") for entity in ENTITIES]

    dry = sportello_import(tmp_path, database_url, *files, "--organization", "acme", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "clients.csv: 3 created, 0 updated, 0 unchanged, 0 refused (dry run: nothing " in dry.stdout
    )

    done = sportello_import(tmp_path, database_url, *files, "--organization", "acme")
    assert done.returncode == 0, done.stderr
    assert "sites.csv:3\tERP-S-0002\tcreated\t" in done.stdout
    assert "contracts.csv: 3 created, 0 updated, 0 unchanged, 0 refused (written)" in done.stdout

    (tmp_path / "clients.csv").write_text("externalRef,code,name\nX,,Nome\n", encoding="utf-8")
    refused = sportello_import(tmp_path, database_url, files[0], "--organization", "acme")
    assert refused.returncode == 1
    assert "clients.csv:2\tX\trefused\tcode: must not be empty" in refused.stdout

    unknown = sportello_import(tmp_path, database_url, files[0], "--organization", "nessuna")
    assert unknown.returncode == 2
    assert "no organization 'nessuna'" in unknown.stderr


IMPORT = """mutation($format: ImportFormat!, $content: String!, $entity: ImportEntity,
  $dryRun: Boolean) {
  importRecords(format: $format, content: $content, entity: $entity, dryRun: $dryRun) {
    dryRun written created updated unchanged refused
    rows { line entity externalRef outcome changed field reason }
  }
}"""
CLIENTS_CSV = (SAMPLES / "clients.csv").read_text(encoding="utf-8")


async def test_staff_import_through_the_api_and_read_external_references(demo: Demo) -> None:
    token = await demo.staff("OFFICE")
    variables: dict[str, Any] = {"format": "CSV", "content": CLIENTS_CSV, "entity": "CLIENTS"}
    report = (await demo.data(IMPORT, token, **variables))["importRecords"]
    assert (report["written"], report["created"], report["refused"]) == (True, 3, 0)
    assert report["rows"][0] == {
        "line": 2,
        "entity": "CLIENTS",
        "externalRef": "ERP-C-0001",
        "outcome": "CREATED",
        "changed": ["code", "email", "name", "phone", "taxId"],
        "field": None,
        "reason": None,
    }
    again = (await demo.data(IMPORT, token, **variables))["importRecords"]
    assert (again["unchanged"], again["written"]) == (3, True)
    listed = await demo.data(
        '{ clients(first: 1, search: "Rossi Costruzioni") { edges { node { externalRef } } } }',
        token,
    )
    assert listed["clients"]["edges"][0]["node"]["externalRef"] == "ERP-C-0001"


async def test_refused_rows_come_back_in_the_report_with_nothing_written(demo: Demo) -> None:
    token = await demo.staff("ADMIN")
    before = await demo.scalar("SELECT count(*) FROM client")
    content = CLIENTS_CSV.replace("ROSSI", "RO SSI")
    report = (await demo.data(IMPORT, token, format="CSV", content=content, entity="CLIENTS"))[
        "importRecords"
    ]
    assert (report["written"], report["refused"], report["created"]) == (False, 1, 2)
    refused = next(row for row in report["rows"] if row["outcome"] == "REFUSED")
    assert (refused["line"], refused["field"]) == (2, "code")
    assert await demo.scalar("SELECT count(*) FROM client") == before


async def test_a_csv_needs_its_entity_and_the_content_is_bounded(demo: Demo) -> None:
    token = await demo.staff("ADMIN")
    response = await demo.gql(IMPORT, token=token, format="CSV", content=CLIENTS_CSV)
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "entity"}
    many = "externalRef,code,name\n" + "".join(f"R{n},C{n},N\n" for n in range(20_001))
    response = await demo.client.post(
        "/graphql",
        json={
            "query": IMPORT,
            "variables": {"format": "CSV", "content": many, "entity": "CLIENTS"},
        },
        headers={"authorization": f"Bearer {token}", "origin": "http://127.0.0.1:8000"},
    )
    assert response.status_code == 413  # the request body limit comes first


@pytest.mark.parametrize("role", ["contact of one client", "TECHNICIAN"])
async def test_contacts_do_not_have_the_import_and_technicians_are_refused(
    demo: Demo, role: str
) -> None:
    token = await demo.as_(role) if role.startswith("contact") else await demo.staff(role)
    literal = CLIENTS_CSV.replace("\n", "\\n")
    arguments = f'format: CSV, entity: CLIENTS, content: "{literal}"'
    document = f"mutation {{ importRecords({arguments}) {{ written }} }}"
    error = (await demo.gql(document, token=token)).json()["errors"][0]
    if role.startswith("contact"):
        assert "Cannot query field 'importRecords'" in error["message"]  # not in their view
    else:
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert await demo.scalar("SELECT count(*) FROM client WHERE external_ref IS NOT NULL") == 0
