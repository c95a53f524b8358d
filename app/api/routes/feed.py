"""The Atom feed (RFC 4287) of changes, for portals and feed readers."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from app.api.rendering import public_base_url
from app.api.responses import COMMON
from app.db import SessionDep
from app.editing.kinds import BY_SUBJECT
from app.queries.changes import list_changes
from app.schemas.changes import ChangePublic

router = APIRouter(tags=["feed"], responses=COMMON)

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
FEED_ENTRIES = 50
_VERBS = {"create": "Added", "update": "Changed", "retire": "Retired", "revert": "Reverted"}


def _stamp(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _title(change: ChangePublic) -> str:
    record = change.after or change.before or {}
    label = (
        record.get("name") or record.get("label_vi") or record.get("title") or record.get("text")
    )
    what = BY_SUBJECT[change.kind].singular
    title = f"{_VERBS[change.operation.value]} {what} {change.record_id}"
    if isinstance(label, str):
        title += f": {label[:120]}" + ("…" if len(label) > 120 else "")
    return title


@router.get(
    "/feed.atom",
    summary="Atom feed of changes",
    operation_id="get_feed",
    response_class=Response,
    responses={
        200: {
            "description": "The newest changes, as Atom.",
            "content": {ATOM_MEDIA_TYPE: {"schema": {"type": "string"}}},
        }
    },
)
def get_feed(request: Request, session: SessionDep) -> Response:
    """The newest changes to the data (added, changed, retired, reverted records), newest first,
    as an Atom feed: subscribe in a feed reader or a portal. Each entry links to the record
    and to the change's JSON with the record before and after."""
    base = public_base_url(request)
    changes, _total = list_changes(
        session, base=base, descending=True, limit=FEED_ENTRIES, offset=0
    )
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"{base}/feed.atom")
    _sub(feed, "title", "Congress-term summary API: changes to the data")
    _sub(feed, "updated", _stamp(changes[0].at) if changes else "1970-01-01T00:00:00Z")
    _sub(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=f"{base}/feed.atom")
    _sub(feed, "link", rel="alternate", type="application/json", href=f"{base}/api/v1/changes")
    author = _sub(feed, "author")
    _sub(author, "name", "Congress-term summary API")
    for change in changes:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base}/api/v1/changes/{change.n}")
        _sub(entry, "title", _title(change))
        _sub(entry, "updated", _stamp(change.at))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", change.actor)
        _sub(entry, "link", rel="alternate", href=change.url)
        _sub(
            entry,
            "link",
            rel="related",
            type="application/json",
            href=f"{base}/api/v1/changes/{change.n}",
        )
        _sub(
            entry,
            "summary",
            f"{change.operation.value} {change.kind.value} {change.record_id} "
            f"by {change.actor} (change {change.n}, dataset revision {change.revision})",
        )
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=f"{ATOM_MEDIA_TYPE}; charset=utf-8")
