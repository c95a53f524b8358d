"""Public models of areas, organizations, people and posts."""

from pydantic import BaseModel, Field

from app.models.base import Stamps
from app.models.people import AreaBase, MembershipBase, OrganizationBase, PersonBase
from app.schemas.common import Source


class AreaPublic(AreaBase, Stamps):
    id: str = Field(examples=["bac-giang"])
    sources: list[Source]


class PostPublic(MembershipBase, Stamps):
    """A post held by a person in an organization."""

    id: str = Field(examples=["le-anh-duong-chu-tich-ubnd-tinh"])
    organization_name: str = Field(examples=["UBND tỉnh Bắc Giang"])
    sources: list[Source]


class PersonPublic(PersonBase, Stamps):
    """A named person and every post the source gives them, in the source's order."""

    id: str = Field(examples=["le-anh-duong"])
    posts: list[PostPublic]
    sources: list[Source]


class MemberPublic(MembershipBase, Stamps):
    """A person holding a post in the organization."""

    id: str = Field(examples=["duong-van-thai-bi-thu-tinh-uy"])
    person_name: str = Field(examples=["Dương Văn Thái"])
    sources: list[Source]


class OrganizationPublic(OrganizationBase, Stamps):
    """An organization and the posts held in it."""

    id: str = Field(examples=["tinh-uy-bac-giang"])
    members: list[MemberPublic]
    sources: list[Source]


class OrganizationRef(BaseModel):
    id: str
    name: str


class MembershipPublic(MembershipBase, Stamps):
    """A post: a person holding a role in an organization, in the person's order of posts."""

    id: str = Field(examples=["le-anh-duong-chu-tich-ubnd-tinh"])
    position: int = Field(description="Order of the post among the person's posts.")
    person_name: str = Field(examples=["Lê Ánh Dương"])
    organization_name: str = Field(examples=["UBND tỉnh Bắc Giang"])
    sources: list[Source]
