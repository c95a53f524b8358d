"""The JSON shape of the DCAT catalog (`/catalog.jsonld`), for the OpenAPI document: JSON-LD
is open-ended, so the keys the catalog always sends are required and others are allowed."""

from typing import Any

_IRI: dict[str, Any] = {
    "type": "object",
    "required": ["@id"],
    "properties": {"@id": {"type": "string", "format": "uri", "maxLength": 4000}},
}
_LANG_STRINGS: dict[str, Any] = {
    "type": "array",
    "maxItems": 2,
    "items": {
        "type": "object",
        "required": ["@value", "@language"],
        "properties": {
            "@value": {"type": "string", "maxLength": 4000},
            "@language": {"type": "string", "enum": ["vi", "en"]},
        },
    },
}
_TYPED: dict[str, Any] = {
    "type": "object",
    "required": ["@value", "@type"],
    "properties": {
        "@value": {"type": "string", "maxLength": 40},
        "@type": {"type": "string", "maxLength": 40},
    },
}
_AGENT: dict[str, Any] = {
    "type": "object",
    "required": ["@type", "foaf:name"],
    "properties": {
        "@type": {"type": "string", "maxLength": 40},
        "foaf:name": {"type": "string", "maxLength": 300},
    },
}
_DATASET: dict[str, Any] = {
    "type": "object",
    "required": ["@id", "@type", "dct:title", "dct:publisher", "dct:license", "dct:modified"],
    "properties": {
        "@id": {"type": "string", "format": "uri", "maxLength": 4000},
        "@type": {"const": "dcat:Dataset"},
        "dct:identifier": {"type": "string", "maxLength": 200},
        "dct:title": _LANG_STRINGS,
        "dct:description": _LANG_STRINGS,
        "dcat:keyword": {
            "type": "array",
            "maxItems": 100,
            "items": {"type": "string", "maxLength": 200},
        },
        "dct:publisher": _AGENT,
        "dct:license": _IRI,
        "dct:language": _IRI,
        "dct:modified": _TYPED,
        "dcat:version": {"type": "string", "maxLength": 40},
        "dcat:landingPage": _IRI,
        "dct:hasPart": {
            "type": "array",
            "maxItems": 10_000,
            "description": "The terms' datasets, by `@id`.",
            "items": _IRI,
        },
        "dcat:distribution": {
            "type": "array",
            "maxItems": 100,
            "description": "The downloads and API representations, with `dcat:downloadURL` "
            "or `dcat:accessURL`, `dcat:mediaType`, `dcat:byteSize` and `spdx:checksum`.",
            "items": {"type": "object"},
        },
    },
}
CATALOG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "DcatCatalog",
    "description": "A `dcat:Catalog` (DCAT-AP style) as JSON-LD.",
    "required": ["@context", "@id", "@type", "dct:title", "dct:publisher", "dcat:dataset"],
    "properties": {
        "@context": {
            "type": "object",
            "description": "The prefixes used: dcat, dct, foaf, vcard, skos, spdx, xsd.",
            "additionalProperties": {"type": "string", "format": "uri", "maxLength": 200},
        },
        "@id": {"type": "string", "format": "uri", "maxLength": 4000},
        "@type": {"const": "dcat:Catalog"},
        "dct:title": _LANG_STRINGS,
        "dct:description": _LANG_STRINGS,
        "dct:publisher": _AGENT,
        "dct:license": _IRI,
        "dct:language": _IRI,
        "dct:modified": _TYPED,
        "foaf:homepage": _IRI,
        "dcat:dataset": {"type": "array", "maxItems": 10_000, "items": _DATASET},
    },
}
