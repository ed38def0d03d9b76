"""Install vizkit's JupyterLab settings (``jupyter/overrides.json``) into this Python's prefix.

JupyterLab 4 reads ``<sys.prefix>/share/jupyter/lab/settings/overrides.json`` as the default
settings of every user of that environment (a user's own settings still win). Installing the
file there is what makes ``make lab``, a Binder and a JupyterHub image the same:

- ``make`` (the ``.venv`` set-up) and ``scripts/lab.sh`` (every ``make lab``) run it with
  ``.venv/bin/python``;
- ``postBuild`` (repo2docker: Binder, a JupyterHub image) runs it with the image's Python.

An ``overrides.json`` already there (another project's settings) is kept: vizkit's keys are
merged into it, and only the settings vizkit names are replaced. Running it twice changes
nothing the second time.

Usage::

    python scripts/install_lab_settings.py            # into sys.prefix of this python
    python scripts/install_lab_settings.py --check    # exit 1 if not installed (no writes)
    python scripts/install_lab_settings.py --prefix /some/env
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parents[1] / "jupyter" / "overrides.json"


def target(prefix: str | Path) -> Path:
    """Where JupyterLab 4 looks for the environment's settings overrides."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def merged(existing: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """``existing`` with each plugin's settings from ``ours`` laid over it (one level deep)."""
    out = {plugin: dict(values) for plugin, values in existing.items()}
    for plugin, values in ours.items():
        out.setdefault(plugin, {}).update(values)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default=sys.prefix, help="environment (default: sys.prefix)")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if missing")
    parser.add_argument("--quiet", action="store_true", help="say nothing when all is well")
    args = parser.parse_args(argv)

    ours = json.loads(SOURCE.read_text())
    path = target(args.prefix)
    existing: dict[str, Any] = {}
    if path.exists():
        try:
            existing = json.loads(path.read_text() or "{}")
        except json.JSONDecodeError as err:
            print(
                f"{path} is not valid JSON ({err}): fix or delete it, then run this again",
                file=sys.stderr,
            )
            return 1
    wanted = merged(existing, ours)
    if wanted == existing:
        if not args.quiet:
            print(f"vizkit's JupyterLab settings are installed: {path}")
        return 0
    if args.check:
        print(
            f"vizkit's JupyterLab settings are missing or out of date in {path}: run "
            f"{Path(sys.executable).name} scripts/install_lab_settings.py",
            file=sys.stderr,
        )
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(wanted, indent=2) + "\n")
    print(f"installed vizkit's JupyterLab settings ({SOURCE.name}) into {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
