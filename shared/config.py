"""Configuration declared once per service: every key with its type, default and meaning.

A service lists its :class:`ConfigKey` declarations; :func:`load_config` reads them from explicit
overrides (``create_app(config)``), then the environment (the key's own name, as in
``DATABASE_URL``), then the default. Anything missing or malformed fails at start-up with one
message naming every problem, never later inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUIRED: Any = object()
# Keys Flask itself understands and tests set; accepted without a declaration of ours.
FLASK_KEYS = frozenset({"TESTING", "DEBUG"})


class ConfigError(RuntimeError):
    """The configuration is incomplete or malformed; the service cannot start."""


def parse_bool(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def absolute_path(value: str) -> str:
    return str(Path(value).resolve())


def positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be 0 or more")
    return number


def positive_float(value: Any) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be more than 0")
    return number


def base_url(value: str) -> str:
    """A service's public base URL, without the trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


def optional_base_url(value: str) -> str:
    """A base URL (see :func:`base_url`), or empty for none."""
    return base_url(value) if value else ""


def timeout_seconds(value: str | float) -> float:
    """How long to wait for another service: more than 0 and at most 30 seconds."""
    seconds = float(value)
    if not 0 < seconds <= 30:
        raise ValueError("must be more than 0 and at most 30 seconds")
    return seconds


@dataclass(frozen=True)
class ConfigKey:
    name: str
    description: str
    type: Callable[[Any], Any] = str
    # A value, REQUIRED, or a function of the keys declared before this one.
    default: Any = REQUIRED
    secret: bool = False

    def default_for(self, resolved: Mapping[str, Any]) -> Any:
        return self.default(resolved) if callable(self.default) else self.default


def load_config(
    declarations: Iterable[ConfigKey],
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Resolve every declared key, or raise :class:`ConfigError` listing all problems."""
    declarations = list(declarations)
    overrides = dict(overrides or {})
    environ = os.environ if environ is None else environ
    declared = {key.name for key in declarations}
    problems = [
        f"{name}: not a configuration key of this service"
        for name in overrides
        if name not in declared and name not in FLASK_KEYS
    ]
    resolved: dict[str, Any] = {k: v for k, v in overrides.items() if k in FLASK_KEYS}
    for key in declarations:
        if key.name in overrides:
            raw = overrides[key.name]
        elif key.name in environ:
            raw = environ[key.name]
        else:
            try:
                raw = key.default_for(resolved)
            except KeyError as exc:
                problems.append(f"{key.name}: its default needs {exc.args[0]}, which is missing")
                continue
        if raw is REQUIRED:
            problems.append(f"{key.name}: required ({key.description})")
            continue
        try:
            resolved[key.name] = None if raw is None else key.type(raw)
        except (TypeError, ValueError) as exc:
            problems.append(f"{key.name}: {exc}")
    if problems:
        raise ConfigError("Invalid configuration:\n  " + "\n  ".join(problems))
    return resolved


def describe(declarations: Iterable[ConfigKey]) -> str:
    """A plain-text table of the keys, for ``nettungen <service> config``."""
    lines = []
    for key in declarations:
        if key.default is REQUIRED:
            default = "(required)"
        elif callable(key.default):
            default = "(derived)"
        else:
            default = repr(key.default)
        lines.append(f"{key.name}  default: {default}\n    {key.description}")
    return "\n".join(lines)
