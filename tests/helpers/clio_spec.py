"""Check Clio requests and responses against Clio's official OpenAPI document (3.0.0).

`check_response` and `check_request` return a list of problems (empty = conformant). The spec is
loaded and prepared once per process; a validator is compiled once per schema.

How the spec is read, and why:
- Paths are relative to the servers' `/api/v4`; concrete URLs are matched to templates, literal
  segments winning over `{id}` (so `/folders/list.json` is not `/folders/{id}.json`).
- Schemas are JSON Schema Draft 4 with OpenAPI 3.0 extras. In the checking copy `allOf` object
  branches are merged and every object that lists properties gets `additionalProperties: false`,
  so a field the spec does not declare is reported (objects the spec leaves open stay open).
- `nullable: true` becomes a type union. The 2026-04-08 document marks nothing nullable, yet Clio
  answers `null` for unset fields (and documents sending `null` to clear an association), so by
  default any property value may be null (`allow_null=False` turns that off).
- List answers carry `meta.paging` (documented in Clio's paging guide) which the `*_List` schemas
  omit; `meta` is checked against a small schema of its own instead.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

# Clio's official OpenAPI document (the 2026-04-08 snapshot), kept with the tests so they run from
# any checkout; CLIO_OPENAPI_PATH points the checks at another snapshot.
SPEC_PATH = Path(
    os.environ.get(
        "CLIO_OPENAPI_PATH",
        Path(__file__).resolve().parents[1] / "data" / "clio-openapi-2026-04-08.json",
    )
)
API_PREFIX = "/api/v4"
_BASE = "urn:clio-openapi"
_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
_META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "paging": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"next": {"type": "string"}, "previous": {"type": "string"}},
        },
        "records": {"type": "integer"},
    },
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")

Fields = dict[str, "Fields | None"]


# ----- loading and preparing the spec ------------------------------------------------------


class _Preparer:
    """Builds the checking copy: absolute `$ref`s, merged `allOf`, closed objects, nullable unions."""

    def __init__(self, spec: Mapping[str, Any], allow_null: bool) -> None:
        self.schemas = spec["components"]["schemas"]
        self.allow_null = allow_null

    def schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:  # Draft 4 / OpenAPI 3.0: siblings of $ref are ignored
            return {"$ref": _BASE + node["$ref"]}
        if "allOf" in node:
            node = self._merge_all_of(node)
        out = {
            key: self.schema(value) for key, value in node.items() if key not in {"properties", "nullable"}
        }
        if "properties" in node:
            out["properties"] = {name: self._property(sub) for name, sub in node["properties"].items()}
            out.setdefault("additionalProperties", False)
        if node.get("nullable") is True:
            out = _or_null(out)
        return out

    def _property(self, node: Any) -> Any:
        prepared = self.schema(node)
        return _or_null(prepared) if self.allow_null else prepared

    def _merge_all_of(self, node: Mapping[str, Any]) -> dict[str, Any]:
        # Draft 4 has no unevaluatedProperties: closing each branch would reject the other branches'
        # properties, so object branches are merged into one object before closing it.
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        rest: list[Any] = []
        for branch in node["allOf"]:
            resolved = self._resolve(branch)
            if "allOf" in resolved:
                resolved = self._merge_all_of(resolved)
            if resolved.get("type", "object") == "object" and set(resolved) <= {
                "type",
                "properties",
                "required",
                "description",
                "title",
            }:
                merged["type"] = "object"
                merged.setdefault("properties", {}).update(resolved.get("properties", {}))
                merged["required"] = sorted(
                    set(merged.get("required", [])) | set(resolved.get("required", []))
                )
            else:
                rest.append(branch)
        if not merged.get("required"):
            merged.pop("required", None)
        if rest:
            merged["allOf"] = rest
        return merged

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            node = self.schemas[node["$ref"].rsplit("/", 1)[-1]]
        return node


def _or_null(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("type"), str) and "$ref" not in schema:
        schema = dict(schema, type=[schema["type"], "null"])
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if isinstance(schema.get("type"), list):
        return schema if "null" in schema["type"] else dict(schema, type=[*schema["type"], "null"])
    return {"anyOf": [{"type": "null"}, schema]}


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date")
    def is_date(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(_DATE.match(value)) and _parses(dt.date.fromisoformat, value)

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(_DATE_TIME.match(value)) and _parses(dt.datetime.fromisoformat, value)

    return checker


def _parses(parse: Any, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


class ClioSpec:
    """The prepared spec, its operations, and a cache of compiled validators."""

    def __init__(self, path: Path = SPEC_PATH, allow_null: bool = True) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.raw = raw
        self.allow_null = allow_null
        preparer = _Preparer(raw, allow_null)
        schemas = {name: preparer.schema(schema) for name, schema in raw["components"]["schemas"].items()}
        self.registry: Registry[Any] = Registry().with_resource(
            _BASE, Resource(contents={"components": {"schemas": schemas}}, specification=DRAFT4)
        )
        self._prepare = preparer.schema
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._format_checker = _format_checker()
        self._templates = sorted(
            ((template, _template_regex(template)) for template in raw["paths"]),
            key=lambda item: (item[0].count("{"), item[0]),
        )

    def validator(self, schema: Mapping[str, Any]) -> jsonschema.protocols.Validator:
        """A compiled Draft 4 validator for a raw spec schema (cached by its JSON text)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = jsonschema.Draft4Validator(
                self._prepare(copy.deepcopy(dict(schema))),
                registry=self.registry,
                format_checker=self._format_checker,
            )
        return self._validators[key]

    def operation(self, method: str, url: str) -> tuple[str, dict[str, Any], dict[str, str]] | None:
        """(template, operation object, path parameters) for a concrete URL, or None."""
        path = urlsplit(url).path
        path = path.removeprefix(API_PREFIX) if path.startswith(API_PREFIX + "/") else path
        candidates = [path] if path.endswith(".json") else [path, path + ".json"]  # Clio accepts both
        for candidate in candidates:
            for template, regex in self._templates:
                match = regex.match(candidate)
                if match and method.lower() in self.raw["paths"][template]:
                    return template, self.raw["paths"][template][method.lower()], match.groupdict()
        return None

    def parameters(self, template: str, operation: Mapping[str, Any]) -> list[dict[str, Any]]:
        shared = self.raw["paths"][template].get("parameters", [])
        return [self._deref(p) for p in [*shared, *operation.get("parameters", [])]]

    def _deref(self, node: Mapping[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            section, name = node["$ref"].split("/")[-2:]
            node = self.raw["components"][section][name]
        return dict(node)


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


@functools.cache
def spec(allow_null: bool = True) -> ClioSpec:
    """The process-wide prepared spec."""
    return ClioSpec(allow_null=allow_null)


# ----- fields -------------------------------------------------------------------------------


def parse_fields(text: str) -> Fields:
    """`id,name,matter{id,display_number}` → {"id": None, "name": None, "matter": {...}}."""
    result: Fields = {}
    name, depth, start = "", 0, 0
    for index, char in enumerate(text + ","):
        if char == "{":
            if depth == 0:
                name, start = text[start:index].strip(), index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                result[name] = parse_fields(text[start:index])
                start = index + 1
        elif char == "," and depth == 0:
            plain = text[start:index].strip()
            if plain:
                result[plain] = None
            start = index + 1
    return result


def _field_problems(record: Any, wanted: Fields, where: str) -> list[str]:
    if not isinstance(record, dict):
        return []
    problems = [f"{where}: field {k!r} returned but not requested" for k in record if k not in wanted]
    problems += [f"{where}: requested field {k!r} missing" for k in wanted if k not in record]
    for name, nested in wanted.items():
        value = record.get(name)
        if nested is None or value is None:
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            label = f"{where}.{name}" + (f"[{index}]" if isinstance(value, list) else "")
            problems += _field_problems(item, nested, label)
    return problems


# ----- the public checks --------------------------------------------------------------------


def _errors(validator: jsonschema.protocols.Validator, instance: Any, where: str) -> list[str]:
    problems = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        for leaf in _leaves(error):
            path = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in leaf.absolute_path)
            problems.append(f"{where}{path}: {_short(leaf)}")
    return problems


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors worth reporting under an `anyOf`: for our `null | schema` unions, every error of
    the non-null branch (not the unhelpful "is not of type 'null'")."""
    if error.validator != "anyOf" or not error.context:
        return [error]
    branches = error.validator_value
    null_branch = next((i for i, b in enumerate(branches) if b == {"type": "null"}), None)
    if null_branch is None or len(branches) != 2:
        return [best_match(error.context)]
    other = [e for e in error.context if e.relative_schema_path[0] != null_branch]
    return [leaf for e in other for leaf in _leaves(e)] or [error]


def _short(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return f"undeclared field(s): {error.message.split('(')[-1].rstrip(')')}"
    return error.message if len(error.message) < 300 else error.message[:300] + "…"


def check_response(
    method: str,
    url: str,
    status: int,
    body: Any | None,
    fields: str | None = None,
    *,
    allow_null: bool = True,
) -> list[str]:
    """Problems with answering `status` and `body` to `method url` (empty list: conformant).

    `fields` is what the request asked for; `None` means Clio's default `id,etag`. Record keys
    must be exactly the requested fields (Clio answers requested fields, null when empty).
    """
    clio = spec(allow_null)
    found = clio.operation(method, url)
    if found is None:
        return [f"{method.upper()} {urlsplit(url).path}: no such operation in the spec"]
    template, operation, _ = found
    where = f"{method.upper()} {template} {status}"
    responses = operation.get("responses", {})
    declared = responses.get(str(status)) or responses.get("default")
    if declared is None:
        return [f"{where}: status not declared (declared: {', '.join(sorted(responses))})"]
    content = declared.get("content") or {}
    schema = next(
        (media["schema"] for kind, media in content.items() if "json" in kind and "schema" in media), None
    )
    if schema is None:
        return []  # 204, 303, 304 and friends: the spec describes no body
    if body is None:
        return [f"{where}: the spec declares a JSON body, none was given"]
    problems = []
    instance = body
    if isinstance(body, dict) and isinstance(body.get("data"), list) and "meta" in body:
        instance = {k: v for k, v in body.items() if k != "meta"}
        problems += _errors(jsonschema.Draft4Validator(_META_SCHEMA), body["meta"], f"{where} body['meta']")
    if isinstance(body, dict) and "data" in body and body["data"] is None:
        problems.append(f"{where}: data is null")
    problems += _errors(clio.validator(schema), instance, f"{where} body")
    if 200 <= status < 300 and isinstance(body, dict) and "data" in body:
        wanted = parse_fields(fields) if fields else {"id": None, "etag": None}
        records = body["data"] if isinstance(body["data"], list) else [body["data"]]
        for index, record in enumerate(records):
            problems += _field_problems(record, wanted, f"{where} data[{index}]")
    return problems


def _query_pairs(url: str, query: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    for name, value in (query or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(name, _text(item)) for item in values]
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_problems(name: str, raw: str, schema: Mapping[str, Any], where: str) -> list[str]:
    kind = schema.get("type", "string")
    value: Any = raw
    try:
        if kind == "integer":
            value = int(raw)
        elif kind == "number":
            value = float(raw)
        elif kind == "boolean":
            if raw not in {"true", "false"}:
                raise ValueError
            value = raw == "true"
    except ValueError:
        return [f"{where}: {name}={raw!r} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {name}={raw!r} is not one of {schema['enum']}"]
    fmt = schema.get("format")
    # Clio documents its date-time filters as "ISO-8601 date" in places: accept a plain date too.
    if fmt == "date-time" and not (_DATE_TIME.match(raw) or _DATE.match(raw)):
        return [f"{where}: {name}={raw!r} is not an ISO-8601 date or timestamp"]
    if fmt == "date" and not _DATE.match(raw):
        return [f"{where}: {name}={raw!r} is not a YYYY-MM-DD date"]
    return []


def check_request(
    method: str,
    url: str,
    query: Mapping[str, Any] | None = None,
    json_body: Any | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    *,
    allow_null: bool = True,
) -> list[str]:
    """Problems with sending this request to Clio (empty list: the spec allows it)."""
    clio = spec(allow_null)
    found = clio.operation(method, url)
    if found is None:
        return [f"{method.upper()} {urlsplit(url).path}: no such operation in the spec"]
    template, operation, path_values = found
    where = f"{method.upper()} {template}"
    header_map = {
        k.lower(): v for k, v in (headers.items() if isinstance(headers, Mapping) else headers or [])
    }
    params = clio.parameters(template, operation)
    declared = {(p["in"], p["name"] if p["in"] != "header" else p["name"].lower()): p for p in params}
    problems = []
    pairs = _query_pairs(url, query)
    for name, raw in pairs:
        param = declared.get(("query", name))
        if param is None:
            problems.append(f"{where}: query parameter {name!r} is not declared")
            continue
        if not name.endswith("[]") and sum(1 for n, _ in pairs if n == name) > 1:
            problems.append(f"{where}: query parameter {name!r} sent more than once")
        problems += _value_problems(name, raw, param.get("schema", {}), where)
    sent_query = {name for name, _ in pairs}
    for (place, name), param in declared.items():
        value = {"query": name in sent_query, "header": name in header_map, "path": name in path_values}
        if param.get("required") and not value.get(place, True):
            problems.append(f"{where}: required {place} parameter {param['name']!r} missing")
        if place == "path" and name in path_values:
            problems += _value_problems(name, path_values[name], param.get("schema", {}), where)
        if place == "header" and name in header_map:
            problems += _value_problems(param["name"], header_map[name], param.get("schema", {}), where)
    problems += _body_problems(clio, operation, json_body, where)
    return problems


def _body_problems(clio: ClioSpec, operation: Mapping[str, Any], body: Any | None, where: str) -> list[str]:
    request_body = operation.get("requestBody")
    if request_body is None:
        return [] if body is None else [f"{where}: the operation takes no request body"]
    schema = (request_body.get("content", {}).get("application/json") or {}).get("schema")
    if body is None:
        required = request_body.get("required") or "data" in (schema or {}).get("required", [])
        return [f"{where}: request body missing"] if required else []
    if schema is None:
        return [f"{where}: the operation takes no JSON body"]
    return _errors(clio.validator(schema), body, f"{where} request body")
