"""Tables of « Seniors à domicile »: one follow-up row per household and programme offer."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import ContactKind, enum_field


class ContactOutcome(enum.StrEnum):
    """What came of the phone contact that opens the process."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"


#: Outcomes meaning the household was actually reached (the refusal rate's denominator).
REACHED = (ContactOutcome.ACCEPTED, ContactOutcome.REFUSED)


class Risk(enum.StrEnum):
    """A kind of risk the home diagnostic looks for."""

    DOMESTIC_SAFETY = "domestic_safety"
    FALLS = "falls"
    COMFORT_AUTONOMY = "comfort_autonomy"


class SeniorsDomicileVisit(SQLModel, table=True):
    """A household's path through a programme offer: phone contact, then the diagnostic visit."""

    __tablename__ = "seniors_domicile_visit"
    __table_args__ = (UniqueConstraint("offer_id", "household_id", name="uq_seniors_domicile_visit"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="organisation.id", index=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    # The contact (by phone, per the programme).
    contacted_on: date | None = Field(default=None, index=True)
    contact_channel: ContactKind = enum_field(ContactKind, default=ContactKind.PHONE)
    contact_outcome: ContactOutcome | None = enum_field(ContactOutcome)
    refusal_reason: str | None = Field(default=None, max_length=300)
    # The diagnostic visit at home (about 90 minutes).
    visit_on: date | None = Field(default=None, index=True)
    duration_minutes: int | None = None
    risk_domestic_safety: bool = False
    risk_falls: bool = False
    risk_comfort_autonomy: bool = False
    # The eco kit: 5 LED bulbs, aerators and pressure reducers, installed for the senior.
    kit_installed_on: date | None = None
    kit_led_bulbs: int = 0
    kit_aerators: int = 0
    kit_pressure_reducers: int = 0
    carsat_offers_relayed: bool = False
    # What the landlord did on the diagnostic's findings.
    urgent_intervention_on: date | None = None
    social_services_alert_on: date | None = None
    notes: str | None = Field(default=None, max_length=2000)
    version: int = Field(default=1)

    def risks(self) -> list[Risk]:
        """The risks found, in catalogue order."""
        flags = (
            (Risk.DOMESTIC_SAFETY, self.risk_domestic_safety),
            (Risk.FALLS, self.risk_falls),
            (Risk.COMFORT_AUTONOMY, self.risk_comfort_autonomy),
        )
        return [risk for risk, found in flags if found]


#: Column holding each risk flag.
RISK_COLUMNS = {
    Risk.DOMESTIC_SAFETY: "risk_domestic_safety",
    Risk.FALLS: "risk_falls",
    Risk.COMFORT_AUTONOMY: "risk_comfort_autonomy",
}
