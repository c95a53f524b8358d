"""`congress-api export DIR`: the database written back as seed files, to review and keep in git.

One TOML file per document, `DIR/<document-id>.toml`, holds that document and every record whose
first source cites it; the text is `DIR/documents/<document-id>.txt`, byte for byte. Records are
in their stored order (term items by term then position, statistics by position, posts by person
then position, the rest by id), each with an explicit `position` where its kind has one, and every
source names its document, and its `occurrence` when the quote occurs more than once. Seeding a
fresh database from the folder reproduces every public representation; only the stamps
(`created_at`, `updated_at`, `revision`) are new, since they are history, not data.

The same database always gives the same bytes, so two exports diff well.
"""

import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from sqlmodel import Session

from app.editing import states
from app.editing.kinds import BY_SEED_LIST, Kind
from app.editing.states import State
from app.seeding.quotes import QuoteAmbiguous, QuoteLocator, QuoteNotFound
from app.seeding.schema import SeedFile

DOCUMENTS = "documents"  # the folder of texts, beside the TOML files
# Kinds in the order of a seed file.
SEED_ORDER = [BY_SEED_LIST[name] for name in SeedFile.model_fields]
Locators = Callable[[str], QuoteLocator]  # document id -> its text's locator
_DERIVED = frozenset(("sources", "sha256"))  # state keys a seed record does not give


class ExportError(Exception):
    """The database holds something seed files cannot say exactly; nothing was written."""


@dataclass
class Export:
    """The files of an export, by path relative to its folder, and what they hold."""

    files: dict[str, str]
    records: int
    documents: int

    def stale(self, directory: Path) -> list[Path]:
        """Seed files and texts in `directory` this export would not write: a seed run would
        read the former too."""
        found = [*directory.glob("*.toml"), *(directory / DOCUMENTS).glob("*.txt")]
        return sorted(p for p in found if p.relative_to(directory).as_posix() not in self.files)

    def write(self, directory: Path) -> list[str]:
        """Writes the files (texts without any newline translation); returns those that
        changed."""
        changed = []
        for name, content in self.files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_file() and path.read_bytes() == content.encode():
                continue
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(content)
            changed.append(name)
        return changed


def export(session: Session) -> Export:
    """Renders every record as seed files; raises ExportError if one cannot be said exactly."""
    stored = {kind.seed_list: states.load(session, kind) for kind in SEED_ORDER}
    documents = {record_id: s.state for record_id, s in stored[DOCUMENTS].items()}
    locators: dict[str, QuoteLocator] = {}

    def locator(document_id: str) -> QuoteLocator:
        if document_id not in locators:
            locators[document_id] = QuoteLocator(documents[document_id]["text"])
        return locators[document_id]

    files: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    records = 0
    for kind in SEED_ORDER:
        for state in sorted((s.state for s in stored[kind.seed_list].values()), key=_order(kind)):
            owner = state["id"] if kind.seed_list == DOCUMENTS else state["sources"][0]["document"]
            files[owner][kind.seed_list].append(_body(kind, state, locator))
            records += 1
    rendered: dict[str, str] = {}
    for document_id in sorted(files):
        text = documents[document_id]["text"]
        if "file" in files[document_id][DOCUMENTS][0]:
            rendered[f"{DOCUMENTS}/{document_id}.txt"] = text
        rendered[f"{document_id}.toml"] = _render(document_id, files[document_id])
    return Export(rendered, records, len(documents))


def _order(kind: Kind) -> Callable[[State], Any]:
    scope = kind.position_scope
    if scope is None:
        return lambda state: state["id"]
    if not scope:
        return lambda state: (state["position"], state["id"])
    return lambda state: (state[scope], state["position"], state["id"])


def _body(kind: Kind, state: State, locator: Locators) -> dict[str, Any]:
    """A state in the seed file's shape: id first, sources last, no nulls (TOML has none)."""
    name = f"{kind.seed_list} {state['id']!r}"
    fields = kind.body.model_fields
    body: dict[str, Any] = {"id": state["id"]}
    if kind.seed_list == DOCUMENTS:
        # The seed reader reads a text file with universal newlines: a text holding a carriage
        # return is given inline, where TOML keeps it.
        if "\r" in state["text"]:
            body["text"] = state["text"]
        else:
            body["file"] = f"{DOCUMENTS}/{state['id']}.txt"
    for key, value in state.items():
        if key in body or key in _DERIVED or (key == "text" and kind.seed_list == DOCUMENTS):
            continue
        if key not in fields:
            raise ExportError(f"{name}: the seed format has no field {key!r}")
        if value is None:
            if fields[key].default is not None:
                raise ExportError(f"{name}: {key} is null, which a seed file cannot say")
            continue
        body[key] = value
    body["sources"] = [_source(name, index, s, locator) for index, s in enumerate(state["sources"])]
    return body


def _source(name: str, index: int, source: dict[str, Any], locator: Locators) -> dict[str, Any]:
    """The quote, its document and, when the quote occurs more than once, which match the stored
    span is; checked to find exactly that span again."""
    found: QuoteLocator = locator(source["document"])
    span = (source["start"], source["end"])
    entry: dict[str, Any] = {"quote": source["quote"], "document": source["document"]}
    try:
        if found.locate(source["quote"]) == span:
            return entry
    except QuoteAmbiguous:
        occurrence = 1
        try:
            while found.locate(source["quote"], occurrence) != span:
                occurrence += 1
        except QuoteNotFound:
            pass
        else:
            entry["occurrence"] = occurrence
            return entry
    except QuoteNotFound:
        pass
    raise ExportError(
        f"{name}: sources[{index}]: the quote does not find its stored span {span} in "
        f"{source['document']!r} again"
    )


def _render(document_id: str, kinds: dict[str, list[dict[str, Any]]]) -> str:
    """One seed file: `[[kind]]` tables in the seed file's order, sources as one inline table a
    line, whatever their length (tomli_w alone would switch to sub-tables past 100 columns)."""
    lines = [
        f"# The document {document_id!r} and the records whose first source cites it.",
        "# Written by `congress-api export`; `congress-api seed --seed-dir` reads it back.",
    ]
    data = {kind.seed_list: kinds[kind.seed_list] for kind in SEED_ORDER if kinds[kind.seed_list]}
    for seed_list, bodies in data.items():
        for body in bodies:
            lines += ["", f"[[{seed_list}]]"]
            for key, value in body.items():
                if key != "sources":
                    lines.append(tomli_w.dumps({key: value}, indent=2).rstrip("\n"))
            lines.append("sources = [")
            lines += [f"  {_inline(source)}," for source in body["sources"]]
            lines.append("]")
    content = "\n".join(lines) + "\n"
    if tomllib.loads(content) != data:  # a guard on the hand-assembled parts
        raise ExportError(f"{document_id}.toml does not read back as what was written")
    return content


def _inline(table: dict[str, Any]) -> str:
    return "{ " + ", ".join(tomli_w.dumps({k: v}).rstrip("\n") for k, v in table.items()) + " }"
