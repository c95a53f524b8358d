"""The whole dataset as one JSON-LD graph: schema.org, with the W3C Organization and Person
vocabularies where Popolo uses them (memberships, people, organizations).

The nodes are those the API's per-record graphs use (`app/jsonld.py`: a term is a
`CreativeWork` whose sections are `ItemList`s, the conference an `Event` with no `startDate`
unless the source prints a year, a person's posts `OrganizationRole`s, a figure a
`PropertyValue`, an article a `NewsArticle` with its text as a `MediaObject`), merged into one
`@graph` in which every record is a node whose `@id` is its API URL. Every record links to its
sources with `citation`: a `Quotation` whose `@id` is the span in the document's text as an
RFC 5147 fragment (`.../documents/{id}/text#char=start,end`, code points).

The context is inline, so the file expands offline with any JSON-LD processor.
"""

import json
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session

from app.cards import LICENSE_URL
from app.downloads.formats.tables import (
    Row,
    Urls,
    citations_by_record,
    document_texts,
    read_all,
    revision,
    rfc3339,
)

MEDIA_TYPE = "application/ld+json"
CONTEXT = {
    # schema.org's own context (the API's graphs use it) makes terms http://schema.org/ IRIs.
    "@vocab": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "person": "http://www.w3.org/ns/person#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
Node = dict[str, Any]
# Table -> (kind, Vietnamese and English section names) of a term's ordered statements.
SECTIONS = {
    "key_tasks": ("key_task", "Nhiệm vụ trọng tâm", "Key tasks"),
    "solutions": ("solution", "Giải pháp đột phá", "Breakthrough solutions"),
    "achievements": ("achievement", "Kết quả đạt được", "Achievements"),
    "limitations": ("limitation", "Hạn chế, tồn tại", "Limitations"),
    "directives": ("directive", "Chỉ đạo", "Directives"),
}


def build(session: Session, target: Path, *, base_url: str) -> None:
    """Writes the JSON-LD file at `target`, one node per line as each is made."""
    with target.open("w", encoding="utf-8") as out:
        out.write('{"@context": ' + json.dumps(CONTEXT) + ', "@graph": [\n')
        _fill(_Graph(out), session, base_url=base_url)
        out.write("\n]}\n")


def _fill(graph: "_Graph", session: Session, *, base_url: str) -> None:
    urls = Urls(base_url)
    state = revision(session)
    data = read_all(session)
    texts = document_texts(session)
    graph.urls, graph.cited = urls, citations_by_record(data["citations"])

    graph.add(
        {
            "@id": f"{urls.base}/api/v1",
            "@type": "Dataset",
            "name": _texts("Dữ liệu mở tổng kết nhiệm kỳ Đại hội", "Congress-term summaries"),
            "license": {"@id": LICENSE_URL},
            "isAccessibleForFree": True,
            "version": str(state.number),
            "dateModified": {"@value": rfc3339(state.modified_at), "@type": "xsd:dateTime"},
            "isBasedOn": [{"@id": urls.document(row["id"])} for row in data["documents"]],
        }
    )
    for row in data["areas"]:
        area: Node = {"@type": "AdministrativeArea", "name": row["name"]}
        area["additionalType"] = row["classification"]
        graph.record("area", row, area)
    for row in data["organizations"]:
        organization: Node = {
            "@type": ["Organization", "org:Organization"],
            "name": row["name"],
            "additionalType": row["classification"],
            "org:classification": row["classification"],
        }
        if row["parent_id"]:
            parent = _ref(urls.of_kind("organization", row["parent_id"]))
            organization["parentOrganization"] = parent
            organization["org:subOrganizationOf"] = parent
        if row["area_id"]:
            organization["areaServed"] = _ref(urls.of_kind("area", row["area_id"]))
        graph.record("organization", row, organization)
    posts: dict[str, list[Row]] = {}
    for row in data["memberships"]:
        posts.setdefault(row["person_id"], []).append(row)
    for row in data["people"]:
        held = sorted(posts.get(row["id"], []), key=lambda post: post["position"])
        person: Node = {"@type": ["Person", "person:Person"], "name": row["name"]}
        if held:
            # schema.org: person -memberOf-> role -memberOf-> organization; W3C org (Popolo):
            # person -org:memberOf-> organization, and the membership node says which post.
            person["memberOf"] = [_ref(urls.of_kind("membership", post["id"])) for post in held]
            person["org:memberOf"] = [
                _ref(urls.of_kind("organization", organization_id))
                for organization_id in dict.fromkeys(post["organization_id"] for post in held)
            ]
        graph.record("person", row, person)
    for row in data["memberships"]:
        body = _ref(urls.of_kind("organization", row["organization_id"]))
        role = _texts(row["role"], row["role_en"])
        # One node in both vocabularies: schema.org's Role between a person and an
        # organization, and the W3C Organization ontology's Membership that Popolo uses.
        membership: Node = {
            "@type": ["OrganizationRole", "org:Membership"],
            "roleName": role,
            "memberOf": body,
            "position": row["position"],
            "org:member": _ref(urls.of_kind("person", row["person_id"])),
            "org:organization": body,
            "org:role": role,
        }
        graph.record("membership", row, membership)
    for row in data["documents"]:
        graph.record("document", row, _article(row, urls, texts.get(row["id"])))

    statements: dict[str, dict[str, list[Row]]] = {}
    for table, (kind, _vi, _en) in SECTIONS.items():
        for row in data[table]:
            statements.setdefault(row["term_id"], {}).setdefault(table, []).append(row)
            node: Node = {
                "@type": "CreativeWork",
                "additionalType": kind,
                "position": row["position"],
                "text": row["text"],
                "inLanguage": "vi",
                "isPartOf": _ref(urls.of_kind("term", row["term_id"])),
            }
            if kind == "directive":
                if row["issuer_id"]:
                    node["author"] = _ref(urls.of_kind("person", row["issuer_id"]))
                if row["addressees"]:
                    node["audience"] = {"@type": "Audience", "audienceType": row["addressees"]}
            graph.record(kind, row, node)
    figures: dict[str, list[Row]] = {}
    for row in data["statistics"]:
        if row["term_id"]:
            figures.setdefault(row["term_id"], []).append(row)
        graph.record("statistic", row, _measure(row, urls))
    for row in data["terms"]:
        graph.record(
            "term",
            row,
            _term(row, urls, statements.get(row["id"], {}), figures.get(row["id"], [])),
        )
    chairs: dict[str, list[Row]] = {}
    for row in data["event_chairs"]:
        chairs.setdefault(row["event_id"], []).append(row)
    for row in data["events"]:
        graph.record("event", row, _event(row, urls, chairs.get(row["id"], [])))


class _Graph:
    """Writes nodes to the open `@graph` array of `out`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.urls = Urls("")
        self.cited: dict[tuple[str, str], list[Row]] = {}
        self.written = 0

    def add(self, node: Node) -> None:
        self.out.write((",\n" if self.written else "") + json.dumps(node, ensure_ascii=False))
        self.written += 1

    def record(self, kind: str, row: Row, node: Node) -> None:
        """A record's node: its URL as `@id`, its fields, and its citations."""
        full: Node = {"@id": self.urls.of_kind(kind, row["id"])}
        full.update(node)
        full["citation"] = [self.quotation(c) for c in self.cited.get((kind, row["id"]), [])]
        self.add(full)

    def quotation(self, citation: Row) -> Node:
        text = self.urls.text(citation["document_id"])
        return {
            # RFC 5147: the characters from start to end of the text/plain resource.
            "@id": f"{text}#char={citation['start']},{citation['end']}",
            "@type": "Quotation",
            "text": citation["quote"],
            "isPartOf": _ref(self.urls.document(citation["document_id"])),
        }


def _ref(url: str) -> Node:
    return {"@id": url}


def _texts(vi: str, en: str) -> list[Node]:
    return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]


