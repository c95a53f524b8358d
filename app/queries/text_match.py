"""Which records of a kind match a free-text `q`, ignoring case, tone marks and đ/Đ."""

from typing import Any

from sqlmodel import Session, col, select

from app.models import Achievement, Directive, KeyTask, Limitation, Person, Solution, SubjectKind
from app.text import fold

_TEXT_COLUMNS: dict[SubjectKind, tuple[Any, Any]] = {
    SubjectKind.key_task: (KeyTask.id, KeyTask.text),
    SubjectKind.solution: (Solution.id, Solution.text),
    SubjectKind.achievement: (Achievement.id, Achievement.text),
    SubjectKind.limitation: (Limitation.id, Limitation.text),
    SubjectKind.directive: (Directive.id, Directive.text),
    SubjectKind.person: (Person.id, Person.name),
}


def matching_ids(session: Session, kind: SubjectKind, q: str) -> list[str]:
    """Ids whose text contains every word of `q` after folding."""
    words = fold(q).split()
    id_column, text_column = _TEXT_COLUMNS[kind]
    rows = session.exec(select(col(id_column), col(text_column)))
    return [row_id for row_id, text in rows if all(word in fold(text) for word in words)]
