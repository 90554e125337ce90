"""The import itself, shared by ``sportello import`` and the ``importRecords`` mutation.

A file's lines are checked entity by entity in dependency order (resolvers/imports/
entities.py), each row with the staff mutations' own checks, its references resolved by
external reference among the rows of the file and the organization's records (a foreign
organization's record is out of the row scope: it reads as unknown). Each row then is
created, updated (only the fields that differ), unchanged, or refused with the field and the
reason. Only when no row is refused, and the import is not a dry run, is anything written:
a file is imported whole or not at all, and importing it again changes nothing.

Audit: one event per record created or changed, the same action and details as its staff
mutation writes (``client_created``, ``site_changed``, ... with the before/after of each
changed field, plus ``"source"``), so a record's history reads the same whichever way it was
changed; they are written in one statement. One ``records_imported`` event sums the import
up (counts per entity and outcome). An import that changes nothing writes nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from typing import Any

from authz.scope import RowScope
from db.queries import audit, imports
from resolvers.billing_actions import camel
from resolvers.imports.entities import ENTITIES, ORDER, Entity, external_ref
from resolvers.imports.parse import Line
from schema.import_types import ImportOutcome
from schema.kit.errors import BadUserInput


@dataclasses.dataclass
class RowReport:
    """What the import does (or would do) with one line."""

    line: int
    entity: str | None
    external_ref: str | None
    outcome: ImportOutcome
    changed: list[str] = dataclasses.field(default_factory=list)
    field: str | None = None
    reason: str | None = None


@dataclasses.dataclass
class Report:
    rows: list[RowReport]
    dry_run: bool

    def count(self, outcome: ImportOutcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def written(self) -> bool:
        """Whether the import wrote its changes (not a dry run, nothing refused)."""
        return not self.dry_run and self.count(ImportOutcome.REFUSED) == 0


@dataclasses.dataclass(frozen=True)
class Known:
    """A record a row may name: new in this file or in the database."""

    id: uuid.UUID
    client_id: uuid.UUID | None
    archived: bool


@dataclasses.dataclass
class Pending:
    """A checked row's write: its columns, and the record it changes (None: new)."""

    values: dict[str, Any]
    current: Any


# The records rows may name, by entity and external reference.
Registry = dict[str, dict[str, Known]]