def _article(row: Row, urls: Urls, text: str | None) -> Node:
    node: Node = {
        "@type": "NewsArticle",
        "url": urls.document(row["id"]),
        "headline": row["title"],
        "inLanguage": row["language"],
        "isAccessibleForFree": True,
        "encoding": {
            "@type": "MediaObject",
            "contentUrl": urls.text(row["id"]),
            "encodingFormat": "text/plain",
            "sha256": row["sha256"],
        },
    }
    if text is not None:
        node["text"] = text
    if row["section"]:
        node["articleSection"] = row["section"]
    if row["dateline_text"]:
        node["dateline"] = row["dateline_text"]
    if row["place"]:
        node["locationCreated"] = {"@type": "Place", "name": row["place"]}
    if row["publisher_id"]:
        node["publisher"] = _ref(urls.of_kind("organization", row["publisher_id"]))
    if row["author_id"]:
        node["author"] = _ref(urls.of_kind("person", row["author_id"]))
    if row["photo_caption"] or row["photo_credit"]:
        image: Node = {"@type": "ImageObject"}
        if row["photo_caption"]:
            image["caption"] = row["photo_caption"]
        if row["photo_credit"]:
            image["creditText"] = row["photo_credit"]
        node["image"] = image
    return node


def _measure(row: Row, urls: Urls) -> Node:
    node: Node = {
        "@type": "PropertyValue",
        "propertyID": row["key"],
        "name": _texts(row["label_vi"], row["label_en"]),
        "additionalType": row["category"],
        "unitText": row["unit"],
        "position": row["position"],
        # How the source qualifies the figure ('trên' is more_than): schema.org has no word for
        # it, so it is a qualitative value beside the number.
        "valueReference": {"@type": "QualitativeValue", "name": row["qualifier"]},
    }
    qualifier, value = row["qualifier"], _number(row["value"])
    if qualifier == "range":
        node["minValue"], node["maxValue"] = value, _number(row["value_max"])
    elif qualifier == "at_least":
        node["minValue"] = value
    else:
        node["value"] = value
    if row["as_of_text"]:
        node["description"] = row["as_of_text"]
    if row["period_start"] or row["period_end"]:
        start, end = row["period_start"] or "..", row["period_end"] or ".."
        node["temporalCoverage"] = f"{start}/{end}"
    if row["organization_id"]:
        node["about"] = _ref(urls.of_kind("organization", row["organization_id"]))
    return node


