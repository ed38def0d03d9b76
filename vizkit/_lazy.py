"""One lazy loader for the package namespaces (PEP 562), so ``import vizkit`` stays instant.

A package lists its public names and the module each lives in; :func:`lazy_exports` returns
the package's ``__getattr__`` and ``__dir__``. A name is imported on first access and cached
in the package's globals (later accesses cost nothing); an unknown name raises the usual
``AttributeError`` with the closest public names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from vizkit._suggest import suggestion

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, namespace: dict[str, Any], names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` exporting ``names`` lazily.

    Args:
        package: the package's ``__name__``.
        namespace: the package's ``globals()``; loaded names are cached there.
        names: public name → module that defines it (absolute, or relative to ``package``
            when it starts with a dot); a subpackage maps its own name to itself
            (``"zoo": ".zoo"``).

    Returns:
        ``(__getattr__, __dir__)`` to assign at module level.
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            public = sorted(n for n in set(namespace.get("__all__", ())) | set(names))
            raise AttributeError(
                f"module {package!r} has no attribute {name!r}; "
                + suggestion(name, public, what="public name", shown=40)
            )
        loaded = importlib.import_module(module, package)
        # a subpackage exported under its own name (``vk.zoo``) is the module itself; a
        # function defined in a module of the same name is the function
        if hasattr(loaded, name) or loaded.__name__ != f"{package}.{name}":
            value = getattr(loaded, name)
        else:
            value = loaded
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
