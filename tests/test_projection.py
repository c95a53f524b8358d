from itertools import combinations

from pydantic import BaseModel

from app.api.projection import project


class Inner(BaseModel):
    quote: str
    start: int


class Record(BaseModel):
    id: str
    text: str
    value: float | None
    sources: list[Inner]
    extra: dict[str, list[int]]


RECORD = Record(
    id="a-1",
    text='Nhiệm vụ "trọng tâm", {không} phải: ,}"\\ \n',
    value=1e-05,
    sources=[Inner(quote="}{,:", start=3), Inner(quote="Đảng", start=0)],
    extra={"a,b": [1, 2], "}": []},
)


def test_a_projection_reads_as_the_model_dumped_with_those_fields() -> None:
    body = RECORD.model_dump_json()
    names = list(Record.model_fields)
    for size in range(len(names) + 1):
        for fields in combinations(names, size):
            assert project(body, frozenset(fields)) == RECORD.model_dump_json(include=set(fields))


def test_an_empty_object_projects_to_itself() -> None:
    assert project("{}", frozenset({"id"})) == "{}"