def _number(value: float | None) -> float | int | None:
    """Whole figures as the API writes them: 8800, not 8800.0."""
    return int(value) if value is not None and value.is_integer() else value


def _term(row: Row, urls: Urls, statements: dict[str, list[Row]], figures: list[Row]) -> Node:
    node: Node = {
        "@type": "CreativeWork",
        "name": row["label"],
        "temporalCoverage": f"{row['start_year']}/{row['end_year']}",
        "creativeWorkStatus": row["status"],
        "about": _ref(urls.of_kind("organization", row["organization_id"])),
        "license": {"@id": LICENSE_URL},
    }
    if row["motto"]:
        node["slogan"] = row["motto"]
    parts: list[Node] = []
    for table, (kind, vi, en) in SECTIONS.items():
        items = sorted(statements.get(table, []), key=lambda item: item["position"])
        if items:
            parts.append(
                {
                    "@type": "ItemList",
                    "name": _texts(vi, en),
                    "itemListElement": [
                        {
                            "@type": "ListItem",
                            "position": item["position"],
                            "item": _ref(urls.of_kind(kind, item["id"])),
                        }
                        for item in items
                    ],
                }
            )
    if figures:
        parts.append(
            {
                "@type": "Dataset",
                "@id": f"{urls.base}/api/v1/statistics?term={row['id']}",
                "name": _texts("Số liệu", "Statistics"),
                "license": {"@id": LICENSE_URL},
                "variableMeasured": [
                    _ref(urls.of_kind("statistic", figure["id"]))
                    for figure in sorted(figures, key=lambda figure: figure["position"])
                ],
            }
        )
    if parts:
        node["hasPart"] = parts
    return node


def _event(row: Row, urls: Urls, chairs: list[Row]) -> Node:
    # No startDate unless the source prints the year: schema.org dates need one.
    node: Node = {
        "@type": "Event",
        "name": row["name"],
        "additionalType": row["classification"],
        "description": row["date_text"],
        "organizer": _ref(urls.of_kind("organization", row["organizer_id"])),
    }
    if row["year"] and row["month"] and row["day"]:
        node["startDate"] = {
            "@value": f"{row['year']:04d}-{row['month']:02d}-{row['day']:02d}",
            "@type": "xsd:date",
        }
    about = [row["reviewed_term_id"], row["term_id"]]
    if any(about):
        node["about"] = [_ref(urls.of_kind("term", term_id)) for term_id in about if term_id]
    if chairs:
        ordered = sorted(chairs, key=lambda chair: chair["position"])
        node["contributor"] = [_ref(urls.of_kind("person", c["person_id"])) for c in ordered]
    return node
