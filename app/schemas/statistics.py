"""Public model of a statistic: a typed figure with its label in the asked language."""

from pydantic import Field, field_serializer

from app.models.base import Stamps
from app.models.statistics import StatisticBase
from app.schemas.common import Source


class StatisticPublic(StatisticBase, Stamps):
    """A figure with how the source qualifies it, its unit, its period and its quote."""

    id: str = Field(examples=["bac-giang-party-members-admitted-2020-2023"])
    label: str = Field(
        description="Label in the requested language.", examples=["Party members admitted"]
    )
    sources: list[Source]

    @field_serializer("value", "value_max")
    def _whole_numbers_as_int(self, value: float | None) -> float | int | None:
        return int(value) if value is not None and value.is_integer() else value
