"""HabiTED tables: one profile per household, with the tenant's diagnosis and autonomy."""

from __future__ import annotations

import enum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import enum_field


class HabitedDiagnosis(enum.StrEnum):
    """Diagnosis on file (health data: sensitive)."""

    AUTISM = "autism"
    PDD = "pdd"  # trouble envahissant du développement (TED)
    NONE = "none"  # neither autism nor TED diagnosed


class HabitedDayActivity(enum.StrEnum):
    """Daytime activity of the tenant, among those the text lists (or none)."""

    ORDINARY_EMPLOYMENT = "ordinary_employment"
    SHELTERED_WORKSHOP = "sheltered_workshop"
    ESAT = "esat"
    DAY_CENTRE = "day_centre"
    NONE = "none"


class HabitedProfile(SQLModel, table=True):
    """The HabiTED file of a household (its tenant); an unknown fact stays NULL."""

    __tablename__ = "habited_profile"
    __table_args__ = (UniqueConstraint("household_id", name="uq_habited_profile_household"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    diagnosis: HabitedDiagnosis | None = enum_field(HabitedDiagnosis)
    verbal_language: bool | None = None
    public_transport_autonomy: bool | None = None
    day_activity: HabitedDayActivity | None = enum_field(HabitedDayActivity)
    version: int = Field(default=1)