class Importer:
    """One import into the organization of ``scope``, in the caller's transaction."""

    def __init__(self, db: Any, scope: RowScope, known: Registry) -> None:
        self.db = db
        self.scope = scope
        self.known: Registry = defaultdict(dict, {name: dict(refs) for name, refs in known.items()})
        self.pending: dict[str, list[Pending]] = defaultdict(list)

    async def check(self, lines: list[Line], entity_name: str | None) -> list[RowReport]:
        """A report per line; the writes of the rows accepted wait in ``pending``."""
        reports: list[RowReport] = []
        by_entity: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            name = line.entity or entity_name
            if line.fault is not None:
                field, reason = line.fault
                reports.append(_refused(line, name, None, field, reason))
            elif name not in ENTITIES:
                known = ", ".join(ORDER)
                reason = (
                    f"name the entity of the line ({known})"
                    if name is None
                    else f"{name!r} is not one of {known}"
                )
                reports.append(_refused(line, name, None, "entity", reason))
            else:
                by_entity[name].append(line)
        for name in ORDER:
            if by_entity[name]:
                reports.extend(await self._check_entity(ENTITIES[name], by_entity[name]))
        return sorted(reports, key=lambda report: report.line)

    async def _check_entity(self, entity: Entity, lines: list[Line]) -> list[RowReport]:
        reports: list[RowReport] = []
        refs: dict[str, int] = {}
        accepted: list[tuple[Line, str]] = []
        for line in lines:
            try:
                ref = external_ref(line.fields)
            except BadUserInput as error:
                reports.append(_refused_by(line, entity, None, error))
                continue
            if ref in refs:
                reason = f"line {refs[ref]} has the same one; give each record its own"
                reports.append(_refused(line, entity.name, ref, "externalRef", reason))
                continue
            refs[ref] = line.number
            accepted.append((line, ref))
        existing = await imports.rows_by_ref(self.db, self.scope, entity.model, refs)
        await self._load_parents(entity, [line for line, _ in accepted])
        unique_seen: dict[str, int] = {}
        checked: list[tuple[Line, str, Pending]] = []
        for line, ref in accepted:
            current = existing.get(ref)
            try:
                pending = self._row(entity, line, current)
                if entity.unique is not None:
                    self._unique_in_file(entity, line, pending, unique_seen)
            except BadUserInput as error:
                reports.append(_refused_by(line, entity, ref, error))
                self._register(entity, ref, current, None)
                continue
            checked.append((line, ref, pending))
        taken = await self._taken(entity, [pending for _, _, pending in checked])
        for line, ref, pending in checked:
            if taken.get(id(pending)) is not None:
                field, reason = taken[id(pending)]
                reports.append(_refused(line, entity.name, ref, field, reason))
                self._register(entity, ref, pending.current, None)
                continue
            reports.append(self._outcome(entity, line, ref, pending))
        return reports

    async def _load_parents(self, entity: Entity, lines: list[Line]) -> None:
        """The records the rows name that this file does not create, from the database."""
        for parent in entity.parents:
            named = {
                line.fields[parent.field].strip() for line in lines if line.fields.get(parent.field)
            }
            missing = named - self.known[parent.entity].keys()
            model = ENTITIES[parent.entity].model
            for ref, row in (
                await imports.rows_by_ref(self.db, self.scope, model, missing)
            ).items():
                self._register(ENTITIES[parent.entity], ref, row, None)

    def _register(self, entity: Entity, ref: str, current: Any, new: Pending | None) -> None:
        """Make the record of ``ref`` known to the rows naming it (even a refused one, so
        that a refusal is reported once, where it is, not again on every row below it)."""
        if current is not None:
            found = Known(
                current.id,
                getattr(current, "client_id", None),
                getattr(current, "archived_at", None) is not None,
            )
        else:
            values = new.values if new is not None else {}
            found = Known(values.get("id", uuid.uuid4()), values.get("client_id"), False)
        self.known[entity.name][ref] = found

    def _row(self, entity: Entity, line: Line, current: Any) -> Pending:
        """The row checked: the columns it writes; BadUserInput naming the field refused."""
        unknown = sorted(line.fields.keys() - entity.accepted)
        if unknown:
            raise BadUserInput(unknown[0], f"is not a field of {entity.name}")
        if current is None:
            for field in (*entity.required, *(p.field for p in entity.parents if p.required)):
                if field not in line.fields:
                    raise BadUserInput(field, f"a new record of {entity.name} needs it")
        values = entity.check(line.fields, current)
        values |= self._parents(entity, line, current)
        return Pending(values, current)

    def _parents(self, entity: Entity, line: Line, current: Any) -> dict[str, Any]:
        """The columns of the records the row names; a record keeps the ones it has."""
        values: dict[str, Any] = {}
        for parent in entity.parents:
            given = line.fields.get(parent.field, "").strip()
            if not given:
                if parent.field in line.fields and parent.required:
                    raise BadUserInput(parent.field, "must not be empty")
                continue
            found = self.known[parent.entity].get(given)
            label = ENTITIES[parent.entity].label
            if found is None:
                raise BadUserInput(parent.field, f"no {label} has this external reference")
            if current is not None:
                if getattr(current, parent.column) != found.id:
                    raise BadUserInput(
                        parent.field,
                        f"a record keeps its {label}; archive it and import a new one",
                    )
                continue
            if found.archived:
                raise BadUserInput(
                    parent.field, f"the {label} is archived; new work goes to one in use"
                )
            if parent.column == "site_id":
                client = values.get("client_id", found.client_id)
                if found.client_id != client:
                    raise BadUserInput(parent.field, "no such site of that client")
                values["client_id"] = found.client_id
            values[parent.column] = found.id
        return values

    def _unique_in_file(
        self, entity: Entity, line: Line, pending: Pending, seen: dict[str, int]
    ) -> None:
        assert entity.unique is not None
        field, column = entity.unique
        value = pending.values.get(column)
        if value is None:
            return
        if value in seen:
            raise BadUserInput(field, f"line {seen[value]} has the same one")
        seen[value] = line.number

    async def _taken(self, entity: Entity, rows: list[Pending]) -> dict[int, tuple[str, str]]:
        """The rows whose unique value another record of the organization holds."""
        if entity.unique is None:
            return {}
        field, column = entity.unique
        values = [row.values[column] for row in rows if column in row.values]
        holders = await imports.holders(self.db, self.scope, entity.model, column, values)
        refused: dict[int, tuple[str, str]] = {}
        for row in rows:
            holder = holders.get(row.values.get(column, ""))
            if holder is not None and (row.current is None or row.current.id != holder):
                refused[id(row)] = (field, f"another {entity.label} already uses this {field}")
        return refused

    def _outcome(self, entity: Entity, line: Line, ref: str, pending: Pending) -> RowReport:
        current = pending.current
        if current is None:
            pending.values |= {"id": uuid.uuid4(), "external_ref": ref}
            pending.values["organization_id"] = self.scope.organization_id
            self._register(entity, ref, None, pending)
            self.pending[entity.name].append(pending)
            changed = sorted(
                camel(c)
                for c in pending.values
                if c not in ("id", "organization_id", "external_ref")
            )
            return RowReport(line.number, entity.name, ref, ImportOutcome.CREATED, changed)
        self._register(entity, ref, current, None)
        pending.values = {k: v for k, v in pending.values.items() if v != getattr(current, k)}
        if not pending.values:
            return RowReport(line.number, entity.name, ref, ImportOutcome.UNCHANGED)
        self.pending[entity.name].append(pending)
        changed = sorted(camel(column) for column in pending.values)
        return RowReport(line.number, entity.name, ref, ImportOutcome.UPDATED, changed)

    async def write(self, actor: audit.Actor | None, ip: str | None, source: str) -> None:
        """Write every accepted change, and its audit events, in dependency order."""
        events: list[tuple[str, str | None, uuid.UUID | None, dict[str, Any]]] = []
        counts: dict[str, dict[str, int]] = {}
        for name in ORDER:
            entity = ENTITIES[name]
            new = [p.values for p in self.pending[name] if p.current is None]
            changed = [p for p in self.pending[name] if p.current is not None]
            if new:
                columns = set().union(*new)
                rows = [{c: row.get(c, entity.defaults.get(c)) for c in columns} for row in new]
                await imports.insert_rows(self.db, entity.model, rows)
            if changed:
                await imports.update_rows(
                    self.db, entity.model, [(p.current.id, p.values) for p in changed]
                )
            for row in new:
                details = audit.change_details({}, row) | {"source": source}
                events.append((f"{entity.label}_created", entity.type_name, row["id"], details))
            for p in changed:
                details = audit.change_details(p.current._mapping, p.values) | {"source": source}
                events.append((f"{entity.label}_changed", entity.type_name, p.current.id, details))
            if new or changed:
                counts[name] = {"created": len(new), "updated": len(changed)}
        if events:
            events.append(("records_imported", None, None, {"source": source, "counts": counts}))
            await imports.record_all(self.db, self.scope.organization_id, actor, ip, events)


