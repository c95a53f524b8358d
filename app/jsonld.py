"""Linked data: schema.org JSON-LD for terms, people and statistics, and the DCAT catalog.

Pure functions from public models to JSON-LD documents; the routes fetch the models. Each
graph describes only what its input holds, so a card's graph is what the card shows.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.cards import EN_DASH, LICENSE_URL, Credit, statistic_value
from app.i18n import Lang
from app.schemas.people import AreaPublic, PersonPublic, PostPublic
from app.schemas.statistics import StatisticPublic
from app.schemas.terms import TermPublic, TermSummary

JSONLD_MEDIA_TYPE = "application/ld+json"
SCHEMA_ORG = "https://schema.org"
Node = dict[str, Any]


class Urls:
    """Absolute URLs of the resources a graph points at, from the public origin."""

    def __init__(self, base: str) -> None:
        self.base = base

    def api(self, collection: str, record_id: str) -> str:
        return f"{self.base}/api/v1/{collection}/{record_id}"

    def statistics(self, term_id: str, *, csv: bool = False) -> str:
        return f"{self.base}/api/v1/statistics?term={term_id}" + ("&format=csv" if csv else "")


def article(credit: Credit, urls: Urls) -> Node:
    document = credit.document
    node: Node = {
        "@type": "NewsArticle",
        "@id": credit.url,
        "url": credit.url,
        "headline": document.title,
        "inLanguage": document.language,
        "isAccessibleForFree": True,
        "encoding": {
            "@type": "MediaObject",
            "contentUrl": credit.text_url,
            "encodingFormat": "text/plain",
            "sha256": document.sha256,
        },
    }
    if document.section:
        node["articleSection"] = document.section
    if document.dateline_text:
        node["dateline"] = document.dateline_text
    if credit.publisher and document.publisher_id:
        node["publisher"] = {
            "@type": "Organization",
            "@id": urls.api("organizations", document.publisher_id),
            "name": credit.publisher,
        }
    if credit.author and document.author_id:
        node["author"] = {
            "@type": "Person",
            "@id": urls.api("people", document.author_id),
            "name": credit.author,
        }
    return node


def _role(post: PostPublic, urls: Urls, lang: Lang) -> Node:
    # schema.org's Role pattern: the role stands between the person and the organization.
    return {
        "@type": "OrganizationRole",
        "roleName": post.role if lang is Lang.vi else post.role_en,
        "memberOf": {
            "@type": "Organization",
            "@id": urls.api("organizations", post.organization_id),
            "name": post.organization_name,
        },
    }


def person(person: PersonPublic, urls: Urls, lang: Lang) -> Node:
    node: Node = {"@type": "Person", "@id": urls.api("people", person.id), "name": person.name}
    if person.posts:
        node["memberOf"] = [_role(post, urls, lang) for post in person.posts]
    return node


def _place(area: AreaPublic | None) -> Node | None:
    return {"@type": "AdministrativeArea", "name": area.name} if area else None


def _measure(statistic: StatisticPublic, urls: Urls, lang: Lang) -> Node:
    node: Node = {
        "@type": "PropertyValue",
        "@id": urls.api("statistics", statistic.id),
        "propertyID": statistic.key,
        "name": statistic.label,
        "unitText": statistic.unit.value,
    }
    qualifier = statistic.qualifier.value
    if qualifier == "exact":
        node["value"] = statistic.value
    elif qualifier == "range":
        node["minValue"], node["maxValue"] = statistic.value, statistic.value_max
    elif qualifier == "at_least":
        node["minValue"] = statistic.value
    else:
        # "more than" and "about" have no schema.org number; the words are the value.
        node["value"] = statistic_value(statistic, lang)
    if statistic.as_of_text:
        node["description"] = statistic.as_of_text
    return node


def statistics_dataset(
    term: TermPublic,
    statistics: list[StatisticPublic],
    credits: list[Credit],
    urls: Urls,
    lang: Lang,
    *,
    name: str,
    area: AreaPublic | None = None,
) -> Node:
    node: Node = {
        "@type": "Dataset",
        "@id": urls.statistics(term.id),
        "name": name,
        "url": urls.statistics(term.id),
        "license": LICENSE_URL,
        "isAccessibleForFree": True,
        "temporalCoverage": f"{term.start_year}/{term.end_year}",
        "variableMeasured": [_measure(s, urls, lang) for s in statistics],
        "isBasedOn": [{"@id": credit.url} for credit in credits],
        "distribution": [
            {
                "@type": "DataDownload",
                "encodingFormat": "application/json",
                "contentUrl": urls.statistics(term.id),
            },
            {
                "@type": "DataDownload",
                "encodingFormat": "text/csv",
                "contentUrl": urls.statistics(term.id, csv=True),
            },
        ],
    }
    place = _place(area)
    if place:
        node["spatialCoverage"] = place
    return node


def _item_list(name: str, items: list[Any]) -> Node:
    return {
        "@type": "ItemList",
        "name": name,
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": item.text}
            for i, item in enumerate(items, start=1)
        ],
    }


def term_graph(
    summary: TermSummary, credits: list[Credit], urls: Urls, lang: Lang, names: dict[str, str]
) -> Node:
    """The sections present in `summary`, as one schema.org graph. `names` gives the section
    headings in the summary's language."""
    term_node: Node = {
        "@type": "CreativeWork",
        "@id": urls.api("terms", summary.id),
        "name": summary.label,
        "temporalCoverage": f"{summary.start_year}/{summary.end_year}",
        "license": LICENSE_URL,
        "isBasedOn": [{"@id": credit.url} for credit in credits],
    }
    graph: list[Node] = [term_node]
    if summary.organization:
        org_id = urls.api("organizations", summary.organization.id)
        organization: Node = {"@type": "Organization", "@id": org_id}
        organization["name"] = summary.organization.name
        place = _place(summary.area)
        if place:
            organization["areaServed"] = place
        graph.append(organization)
        term_node["about"] = {"@id": org_id}
    if summary.conference:
        conference = summary.conference
        # No startDate: schema.org dates need a year and the source does not print one.
        event: Node = {
            "@type": "Event",
            "@id": urls.api("events", conference.id),
            "name": conference.name,
            "description": conference.date_text,
            "organizer": {"@id": urls.api("organizations", conference.organizer_id)},
        }
        if summary.people is not None and conference.chairs:
            event["contributor"] = [{"@id": urls.api("people", c.id)} for c in conference.chairs]
        graph.append(event)
    parts: list[Node] = []
    for section in ("key_tasks", "solutions", "achievements", "limitations", "directives"):
        items = getattr(summary, section)
        if items:
            parts.append(_item_list(names.get(section, section), items))
    if summary.statistics is not None:
        statistics = [s for group in summary.statistics for s in group.items]
        if statistics:
            parts.append(
                statistics_dataset(
                    summary,
                    statistics,
                    credits,
                    urls,
                    lang,
                    name=names.get("statistics", "statistics") + " — " + summary.label,
                    area=summary.area,
                )
            )
    if parts:
        term_node["hasPart"] = parts
    graph += [person(p, urls, lang) for p in summary.people or []]
    graph += [article(credit, urls) for credit in credits]
    return {"@context": SCHEMA_ORG, "@graph": graph}


