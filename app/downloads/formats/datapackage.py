"""The whole dataset as a Frictionless Data Package (https://specs.frictionlessdata.io/), zipped.

`datapackage.json` describes one UTF-8 CSV per public table with its Table Schema (types,
constraints, primary and foreign keys, English `title` and Vietnamese `title_vi`), the license
and the source articles; the articles' texts ride along as `documents/<id>.txt`. A tabular data
package may only hold tabular resources, so the texts are listed under `texts` (with their size
and SHA-256) and named by the documents table's `text_path` column rather than described as
resources. `frictionless validate` passes on the zip as built, hashes and foreign keys included.

The file is a function of the data: the same revision gives the same bytes.
"""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import lru_cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

from annotated_types import Ge, Le, MaxLen
from sqlalchemy import Column
from sqlmodel import Session

from app.cards import LICENSE_URL
from app.downloads.formats.tables import (
    BY_NAME,
    TABLES,
    Row,
    Table,
    Urls,
    document_texts,
    revision,
    rfc3339,
    rows,
)

MEDIA_TYPE = "application/zip"
NAME = "congress-term-summaries"
TITLE = ("Dữ liệu mở tổng kết nhiệm kỳ Đại hội", "Congress-term summaries, open data")
DESCRIPTION = (
    "Tóm tắt tổng kết nhiệm kỳ của cấp ủy tỉnh: nhiệm vụ trọng tâm, giải pháp đột phá, số liệu, "
    "hạn chế, chỉ đạo, nhân sự; mỗi dữ kiện kèm trích dẫn chính xác từ bài báo nguồn.",
    "Provincial Party Committee congress-term summaries: key tasks, breakthrough solutions, "
    "statistics, limitations, directives and people; every fact cited to the exact words of "
    "its source article (table `citations`, texts in `documents/`).",
)
LICENSE = {
    "name": "CC-BY-4.0",
    "path": LICENSE_URL,
    "title": "Creative Commons Attribution 4.0 International",
}
# Empty cells are nulls. No value is altered to defuse spreadsheet formulas (OWASP's CSV
# injection advice): a data package must round-trip exactly, and these CSVs are data for
# programs, not documents for a spreadsheet to execute.
MISSING_VALUES = [""]
TEXT_PATH = "text_path"

# Resource name -> (English title, Vietnamese title, description).
TABLE_TEXT: dict[str, tuple[str, str, str]] = {
    "areas": ("Areas", "Địa bàn", "Places the organizations serve (provinces, ...)."),
    "organizations": (
        "Organizations",
        "Tổ chức",
        "Party bodies, state bodies and publishers named by the sources.",
    ),
    "people": ("People", "Nhân sự", "People named by the sources."),
    "memberships": (
        "Posts",
        "Chức vụ",
        "A person's post in an organization, one row per post (Popolo memberships).",
    ),
    "terms": ("Congress terms", "Nhiệm kỳ", "Congress terms (nhiệm kỳ) of an organization."),
    "events": ("Events", "Sự kiện", "Conferences that reviewed one term and set the next."),
    "event_chairs": (
        "Event chairs",
        "Chủ trì sự kiện",
        "Who chaired each event, in the order the source names them.",
    ),
    "key_tasks": ("Key tasks", "Nhiệm vụ trọng tâm", "Key tasks of a term, in source order."),
    "solutions": (
        "Breakthrough solutions",
        "Giải pháp đột phá",
        "Breakthrough solutions of a term, in source order.",
    ),
    "achievements": ("Achievements", "Kết quả đạt được", "Results the review credits."),
    "limitations": ("Limitations", "Hạn chế", "Limitations and shortcomings the review found."),
    "directives": ("Directives", "Chỉ đạo", "What the leadership asked units to do."),
    "statistics": (
        "Statistics",
        "Số liệu",
        "Typed, point-in-time figures: a value with its qualifier, unit and period, never a "
        "bare number ('trên 8,8 nghìn' is 8800 more_than).",
    ),
    "documents": (
        "Source documents",
        "Văn bản nguồn",
        "The source articles; each text is the file named by `text_path`.",
    ),
    "citations": (
        "Citations",
        "Trích dẫn",
        "The quotes every record comes from: `quote` is the document's text from `start` to "
        "`end` (Unicode code points). A citation names its record by `subject_kind` and "
        "`subject_id`, a reference to one of several tables that a Table Schema foreign key "
        "cannot express: "
        + "; ".join(f"{t.kind.subject.value} → {t.name}.id" for t in TABLES if t.kind)
        + ".",
    ),
}

