"""The classes a package's modules define, for tests that check a whole layer at once."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType


def defined_classes(package: ModuleType) -> Iterator[tuple[str, type]]:
    """(name, class) of every class defined (not imported) in the modules below ``package``."""
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                yield name, value
