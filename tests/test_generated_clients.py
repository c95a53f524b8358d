"""The contract as a new consumer meets it: clients generated from the OpenAPI document with
third-party tools, used against a live server.

- Python: openapi-python-client (pinned in the dev dependencies) generates a package; every
  operation of the document is called through it, reads and writes, and must come back parsed
  with no exception and a documented status, including a 304, a CSV body, a card as text and
  the DCAT catalog.
- TypeScript: openapi-typescript and openapi-fetch (pinned in package-lock.json) give a client
  that must compile under `tsc --strict` and fetch the term summary.
"""

import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
import sys
import tomllib
import typing
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.db import make_engine
from app.editing.kinds import BY_COLLECTION
from app.models import TokenScope
from tests.conftest import SEED_DIR, issue_token
from tests.contract import document
from tests.test_caching import committed_database
from tests.test_concurrency import serving

PACKAGE = "congress_contract_client"
NODE_BIN = PROJECT_ROOT / "node_modules" / ".bin"
TERM = "bac-giang-2025-2030"
STALE = '"999999999.00000000000000000000000000000000"'  # a version no record has


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server on a seeded database of its own, and an admin token for it."""
    folder = tmp_path_factory.mktemp("contract")
    with committed_database(folder) as url:
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            token = issue_token(session, "contract-test", TokenScope.admin)
        engine.dispose()
        with serving(url, DOWNLOADS_DIR=str(folder / "downloads")) as base:
            yield base, token


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    folder = tmp_path_factory.mktemp("python-client")
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(document(), ensure_ascii=False))
    config = folder / "config.json"
    # Media types the generator does not know, told as what they are to it (README: "Generating
    # a client"); no formatter runs on the generated code.
    overrides = {"application/atom+xml": "text/plain", "application/toml": "text/plain"}
    overrides |= {"application/vnd.sqlite3": "application/octet-stream"}
    overrides |= {"application/zip": "application/octet-stream"}
    config.write_text(json.dumps({"post_hooks": [], "content_type_overrides": overrides}))
    tool = Path(sys.executable).parent / "openapi-python-client"
    where: list[str | Path] = ["--path", spec, "--output-path", folder / PACKAGE]
    subprocess.run(
        [tool, "generate", *where, "--meta", "none", "--config", config],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.startswith(PACKAGE)]:
            del sys.modules[name]


def _operations(package: ModuleType) -> dict[str, ModuleType]:
    api = importlib.import_module(f"{package.__name__}.api")
    found = {}
    for tag in pkgutil.iter_modules(api.__path__):
        group = importlib.import_module(f"{api.__name__}.{tag.name}")
        for operation in pkgutil.iter_modules(group.__path__):
            found[operation.name] = importlib.import_module(f"{group.__name__}.{operation.name}")
    return found


def _seed_records() -> dict[str, list[dict[str, Any]]]:
    (path,) = SEED_DIR.glob("*.toml")
    seed = tomllib.loads(path.read_text())
    for record in seed["documents"]:
        record["text"] = (SEED_DIR / record.pop("file")).read_text()
    # A seed file's quotes default to its (one) document; a record sent alone names it.
    for records in seed.values():
        for record in records if isinstance(records, list) else []:
            for source in record.get("sources", []):
                source.setdefault("document", seed["documents"][0]["id"])
    return seed


def _body_type(function: Callable[..., Any]) -> Any:
    hint = typing.get_type_hints(function)["body"]
    options = typing.get_args(hint) or (hint,)
    return next(o for o in options if hasattr(o, "from_dict"))


def test_every_operation_of_a_generated_python_client_works_against_a_live_server(
    generated: ModuleType, live: tuple[str, str]
) -> None:
    base, token = live
    client = generated.Client(base_url=base, raise_on_unexpected_status=True, timeout=60)
    admin = generated.AuthenticatedClient(
        base_url=base, token=token, raise_on_unexpected_status=True, timeout=60
    )
    operations = _operations(generated)
    declared = {
        operation["operationId"]
        for item in document()["paths"].values()
        for operation in item.values()
    }
    assert set(operations) == declared  # the client has every operation, and nothing else

    seed = _seed_records()
    first = {c: seed[k.seed_list][0] for c, k in BY_COLLECTION.items()}
    ids = {collection: record["id"] for collection, record in first.items()}
    downloads = httpx.get(f"{base}/api/v1/downloads", timeout=120).json()["items"]
    called: dict[str, int] = {}

    def call(name: str, *args: Any, auth: bool = False, **kwargs: Any) -> Any:
        response = operations[name].sync_detailed(*args, client=admin if auth else client, **kwargs)
        status = str(int(response.status_code))
        assert status in operations_responses(name), f"{name}: {status} undocumented"
        called[name] = int(status)
        return response

    for name, module in operations.items():
        parameters = inspect.signature(module.sync_detailed).parameters
        writes = "body" in parameters or name.startswith(("retire_", "revert_"))
        if name.startswith("list_") and "limit" in parameters:
            assert call(name, limit=2).parsed.total >= 1, name
        elif name.startswith("get_") and name.endswith("_history"):
            collection = name.removeprefix("get_").removesuffix("_history")
            assert call(name, ids[collection]).parsed.total >= 1, name
        elif name.startswith(("create_", "replace_", "patch_", "retire_")) and name not in {
            "create_import"
        }:
            verb, collection = name.split("_", 1)
            record = first[collection]
            if verb == "create":  # the seed record exists: a conflict, parsed as a problem
                body = _body_type(module.sync_detailed).from_dict(record)
                assert call(name, body=body, auth=True).parsed.status == 409, name
            elif verb == "replace":  # the same record again: a write that changes nothing
                body = _body_type(module.sync_detailed).from_dict(record)
                reply = call(name, record["id"], body=body, if_match="*", auth=True)
                assert getattr(reply.parsed, "id", None) == record["id"], reply.content[:500]
            elif verb == "patch":
                body = _body_type(module.sync_detailed).from_dict({})
                reply = call(name, record["id"], body=body, if_match="*", auth=True)
                assert reply.parsed.id == record["id"], name
            else:  # a stale version is refused before anything is retired
                assert call(name, record["id"], if_match=STALE, auth=True).status_code == 412
        else:
            assert not writes or name in {"create_import", "revert_change"}, name

    # The rest, one by one, with what each needs.
    def get(name: str, *args: Any, **kwargs: Any) -> Any:
        return call(name, *args, **kwargs).parsed

    assert get("get_index").dataset.revision >= 1
    assert get("get_term_summary", TERM).id == TERM
    for collection in ["tasks", "solutions", "achievements", "limitations", "directives"]:
        assert get(f"get_{collection}_item", ids[collection]).id == ids[collection]
    for collection, operation in [("people", "get_person"), ("statistics", "get_statistic"),
                                  ("memberships", "get_membership"), ("areas", "get_area"),
                                  ("organizations", "get_organization"), ("events", "get_event"),
                                  ("documents", "get_document")]:  # fmt: skip
        assert get(operation, ids[collection]).id == ids[collection]
    assert get("get_document_text", ids["documents"]) == first["documents"]["text"]
    assert get("search", q="duong van thai").total >= 1
    changes = get("list_changes", limit=2)
    assert get("get_change", changes.items[0].n).n == changes.items[0].n
    assert call("revert_change", changes.items[0].n, auth=True).status_code in {201, 409}
    dry_run = _body_type(operations["create_import"].sync_detailed).from_dict(seed)
    assert call("create_import", body=dry_run, dry_run=True, auth=True).status_code == 200
    tasks = generated.models.AnnotatedCollection("tasks")
    assert get("get_record_annotations", tasks, ids["tasks"]).total >= 1
    assert get("list_downloads").items
    for download in downloads:  # the SQLite file, the zip and JSON-LD: all bytes
        file = get("get_download", download["url"].rsplit("/", 1)[1])
        assert len(file.payload.read()) == download["bytes"], download["name"]
    assert "<svg" not in get("embed_person", ids["people"]) and "<!doctype html>" in (
        get("embed_person", ids["people"]).lower()
    )
    assert "<!doctype html>" in get("embed_term", TERM).lower()
    assert "<!doctype html>" in get("embed_statistics", term=TERM).lower()
    assert get("get_oembed", url_query=f"{base}/embed/terms/{TERM}").type_ == "rich"
    assert "<feed" in get("get_feed")
    catalog = get("get_catalog")
    assert catalog.type_ == "dcat:Catalog" and catalog.dcatdataset
    assert "<section" in get("get_problem_type", "not-found")
    assert get("get_health").status == "ok" and get("get_readiness").status == "ok"
    # openapi-python-client parses one media type per status (JSON here): the CSV of the same
    # operation is read through the generated client's own connection, untyped.
    csv = client.get_httpx_client().get("/api/v1/people", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("created_at,")

    # A 304: the client sends the ETag it was given, and gets no body back.
    etag = call("get_person", ids["people"]).headers["etag"]
    cached = generated.Client(base_url=base, headers={"If-None-Match": etag})
    not_modified = operations["get_person"].sync_detailed(ids["people"], client=cached)
    assert not_modified.status_code == 304 and not_modified.parsed is None

    assert set(called) == declared, sorted(declared - set(called))


def operations_responses(operation_id: str) -> set[str]:
    for item in document()["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                return set(operation["responses"])
    raise KeyError(operation_id)


TYPESCRIPT = """import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const baseUrl = BASE_URL;
// One client per media type: JSON bodies typed by their schemas, CSV as text.
const api = createClient<paths, "application/json">({ baseUrl });
const csv = createClient<paths, "text/csv">({ baseUrl });

