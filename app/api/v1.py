"""The `/api/v1` router: one router per resource, mounted once."""

from fastapi import APIRouter, Depends

from app.api.responses import COMMON, problems
from app.api.routes import (
    annotations,
    areas,
    changes,
    documents,
    downloads,
    events,
    imports,
    memberships,
    organizations,
    people,
    search,
    statistics,
    terms,
)
from app.api.routes.term_items import term_item_router
from app.api.strict import reject_unknown_parameters
from app.models import Achievement, Directive, KeyTask, Limitation, Solution, SubjectKind
from app.schemas.items import (
    AchievementPublic,
    DirectivePublic,
    KeyTaskPublic,
    LimitationPublic,
    SolutionPublic,
)

api_router = APIRouter(
    prefix="/api/v1",
    responses={**problems(400), **COMMON},
    dependencies=[Depends(reject_unknown_parameters)],
)
api_router.include_router(terms.router)
# path, table, citation kind, public model, singular, plural
TERM_ITEMS = [
    ("tasks", KeyTask, SubjectKind.key_task, KeyTaskPublic,
     "key task (nhiệm vụ trọng tâm)", "key tasks (nhiệm vụ trọng tâm)"),
    ("solutions", Solution, SubjectKind.solution, SolutionPublic,
     "breakthrough solution (giải pháp đột phá)", "breakthrough solutions (giải pháp đột phá)"),
    ("achievements", Achievement, SubjectKind.achievement, AchievementPublic,
     "achievement (kết quả)", "achievements (kết quả)"),
    ("limitations", Limitation, SubjectKind.limitation, LimitationPublic,
     "limitation (hạn chế)", "limitations (hạn chế, tồn tại)"),
    ("directives", Directive, SubjectKind.directive, DirectivePublic,
     "directive (chỉ đạo)", "directives (chỉ đạo)"),
]  # fmt: skip
for path, model, kind, public, singular, plural in TERM_ITEMS:
    api_router.include_router(
        term_item_router(
            path=path, model=model, kind=kind, public=public, singular=singular, plural=plural
        )
    )
api_router.include_router(statistics.router)
api_router.include_router(people.router)
api_router.include_router(memberships.router)
api_router.include_router(areas.router)
api_router.include_router(organizations.router)
api_router.include_router(events.router)
api_router.include_router(documents.router)
api_router.include_router(search.router)
api_router.include_router(changes.router)
api_router.include_router(imports.router)
api_router.include_router(downloads.router)
api_router.include_router(annotations.router)
