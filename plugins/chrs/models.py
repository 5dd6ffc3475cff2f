"""CHRS tables: the household's social assessment (difficulties, need for support, priority)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class ChrsProfile(SQLModel, table=True):
    """What the CHRS records about a household; ``None`` means not assessed (unknown)."""

    __tablename__ = "chrs_profile"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id", unique=True, index=True)
    economic_difficulty: bool | None = None
    family_difficulty: bool | None = None
    # Health data: declared sensitive to the core (permissioned, audited reads).
    health_difficulty: bool | None = None
    insertion_difficulty: bool | None = None
    needs_support_before_housing: bool | None = None
    # Safety data: declared sensitive; a victim's household is also flagged confidential.
    domestic_violence_victim: bool | None = None
    assessed_on: date | None = None
    version: int = Field(default=1)