# Column -> (English title, Vietnamese title, description when the model has none). Keys
# "table.column" override a column name for one table.
FIELD_TEXT: dict[str, tuple[str, str, str | None]] = {
    "id": ("Id", "Mã", "Stable identifier (a slug), the last part of the record's API URL."),
    "created_at": ("Created at", "Thời điểm tạo", None),
    "updated_at": ("Updated at", "Thời điểm cập nhật", None),
    "revision": ("Revision", "Phiên bản dữ liệu", None),
    "name": ("Name", "Tên", "Name as printed in the source."),
    "classification": ("Classification", "Phân loại", None),
    "areas.classification": ("Classification", "Phân loại", "Kind of area, e.g. 'province'."),
    "parent_id": ("Parent organization", "Tổ chức cấp trên", "The body this one belongs to."),
    "area_id": ("Area", "Địa bàn", "The area the organization serves."),
    "person_id": ("Person", "Người", None),
    "organization_id": ("Organization", "Tổ chức", None),
    "role": ("Post (Vietnamese)", "Chức vụ", None),
    "role_en": ("Post (English)", "Chức vụ (tiếng Anh)", None),
    "position": ("Position", "Thứ tự", "1-based order, as in the source."),
    "label": ("Label", "Tên nhiệm kỳ", None),
    "start_year": ("Start year", "Năm bắt đầu", "First year of the term."),
    "end_year": ("End year", "Năm kết thúc", "Last year of the term."),
    "status": ("Status", "Trạng thái", None),
    "motto": ("Motto", "Phương châm", None),
    "organizer_id": ("Organizer", "Đơn vị tổ chức", "The organization that held the event."),
    "date_text": ("Date as printed", "Ngày (nguyên văn)", None),
    "day": ("Day", "Ngày", "Day of the month, when the source prints it."),
    "month": ("Month", "Tháng", "Month, when the source prints it."),
    "year": ("Year", "Năm", None),
    "term_id": ("Term", "Nhiệm kỳ", "The term the record belongs to."),
    "events.term_id": ("Term set", "Nhiệm kỳ định hướng", None),
    "reviewed_term_id": ("Reviewed term", "Nhiệm kỳ được tổng kết", None),
    "event_id": ("Event", "Sự kiện", None),
    "event_chairs.person_id": ("Chair", "Người chủ trì", "A person who chaired the event."),
    "event_chairs.position": ("Position", "Thứ tự", "Order in which the source names the chairs."),
    "text": ("Text", "Nội dung", None),
    "issuer_id": ("Issued by", "Người chỉ đạo", None),
    "addressees": ("Addressed to", "Đối tượng", None),
    "key": ("Key", "Khóa", None),
    "category": ("Category", "Nhóm", "What the figure is about."),
    "value": ("Value", "Giá trị", None),
    "value_max": ("Upper bound", "Giá trị tối đa", None),
    "qualifier": ("Qualifier", "Mức độ", None),
    "unit": ("Unit", "Đơn vị tính", "Unit of `value` and `value_max`."),
    "period_start": ("Period start", "Từ năm", "First year the figure covers, when stated."),
    "period_end": ("Period end", "Đến năm", "Last year the figure covers, when stated."),
    "as_of_text": ("Period as printed", "Thời gian (nguyên văn)", None),
    "label_vi": ("Label (Vietnamese)", "Tên chỉ tiêu", "What the figure counts, in Vietnamese."),
    "label_en": ("Label (English)", "Tên chỉ tiêu (tiếng Anh)", "The same, in English."),
    "statistics.term_id": ("Term", "Nhiệm kỳ", "The term the figure belongs to, if any."),
    "statistics.organization_id": ("Organization", "Tổ chức", "The body counted, if any."),
    "title": ("Headline", "Tiêu đề", None),
    "section": ("Section", "Chuyên mục", None),
    "place": ("Place", "Địa danh", None),
    "dateline_text": ("Dateline", "Ngày đăng (nguyên văn)", None),
    "publisher_id": ("Publisher", "Cơ quan xuất bản", "The organization that published it."),
    "author_id": ("Author", "Tác giả", "The person who wrote it."),
    "photo_caption": ("Photo caption", "Chú thích ảnh", "Caption of the photo, as printed."),
    "photo_credit": ("Photo credit", "Nguồn ảnh", None),
    "language": ("Language", "Ngôn ngữ", "BCP 47 tag of the text, e.g. 'vi'."),
    "sha256": (
        "SHA-256 of the text",
        "Mã băm SHA-256",
        "Hex SHA-256 of the UTF-8 text in `text_path`.",
    ),
    TEXT_PATH: (
        "Text file",
        "Tệp văn bản",
        "Path of the document's text in this package (UTF-8, as stored; citations' offsets "
        "count its code points).",
    ),
    "subject_kind": (
        "Record kind",
        "Loại bản ghi",
        "The kind of record the quote supports; with `subject_id` it names the record (see "
        "the table's description for the table of each kind).",
    ),
    "subject_id": ("Record", "Bản ghi", "The id of the record the quote supports."),
    "citations.position": ("Position", "Thứ tự", "Order among the record's sources."),
    "document_id": ("Document", "Văn bản nguồn", "The document quoted."),
    "quote": (
        "Quote",
        "Trích dẫn",
        "The exact span of the document's text: text[start:end] == quote.",
    ),
    "start": ("Start", "Vị trí đầu", "Offset of the quote's first character (code points)."),
    "end": ("End", "Vị trí cuối", "Offset just past the quote's last character."),
}