def document(graph: list[Node]) -> Node:
    return {"@context": SCHEMA_ORG, "@graph": graph}


# DCAT ---------------------------------------------------------------------------------------

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_EU = "http://publications.europa.eu/resource/authority"
_IANA = "https://www.iana.org/assignments/media-types"


@dataclass(frozen=True)
class CatalogEntry:
    """One term and what the catalog says about it."""

    term: TermPublic
    organization_name: str
    area: AreaPublic | None
    credits: list[Credit]


@dataclass(frozen=True)
class CatalogDownload:
    """One file of the whole dataset at the current revision."""

    title_vi: str
    title_en: str
    url: str
    media_type: str  # without parameters
    bytes: int
    sha256: str
    modified: datetime
    conforms_to: str | None = None
    file_type: str | None = None  # EU file-type authority code


def _texts(vi: str, en: str) -> list[Node]:
    return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]


def _date_time(value: datetime) -> Node:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def _year(value: int) -> Node:
    return {"@value": str(value), "@type": "xsd:gYear"}


def _distribution(title: str, url: str, media_type: str, file_type: str) -> Node:
    return {
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": f"{_IANA}/{media_type}"},
        "dct:format": {"@id": f"{_EU}/file-type/{file_type}"},
        "dct:license": {"@id": LICENSE_URL},
    }


def _download(download: CatalogDownload, listing: str) -> Node:
    node: Node = {
        "@id": download.url,
        "@type": "dcat:Distribution",
        "dct:title": _texts(download.title_vi, download.title_en),
        "dcat:accessURL": {"@id": listing},
        "dcat:downloadURL": {"@id": download.url},
        "dcat:mediaType": {"@id": f"{_IANA}/{download.media_type}"},
        "dcat:byteSize": {"@value": str(download.bytes), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": download.sha256, "@type": "xsd:hexBinary"},
        },
        "dct:modified": _date_time(download.modified),
        "dct:license": {"@id": LICENSE_URL},
    }
    if download.file_type:
        node["dct:format"] = {"@id": f"{_EU}/file-type/{download.file_type}"}
    if download.conforms_to:
        node["dct:conformsTo"] = {"@id": download.conforms_to}
    return node


