"""ASR tables: how a tenant was identified for the programme, and the facts that justify it."""

from __future__ import annotations

import enum
from datetime import date

from sqlmodel import Field, SQLModel

from core.models import enum_field


class AsrIdentificationSource(enum.StrEnum):
    """Who spotted the situation."""

    RENT_RECOVERY = "rent_recovery"
    LOCAL_MANAGEMENT = "local_management"
    PARTNER = "partner"
    OTHER = "other"


class AsrProfile(SQLModel, table=True):
    """A tenant household identified for the ASR; ``None`` means not known."""

    __tablename__ = "asr_profile"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    household_id: int = Field(foreign_key="household.id", unique=True, index=True)
    great_precarity: bool | None = None
    rent_arrears_amount: float | None = None
    # Health data: declared sensitive to the core (permissioned, audited reads).
    suspected_psychological_troubles: bool | None = None
    identified_on: date | None = None
    identified_by: str | None = Field(default=None, max_length=200)
    identification_source: AsrIdentificationSource | None = enum_field(AsrIdentificationSource)
    identifying_organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    version: int = Field(default=1)