_TYPES: list[tuple[type, str]] = [
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (datetime, "datetime"),
    (str, "string"),
]
_RESOURCE_OF_TABLE = {table.sql.name: table.name for table in TABLES}


def build(session: Session, target: Path, *, base_url: str) -> None:
    """Writes the data package zip at `target`."""
    urls = Urls(base_url)
    state = revision(session)
    stamp = _zip_time(state.modified_at)
    resources = []
    sources: list[dict[str, str]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            data = rows(session, table)
            names = [c.name for c in table.columns]
            if table.name == "documents":
                names.insert(names.index("created_at"), TEXT_PATH)
                for row in data:
                    row[TEXT_PATH] = _text_path(row["id"])
                sources = [{"title": r["title"], "path": urls.document(r["id"])} for r in data]
            path = f"data/{table.name}.csv"
            fields = _fields(table, names)
            content = _csv(fields, data)
            _write(archive, path, content, stamp)
            resources.append(_resource(table, fields, path, content))
        texts = []
        for document_id, text in sorted(document_texts(session).items()):
            content = text.encode()
            _write(archive, _text_path(document_id), content, stamp)
            texts.append(
                {
                    "document": document_id,
                    "path": _text_path(document_id),
                    "mediatype": "text/plain",
                    "encoding": "utf-8",
                    "bytes": len(content),
                    "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
                }
            )
        descriptor = {
            "profile": "tabular-data-package",
            "name": NAME,
            "title": TITLE[1],
            "title_vi": TITLE[0],
            "description": DESCRIPTION[1],
            "description_vi": DESCRIPTION[0],
            "homepage": f"{urls.base}/api/v1",
            "version": str(state.number),
            "revision": state.number,
            "created": rfc3339(state.modified_at),
            "licenses": [LICENSE],
            "sources": sources,
            "keywords": ["xây dựng Đảng", "nhiệm kỳ", "congress term", "open data"],
            "texts": texts,
            "resources": resources,
        }
        _write(archive, "README.md", _readme(state.number, urls).encode(), stamp)
        encoded = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        _write(archive, "datapackage.json", encoded.encode(), stamp)


def _text_path(document_id: str) -> str:
    return f"documents/{document_id}.txt"


def _zip_time(value: datetime) -> tuple[int, int, int, int, int, int]:
    # Zip dates start in 1980 and have no zone: the revision's UTC time, so the bytes repeat.
    if value.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (value.year, value.month, value.day, value.hour, value.minute, value.second)


def _write(
    archive: zipfile.ZipFile,
    name: str,
    content: bytes,
    stamp: tuple[int, int, int, int, int, int],
) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, content)


def _text(value: Any) -> str:
    # Values are written as stored: no trimming, no escaping of leading '=', '+', '-' or '@'.
    return "" if value is None else str(value)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    # Whole figures as the API writes them (8800, not 8800.0); the number is the same.
    return str(int(value)) if value.is_integer() else repr(value)


