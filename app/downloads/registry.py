"""The distributions of the whole dataset: one file each per revision.

A builder writes one file at `target` from `session`, which sees one snapshot of the database
(every table at one revision). URLs it bakes into the file start with `base_url`. Builders are
imported when first used, so that a format's dependencies load only when it is built.
"""

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Protocol

from sqlmodel import Session

FILE_PREFIX = "congress"
ANNOTATION_PROFILE = "http://www.w3.org/ns/anno.jsonld"


class Builder(Protocol):
    def __call__(self, session: Session, target: Path, *, base_url: str) -> None: ...


@dataclass(frozen=True)
class Distribution:
    name: str  # stable key, e.g. "sqlite"
    suffix: str  # file name ending, e.g. ".sqlite"
    media_type: str  # the Content-Type it is served with
    title: str
    title_vi: str
    module: str  # holds `build`, a Builder
    conforms_to: str | None = None  # the standard the file follows, for the DCAT catalog
    file_type: str | None = None  # EU file-type authority code, for the DCAT catalog

    def file_name(self, revision: int) -> str:
        return f"{FILE_PREFIX}-r{revision}{self.suffix}"

    @property
    def builder(self) -> Builder:
        build: Builder = import_module(self.module).build
        return build


DISTRIBUTIONS: tuple[Distribution, ...] = (
    Distribution(
        name="sqlite",
        suffix=".sqlite",
        media_type="application/vnd.sqlite3",
        title="SQLite database of the public tables",
        title_vi="Cơ sở dữ liệu SQLite của các bảng công khai",
        module="app.downloads.sqlite",
    ),
    Distribution(
        name="datapackage",
        suffix=".datapackage.zip",
        media_type="application/zip",
        title="Frictionless Data Package: one CSV per table, document texts",
        title_vi="Gói dữ liệu Frictionless: mỗi bảng một tệp CSV, kèm văn bản nguồn",
        module="app.downloads.formats.datapackage",
        conforms_to="https://specs.frictionlessdata.io/data-package/",
        file_type="ZIP",
    ),
    Distribution(
        name="jsonld",
        suffix=".jsonld",
        media_type="application/ld+json",
        title="JSON-LD graph (schema.org, Popolo)",
        title_vi="Đồ thị JSON-LD (schema.org, Popolo)",
        module="app.downloads.formats.jsonld",
        conforms_to="https://schema.org/",
        file_type="JSON_LD",
    ),
    Distribution(
        name="annotations",
        suffix=".annotations.jsonld",
        media_type=f'application/ld+json; profile="{ANNOTATION_PROFILE}"',
        title="W3C Web Annotations: one per citation",
        title_vi="Chú thích web W3C: mỗi trích dẫn một chú thích",
        module="app.downloads.formats.annotations",
        conforms_to="http://www.w3.org/ns/oa#",
        file_type="JSON_LD",
    ),
)
BY_NAME = {distribution.name: distribution for distribution in DISTRIBUTIONS}
