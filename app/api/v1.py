"""The `/api/v1` router: one router per resource, mounted once."""

from fastapi import APIRouter

from app.api.responses import COMMON
from app.api.routes import (
    documents,
    events,
    organizations,
    people,
    statistics,
    terms,
)
from app.api.routes.term_items import term_item_router
from app.models import Achievement, Directive, KeyTask, Limitation, Solution, SubjectKind
from app.schemas.items import (
    AchievementPublic,
    DirectivePublic,
    KeyTaskPublic,
    LimitationPublic,
    SolutionPublic,
)

api_router = APIRouter(prefix="/api/v1", responses=COMMON)
api_router.include_router(terms.router)
api_router.include_router(
    term_item_router(
        path="tasks",
        model=KeyTask,
        kind=SubjectKind.key_task,
        public=KeyTaskPublic,
        singular="key task (nhiệm vụ trọng tâm)",
        plural="key tasks (nhiệm vụ trọng tâm)",
    )
)
api_router.include_router(
    term_item_router(
        path="solutions",
        model=Solution,
        kind=SubjectKind.solution,
        public=SolutionPublic,
        singular="breakthrough solution (giải pháp đột phá)",
        plural="breakthrough solutions (giải pháp đột phá)",
    )
)
api_router.include_router(
    term_item_router(
        path="achievements",
        model=Achievement,
        kind=SubjectKind.achievement,
        public=AchievementPublic,
        singular="achievement (kết quả)",
        plural="achievements (kết quả)",
    )
)
api_router.include_router(
    term_item_router(
        path="limitations",
        model=Limitation,
        kind=SubjectKind.limitation,
        public=LimitationPublic,
        singular="limitation (hạn chế)",
        plural="limitations (hạn chế, tồn tại)",
    )
)
api_router.include_router(
    term_item_router(
        path="directives",
        model=Directive,
        kind=SubjectKind.directive,
        public=DirectivePublic,
        singular="directive (chỉ đạo)",
        plural="directives (chỉ đạo)",
    )
)
api_router.include_router(statistics.router)
api_router.include_router(people.router)
api_router.include_router(organizations.router)
api_router.include_router(events.router)
api_router.include_router(documents.router)