def _boolean(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


@lru_cache(maxsize=4096)  # a seed run stamps thousands of rows with one time
def _datetime(value: datetime | None) -> str:
    return "" if value is None else rfc3339(value)


_FORMATS: dict[str, Callable[[Any], str]] = {
    "string": _text,
    "integer": _text,
    "number": _number,
    "boolean": _boolean,
    "datetime": _datetime,
}


def _csv(fields: list[dict[str, Any]], data: list[Row]) -> bytes:
    names = [field["name"] for field in fields]
    formats = [_FORMATS[field["type"]] for field in fields]
    columns = list(zip(names, formats, strict=True))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([fmt(row[name]) for name, fmt in columns] for row in data)
    return buffer.getvalue().encode()


def _fields(table: Table, names: list[str]) -> list[dict[str, Any]]:
    columns = {c.name: c for c in table.columns}
    return [
        _text_field(table) if name == TEXT_PATH else _field(table, columns[name]) for name in names
    ]


def _resource(
    table: Table, fields: list[dict[str, Any]], path: str, content: bytes
) -> dict[str, Any]:
    title_en, title_vi, description = TABLE_TEXT[table.name]
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": list(table.key),
        "missingValues": MISSING_VALUES,
    }
    foreign_keys = [
        {
            "fields": [column.name],
            "reference": {"resource": _RESOURCE_OF_TABLE[key.column.table.name], "fields": ["id"]},
        }
        for column in table.columns
        for key in column.foreign_keys
    ]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "profile": "tabular-data-resource",
        "name": table.name,
        "path": path,
        "title": title_en,
        "title_vi": title_vi,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "schema": schema,
    }


def _texts_of(table: Table, name: str) -> tuple[str, str, str | None]:
    return FIELD_TEXT.get(f"{table.name}.{name}") or FIELD_TEXT[name]


def _text_field(table: Table) -> dict[str, Any]:
    title_en, title_vi, description = _texts_of(table, TEXT_PATH)
    return {
        "name": TEXT_PATH,
        "type": "string",
        "title": title_en,
        "title_vi": title_vi,
        "description": description,
        "constraints": {"required": True},
    }


def _field(table: Table, column: Column[Any]) -> dict[str, Any]:
    title_en, title_vi, fallback = _texts_of(table, column.name)
    info = table.model.model_fields[column.name]
    annotation = _strip_optional(info.annotation)
    field: dict[str, Any] = {
        "name": column.name,
        "type": _type(column, annotation),
        "title": title_en,
        "title_vi": title_vi,
        "description": info.description or fallback or title_en,
    }
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        constraints["enum"] = [member.value for member in annotation]
    for rule in info.metadata:
        if isinstance(rule, Ge):
            constraints["minimum"] = rule.ge
        elif isinstance(rule, Le):
            constraints["maximum"] = rule.le
        elif isinstance(rule, MaxLen):
            constraints["maxLength"] = rule.max_length
    if constraints:
        field["constraints"] = constraints
    return field


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        kept = [a for a in get_args(annotation) if a is not NoneType]
        if len(kept) == 1:
            return kept[0]
    return annotation


def _type(column: Column[Any], annotation: Any) -> str:
    """The Table Schema type of a column, from the model's annotation of it."""
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return "string"
        for candidate, name in _TYPES:
            if issubclass(annotation, candidate):
                return name
    raise TypeError(f"no Table Schema type for {column}")  # a new column type needs a mapping


def _readme(number: int, urls: Urls) -> str:
    tables = "\n".join(
        f"- `data/{name}.csv`: {TABLE_TEXT[name][1]} ({TABLE_TEXT[name][0]})." for name in BY_NAME
    )
    return f"""# {TITLE[1]} / {TITLE[0]}

Revision {number} of the dataset served at {urls.base}/api/v1, as a Frictionless Data Package
(`datapackage.json`, profile tabular-data-package). Check it with `frictionless validate
datapackage.json` (or on this zip): every table's types, keys, foreign keys, sizes and SHA-256
are declared there.

{tables}
- `documents/<id>.txt`: the text of each source article, UTF-8, exactly as stored; listed under
  `texts` in `datapackage.json` and named by `text_path` in `data/documents.csv`.

Every fact comes with its source: `data/citations.csv` gives, for each record (`subject_kind`,
`subject_id`), the exact quote and its offsets in the document's text, counted in Unicode code
points: `text[start:end] == quote`.

CSV: UTF-8 without a byte-order mark, comma-separated, CRLF line ends, a header row. An empty
cell is a missing value (null). Values are exactly as stored: nothing is escaped for
spreadsheets, so open the files as data, not as documents to be calculated.

Retired records are not included; their history is at {urls.base}/api/v1/changes.

License: {LICENSE["title"]} ({LICENSE_URL}). Credit the source articles listed under `sources`.
"""
