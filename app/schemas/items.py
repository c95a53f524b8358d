"""Public models of a term's ordered statements."""

from pydantic import Field

from app.models.base import Stamps
from app.models.items import DirectiveBase, TermItemBase
from app.schemas.common import Source


class TermItemPublic(TermItemBase, Stamps):
    id: str = Field(examples=["bac-giang-2025-2030-task-1"])
    sources: list[Source]


class KeyTaskPublic(TermItemPublic):
    """A key task (nhiệm vụ trọng tâm) of a term."""


class SolutionPublic(TermItemPublic):
    """A breakthrough solution (giải pháp đột phá) of a term."""


class AchievementPublic(TermItemPublic):
    """A result the review credits (kết quả đạt được)."""


class LimitationPublic(TermItemPublic):
    """A limitation or shortcoming the review found (hạn chế, tồn tại)."""


class DirectivePublic(DirectiveBase, Stamps):
    """What the leadership asked units to do (chỉ đạo)."""

    id: str = Field(examples=["bac-giang-2020-2025-directive-1"])
    sources: list[Source]