def _refused(line: Line, entity: str | None, ref: str | None, field: str, reason: str) -> RowReport:
    return RowReport(line.number, entity, ref, ImportOutcome.REFUSED, field=field, reason=reason)


def _refused_by(line: Line, entity: Entity, ref: str | None, error: BadUserInput) -> RowReport:
    field = str(error.extensions["field"])
    reason = error.message.removeprefix(f"{field}: ")
    return _refused(line, entity.name, ref, field, reason)


async def run(
    db: Any,
    scope: RowScope,
    lines: list[Line],
    *,
    entity: str | None,
    dry_run: bool,
    actor: audit.Actor | None,
    ip: str | None,
    source: str,
    known: Registry | None = None,
) -> Report:
    """Check ``lines`` (of ``entity``, or each naming its own) and, unless ``dry_run`` or a
    row is refused, write them; the report per line either way.

    ``known``: records of the files imported before this one in the same command, which its
    rows may name; the records of this file are added to it when no row is refused. A dry run
    of several files then reports the later ones as if the earlier ones had been written.
    """
    importer = Importer(db, scope, known or {})
    report = Report(await importer.check(lines, entity), dry_run)
    if report.count(ImportOutcome.REFUSED) == 0 and known is not None:
        known.update(importer.known)
    if report.written:
        await importer.write(actor, ip, source)
    return report
