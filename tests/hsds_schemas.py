"""The official HSDS 3.1 schemas, for checking our HSDS output in tests.

Read once per test session from ``../shared/standards/hsds-3.1`` (never the network), and used
by the mapping tests (``tests/shared``) and the API tests (``tests/publisher``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import STANDARDS_DIR

HSDS_SCHEMAS = STANDARDS_DIR / "hsds-3.1" / "schema"
# The schemas' canonical home: the HSDS OpenAPI file refers to them by these URLs.
HSDS_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/"
# The 3.1 branch's openapi.json still refers to the schemas under the 3.0 URLs (3.1.1 fixed
# that): those references mean these 3.1 schemas.
OPENAPI_REF_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PAGE_FIELDS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
)


@functools.cache
def hsds_registry() -> Registry:
    """Every HSDS schema and the OpenAPI file under its canonical URL, loaded once."""
    if not HSDS_SCHEMAS.is_dir():
        raise FileNotFoundError(f"The HSDS 3.1 schemas are not at {HSDS_SCHEMAS}")
    paths = [*HSDS_SCHEMAS.glob("*.json"), *HSDS_SCHEMAS.glob("compiled/*.json")]
    return Registry().with_resources(
        (
            base + path.relative_to(HSDS_SCHEMAS).as_posix(),
            # The schemas declare no dialect; the HSDS OpenAPI file names Draft 2020-12.
            Resource.from_contents(
                json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012
            ),
        )
        for path in paths
        for base in (HSDS_BASE, OPENAPI_REF_BASE)
    )


@functools.cache
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(
        json.loads(schema_json),
        registry=hsds_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def hsds_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    validator = _validator(json.dumps(schema, sort_keys=True))
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance))


def assert_hsds(instance: Any, name: str) -> None:
    """``instance`` is valid against the official schema ``name`` (e.g. compiled/service.json)."""
    errors = hsds_errors(instance, {"$ref": HSDS_BASE + name})
    assert not errors, f"not a valid HSDS {name}:\n" + "\n".join(errors)


def assert_hsds_page(body: Any, item_schema: str) -> None:
    """``body`` is the OpenAPI file's ``Page`` with every field, of ``item_schema`` items."""
    schema = {
        "allOf": [{"$ref": HSDS_BASE + "openapi.json#/components/schemas/Page"}],
        "required": [*PAGE_FIELDS, "contents"],
        "properties": {"contents": {"type": "array", "items": {"$ref": HSDS_BASE + item_schema}}},
    }
    errors = hsds_errors(body, schema)
    assert not errors, f"not a valid HSDS Page of {item_schema}:\n" + "\n".join(errors)


def assert_hsds_root(body: Any) -> None:
    pointer = "openapi.json#/paths/~1/get/responses/200/content/application~1json/schema"
    errors = hsds_errors(
        body,
        {
            "allOf": [{"$ref": HSDS_BASE + pointer}],
            "required": ["version", "profile", "openapi_url"],
        },
    )
    assert not errors, "\n".join(errors)