const { data, error } = await api.GET("/api/v1/terms/{term_id}", {
  params: { path: { term_id: "TERM" }, query: { include: ["key_tasks", "solutions"] } },
});
if (error !== undefined || data === undefined) {
  throw new Error(`no summary: ${JSON.stringify(error)}`);
}
const tasks: string[] = (data.key_tasks ?? []).map((task) => task.text);
const people = await api.GET("/api/v1/people", {
  params: { query: { sort: ["-name"], fields: ["name"], limit: 2 } },
});
if (people.data === undefined) throw new Error("no people");
const names: string[] = people.data.items.map((person) => person.name);
const table = await csv.GET("/api/v1/people", {
  params: { query: { format: "csv" } },
  parseAs: "text",
});
console.log(JSON.stringify({ id: data.id, tasks, names, csv: table.data }));
"""


@pytest.fixture
def typescript_folder() -> Iterator[Path]:
    """Inside the project, so that Node finds the pinned openapi-fetch in node_modules."""
    folder = PROJECT_ROOT / "build" / f"contract-ts-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder)


def test_a_typescript_client_compiles_under_strict_and_fetches_the_term_summary(
    typescript_folder: Path, live: tuple[str, str]
) -> None:
    if not (NODE_BIN / "tsc").exists():
        pytest.fail("npm tools missing: run `make install-dev`")
    base, _token = live
    spec = typescript_folder / "openapi.json"
    spec.write_text(json.dumps(document(), ensure_ascii=False))
    run = {"cwd": typescript_folder, "check": True, "capture_output": True, "text": True}
    subprocess.run([NODE_BIN / "openapi-typescript", spec, "-o", "schema.d.ts"], **run)  # type: ignore[call-overload]
    source = TYPESCRIPT.replace("BASE_URL", json.dumps(base)).replace("TERM", TERM)
    (typescript_folder / "main.ts").write_text(source)
    (typescript_folder / "package.json").write_text('{"type": "module", "private": true}')
    options = {"strict": True, "target": "es2022", "module": "nodenext", "outDir": "out"}
    options |= {"moduleResolution": "nodenext", "lib": ["es2022", "dom"], "noEmitOnError": True}
    (typescript_folder / "tsconfig.json").write_text(
        json.dumps({"compilerOptions": options, "files": ["main.ts"]})
    )
    compiled = subprocess.run([NODE_BIN / "tsc", "-p", "tsconfig.json"], **{**run, "check": False})  # type: ignore[call-overload]
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    output = subprocess.run(["node", "out/main.js"], **run)  # type: ignore[call-overload]
    result = json.loads(output.stdout)
    assert result["id"] == TERM and len(result["tasks"]) >= 1
    assert result["names"] == sorted(result["names"], reverse=True)
    assert result["csv"].startswith("created_at,")
