"""FJT tables: one profile per household, holding what the core graph does not say."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import enum_field


class FjtComposition(enum.StrEnum):
    """Composition of a young household, which decides the unit it fits (T1 or T2)."""

    SINGLE = "single"
    COUPLE = "couple"
    SINGLE_PARENT = "single_parent"


class FjtProfile(SQLModel, table=True):
    """The FJT file of a household: application date, composition when members don't tell it."""

    __tablename__ = "fjt_profile"
    __table_args__ = (UniqueConstraint("household_id", name="uq_fjt_profile_household"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    applied_on: date | None = None
    # Only needed when member roles do not tell it (e.g. a member recorded as "other").
    composition: FjtComposition | None = enum_field(FjtComposition)
    # Employer, training centre, apprenticeship contract…: free text for the manager.
    activity_detail: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)