def catalog(
    entries: list[CatalogEntry],
    downloads: list[CatalogDownload],
    urls: Urls,
    *,
    publisher: str,
    modified: datetime,
    revision: int,
) -> Node:
    """A DCAT-AP style catalog: the whole dataset, whose distributions are the downloads of the
    current revision (with size and SHA-256), and one dcat:Dataset per term, part of it, whose
    distributions are the term summary as JSON and JSON-LD."""
    agent = {"@type": "foaf:Agent", "foaf:name": publisher}
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": publisher,
        "vcard:hasURL": {"@id": f"{urls.base}/docs"},
    }
    whole_id = f"{urls.base}/catalog.jsonld#dataset"
    datasets: list[Node] = []
    for entry in entries:
        term = entry.term
        summary_url = urls.api("terms", term.id)
        distributions = [
            _distribution("Term summary (JSON)", summary_url, "application/json", "JSON"),
            _distribution(
                "Term summary (schema.org JSON-LD)", summary_url, "application/ld+json", "JSON_LD"
            ),
        ]
        dataset: Node = {
            "@id": f"{urls.base}/catalog.jsonld#{term.id}",
            "@type": "dcat:Dataset",
            "dct:identifier": term.id,
            "dct:title": _texts(
                f"{entry.organization_name}, {term.label}",
                f"{entry.organization_name}, term {term.start_year}{EN_DASH}{term.end_year}",
            ),
            "dct:description": _texts(
                f"Tóm tắt {term.label} của {entry.organization_name}: nhiệm vụ trọng tâm, "
                "giải pháp đột phá, số liệu, hạn chế, nhân sự; mỗi dữ kiện kèm trích dẫn nguồn.",
                f"Summary of the {term.start_year}{EN_DASH}{term.end_year} term of "
                f"{entry.organization_name}: key tasks, breakthrough solutions, statistics, "
                "limitations, people; every fact cited to its source sentence.",
            ),
            "dcat:keyword": ["xây dựng Đảng", "nhiệm kỳ", "congress term", "open data"],
            "dct:publisher": agent,
            "dct:license": {"@id": LICENSE_URL},
            "dct:language": {"@id": f"{_EU}/language/VIE"},
            "dct:modified": _date_time(modified),
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": _year(term.start_year),
                "dcat:endDate": _year(term.end_year),
            },
            "dct:source": [{"@id": credit.url} for credit in entry.credits],
            "dct:isPartOf": {"@id": whole_id},
            "dcat:landingPage": {"@id": f"{urls.base}/embed/terms/{term.id}"},
            "dcat:contactPoint": contact,
            "dcat:distribution": distributions,
        }
        if entry.area:
            dataset["dct:spatial"] = {
                "@type": "dct:Location",
                "skos:prefLabel": {"@value": entry.area.name, "@language": "vi"},
            }
        datasets.append(dataset)
    listing = f"{urls.base}/api/v1/downloads"
    whole: Node = {
        "@id": whole_id,
        "@type": "dcat:Dataset",
        "dct:identifier": "congress-summaries",
        "dct:title": _texts(
            "Toàn bộ dữ liệu tổng kết nhiệm kỳ Đại hội",
            "Congress-term summaries, the whole dataset",
        ),
        "dct:description": _texts(
            "Toàn bộ dữ liệu ở một phiên bản, mỗi định dạng một tệp: SQLite, gói dữ liệu "
            "Frictionless (CSV), JSON-LD, và mỗi trích dẫn là một chú thích web W3C.",
            "The whole dataset at one revision, one file per format: SQLite, a Frictionless "
            "Data Package (CSV), JSON-LD, and every citation as a W3C Web Annotation.",
        ),
        "dcat:keyword": ["xây dựng Đảng", "nhiệm kỳ", "congress term", "open data"],
        "dct:publisher": agent,
        "dct:license": {"@id": LICENSE_URL},
        "dct:language": {"@id": f"{_EU}/language/VIE"},
        "dct:modified": _date_time(modified),
        "dcat:version": str(revision),
        "dct:hasPart": [{"@id": d["@id"]} for d in datasets],
        "dcat:landingPage": {"@id": listing},
        "dcat:contactPoint": contact,
        "dcat:distribution": [_download(download, listing) for download in downloads],
    }
    if entries:
        whole["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _year(min(e.term.start_year for e in entries)),
            "dcat:endDate": _year(max(e.term.end_year for e in entries)),
        }
    return {
        "@context": DCAT_CONTEXT,
        "@id": f"{urls.base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _texts(
            "Dữ liệu mở tổng kết nhiệm kỳ Đại hội", "Congress-term summaries, open data"
        ),
        "dct:description": _texts(
            "Tóm tắt tổng kết nhiệm kỳ của cấp ủy tỉnh, mỗi dữ kiện kèm trích dẫn nguồn.",
            "Provincial Party Committee congress-term summaries, every fact cited.",
        ),
        "dct:publisher": agent,
        "dct:license": {"@id": LICENSE_URL},
        "dct:language": {"@id": f"{_EU}/language/VIE"},
        "dct:modified": _date_time(modified),
        "foaf:homepage": {"@id": f"{urls.base}/api/v1"},
        "dcat:dataset": [whole, *datasets],
    }
