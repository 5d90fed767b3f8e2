"""Run mutmut on one core module at a time: `MUTATE=<name> python tools/mutation.py run`.

mutmut reads one `[tool.mutmut]` table from pyproject.toml. The core has several modules, each
with its own tests, and one run over all of them would take hours on a small machine. So the
common settings stay in `[tool.mutmut]`, each module has a table `[tool.mutmut.modules.<name>]`
(`source_paths` and `pytest_add_cli_args_test_selection`, or any other mutmut setting), and this
wrapper hands mutmut the two merged. Without MUTATE it lists the modules.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any


def module_config(name: str) -> dict[str, Any]:
    """The `[tool.mutmut]` settings with those of module `name` laid over them."""
    data = tomllib.loads(Path("pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    modules = data.pop("modules")
    if name not in modules:
        raise SystemExit(f"MUTATE={name}: no such module; choose one of {', '.join(modules)}")
    return {**data, **modules[name]}


def main() -> None:
    name = os.environ.get("MUTATE", "")
    if not name:
        modules = tomllib.loads(Path("pyproject.toml").read_text("utf-8"))["tool"]["mutmut"][
            "modules"
        ]
        print("make mutation MUTATE=<module>, one of:", " ".join(modules))
        raise SystemExit(2)
    settings = module_config(name)

    import mutmut.configuration

    def reader() -> Any:
        return lambda key, default: settings.get(key, default)

    mutmut.configuration._config_reader = reader
    from mutmut.__main__ import cli

    sys.argv[0] = "mutmut"
    cli()


if __name__ == "__main__":
    main()
