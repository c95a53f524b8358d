"""Public models of areas, organizations, people and posts."""

from pydantic import BaseModel, Field

from app.models.people import AreaBase, MembershipBase, OrganizationBase, PersonBase
from app.schemas.common import Source


class AreaPublic(AreaBase):
    id: str = Field(examples=["bac-giang"])
    sources: list[Source]


class PostPublic(MembershipBase):
    """A post held by a person in an organization."""

    id: str = Field(examples=["le-anh-duong-chu-tich-ubnd-tinh"])
    organization_name: str = Field(examples=["UBND tỉnh Bắc Giang"])
    sources: list[Source]


class PersonPublic(PersonBase):
    """A named person and every post the source gives them, in the source's order."""

    id: str = Field(examples=["le-anh-duong"])
    posts: list[PostPublic]
    sources: list[Source]


class MemberPublic(MembershipBase):
    """A person holding a post in the organization."""

    id: str = Field(examples=["duong-van-thai-bi-thu-tinh-uy"])
    person_name: str = Field(examples=["Dương Văn Thái"])
    sources: list[Source]


class OrganizationPublic(OrganizationBase):
    """An organization and the posts held in it."""

    id: str = Field(examples=["tinh-uy-bac-giang"])
    members: list[MemberPublic]
    sources: list[Source]


class OrganizationRef(BaseModel):
    id: str
    name: str
