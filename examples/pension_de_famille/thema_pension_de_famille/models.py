"""Pension de famille tables: one profile per household, with the situations the public is defined by."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class PensionDeFamilleProfile(SQLModel, table=True):
    """The pension file of a household: the situations of the text, each unknown until assessed."""

    __tablename__ = "pension_de_famille_profile"
    __table_args__ = (UniqueConstraint("household_id", name="uq_pension_de_famille_profile_household"),)
    id: int | None = Field(default=None, primary_key=True)
    # The tenant key: the organisation owning the row (the household's owner).
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    applied_on: date | None = None
    # « personnes isolées en situation de précarité »
    precarity: bool | None = None
    # « victimes d'isolement social et psychologique »: psychological, so health data (sensitive).
    social_isolation: bool | None = None
    # « ayant fréquenté régulièrement des structures d'hébergement provisoire »
    temporary_shelter_history: bool | None = None
    # « des victimes de violences conjugales »: sensitive.
    domestic_violence_victim: bool | None = None
    # « personnes en rupture familiale »
    family_breakdown: bool | None = None
    # Free text about the person's situation: sensitive.
    support_notes: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1)
