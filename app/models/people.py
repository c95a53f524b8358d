"""Places, organizations, people and the posts they hold (Popolo-style)."""

from sqlmodel import Field, SQLModel

from app.models.base import ID_MAX, Stamps


class AreaBase(SQLModel):
    name: str = Field(max_length=200, description="Name as printed, e.g. 'Bắc Giang'.")
    classification: str = Field(max_length=50, description="Kind of area, e.g. 'province'.")


class Area(AreaBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)


class OrganizationBase(SQLModel):
    name: str = Field(max_length=200, description="Name as printed in the source.")
    classification: str = Field(
        max_length=50, description="Kind of body, e.g. 'party_committee' or 'news_agency'."
    )
    parent_id: str | None = Field(default=None, foreign_key="organization.id", max_length=ID_MAX)
    area_id: str | None = Field(default=None, foreign_key="area.id", max_length=ID_MAX)


class Organization(OrganizationBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)


class PersonBase(SQLModel):
    name: str = Field(max_length=200, description="Full name as printed, e.g. 'Dương Văn Thái'.")


class Person(PersonBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)


class MembershipBase(SQLModel):
    person_id: str = Field(foreign_key="person.id", max_length=ID_MAX, index=True)
    organization_id: str = Field(foreign_key="organization.id", max_length=ID_MAX, index=True)
    role: str = Field(max_length=200, description="Post as printed, e.g. 'Bí thư Tỉnh ủy'.")
    role_en: str = Field(max_length=200, description="English rendering of the post.")


class Membership(MembershipBase, Stamps, table=True):
    id: str = Field(primary_key=True, max_length=ID_MAX)
    position: int = Field(ge=1, description="Order of the post among the person's posts.")
