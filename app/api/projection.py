"""`fields=` on a body stored on write: its members cut from the stored text, so a projected
answer is the stored bytes of the fields asked for, with no render and no re-serialization."""

import json

_DECODER = json.JSONDecoder()


def project(body: str, fields: frozenset[str]) -> str:
    """The members of the JSON object `body` named in `fields`, in its order and as written.

    `body` is compact JSON as pydantic writes it (no whitespace between tokens), so the result
    is what dumping the model with `include=fields` writes."""
    members = []
    at = 1  # past "{"
    while body[at] != "}":
        name, colon = _DECODER.raw_decode(body, at)
        _value, end = _DECODER.raw_decode(body, colon + 1)
        if name in fields:
            members.append(body[at:end])
        at = end + 1 if body[end] == "," else end
    return "{" + ",".join(members) + "}"
