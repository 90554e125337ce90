"""One import direction: a module imports only from its own layer's room or from layers below.

The layers, top to bottom (README, "Layout"), each a list of rooms beside each other; a room
is a package or module, and a module belongs to the room with the longest matching name
(``schema.kit.ids`` to ``schema.kit``, ``schema.tickets`` to ``schema``). Rooms on the same
layer do not import each other. Every import counts: at module level, inside functions and
under ``TYPE_CHECKING``. tests/ and bench/ stand outside: they may use any layer.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

ROOT = pathlib.Path(__file__).resolve().parent.parent

LAYERS: list[list[str]] = [
    ["sportello"],  # the shell: HTTP routes, the CLI, the schema's assembly
    ["resolvers"],  # root queries and mutations, resolvers/<domain>.py
    ["resolvers.kit"],  # root lists and lookups, changes and their audit, filters
    ["schema"],  # the domain types, schema/<domain>.py
    ["mailer", "db.seed"],  # mail and webhooks leaving the house; the demo data
    ["authz.identity"],  # who is calling: logins, sessions, tokens, signed links
    ["schema.kit"],  # context, errors, ids, relay, views, limits, execution
    ["db.queries"],  # the domain's statements
    ["db.scoped"],  # statements under a row scope: loaders, nested lists, filter shapes
    ["authz"],  # the policy core: who may read what
    ["db"],  # models, engine, pagination, tenancy, storage
    ["sportello.base"],  # settings, the clock, StartupError
]

ROOMS = {room: depth for depth, rooms in enumerate(LAYERS) for room in rooms}
TOPS = {room.split(".")[0] for room in ROOMS}


def room_of(module: str) -> str | None:
    """The room a dotted module name belongs to, or None for a name outside the layers."""
    name = module
    while name:
        if name in ROOMS:
            return name
        name = name.rpartition(".")[0]
    return None


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import in ``tree``; ``from a import b`` gives ``a.b`` (b may
    be a module: ``from schema import tickets`` is an import of schema.tickets)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def back_imports(root: pathlib.Path) -> list[str]:
    """``file:line imports name (room A -> room B)`` for each import against the direction."""
    found: list[str] = []
    for top in sorted(TOPS):
        for path in sorted((root / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = module_name(path, root)
            source = room_of(module)
            if source is None:
                continue
            tree = ast.parse(path.read_text(), str(path))
            seen: set[tuple[int, str]] = set()
            for line, name in imported(tree, module, path.name == "__init__.py"):
                target = room_of(name)
                if target is None or target == source or (line, target) in seen:
                    continue
                seen.add((line, target))
                if ROOMS[target] <= ROOMS[source]:
                    where = path.relative_to(root)
                    found.append(f"{where}:{line} imports {name} ({source} -> {target})")
    return found


def test_the_tree_imports_in_one_direction() -> None:
    assert back_imports(ROOT) == []


def test_a_back_import_is_found(tmp_path: pathlib.Path) -> None:
    """The check itself: a query module importing a resolver, a kit module importing a type
    inside a function, and the policy core importing identity by a relative import are each
    reported once; the imports down the layers are not."""
    files = {
        "db/__init__.py": "",
        "db/queries/__init__.py": "",
        "db/queries/tickets.py": "from resolvers.tickets import TicketQuery\n",
        "resolvers/__init__.py": "",
        "resolvers/tickets.py": "from db.queries import tickets\n",
        "schema/__init__.py": "",
        "schema/tickets.py": "from schema.kit import ids\n",
        "schema/kit/__init__.py": "",
        "schema/kit/ids.py": "def f() -> None:\n    from schema import tickets\n",
        "authz/__init__.py": "",
        "authz/identity/__init__.py": "",
        "authz/identity/login.py": "from authz import policy\n",
        "authz/policy.py": "from . import identity\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = back_imports(tmp_path)
    assert found == [
        "authz/policy.py:1 imports authz.identity (authz -> authz.identity)",
        "db/queries/tickets.py:1 imports resolvers.tickets.TicketQuery (db.queries -> resolvers)",
        "schema/kit/ids.py:2 imports schema.tickets (schema.kit -> schema)",
    ]


def test_every_module_belongs_to_a_layer() -> None:
    """A new top folder must be placed in LAYERS before it is imported from."""
    for top in ("sportello", "resolvers", "schema", "mailer", "authz", "db"):
        assert (ROOT / top / "__init__.py").exists()
        assert room_of(top) is not None
