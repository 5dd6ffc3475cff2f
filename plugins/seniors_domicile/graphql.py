"""GraphQL of « Seniors à domicile »: the household's programme record, contact and visit writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from sqlmodel import Session, col
from strawberry.types import Info

from core import GraphQLContribution
from core.graphql.api import (
    Checker,
    ContactKind,
    UserError,
    check_version,
    context,
    ensure_enabled,
    fail,
    get_ref,
    to_global_id,
    transaction,
    user_errors,
)
from core.models import ContactKind as ContactKindModel
from core.models import Household, Offer

from .loaders import visits_loader
from .models import REACHED, RISK_COLUMNS, ContactOutcome, Risk
from .models import SeniorsDomicileVisit as VisitRow
from .scheme import CODE

#: Longest visit accepted (the texts say one to two hours; a long first visit stays possible).
MAX_DURATION_MINUTES = 480
#: The programme's eco kit holds 5 LED bulbs; more than this per dwelling is a typing error.
MAX_KIT_ITEMS = 30
#: LED bulbs in the eco kit ("un « kit-éco » composé de 5 ampoules led et de mousseurs").
KIT_LED_BULBS = 5

SeniorsDomicileContactOutcome = strawberry.enum(
    ContactOutcome,
    name="SeniorsDomicileContactOutcome",
    description="Outcome of the contact: visit accepted, refused, or no answer.",
)
SeniorsDomicileRisk = strawberry.enum(
    Risk,
    name="SeniorsDomicileRisk",
    description="A risk found by the home diagnostic: domestic safety, falls, comfort/autonomy.",
)


@strawberry.type(description="A household's path in a « Seniors à domicile » offer: contact, then visit.")
class SeniorsDomicileVisit:
    """A household's contact and diagnostic visit for one programme offer."""

    id: strawberry.ID = strawberry.field(description="Global id of the record.")
    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    offer_id: strawberry.ID = strawberry.field(description="Global id of the offer.")
    contacted_on: date | None = strawberry.field(description="Date of the contact.")
    contact_channel: ContactKind = strawberry.field(description="Channel of the contact (phone by default).")
    contact_outcome: SeniorsDomicileContactOutcome | None = strawberry.field(  # type: ignore[valid-type]
        description="Outcome of the contact (null: not contacted yet)."
    )
    refused: bool = strawberry.field(description="The household refused the programme.")
    refusal_reason: str | None = strawberry.field(description="Reason for the refusal, if known.")
    visit_on: date | None = strawberry.field(description="Date of the diagnostic visit at home.")
    duration_minutes: int | None = strawberry.field(description="Duration of the visit, in minutes.")
    risks: list[SeniorsDomicileRisk] = strawberry.field(  # type: ignore[valid-type]
        description="Risks found by the diagnostic."
    )
    kit_installed_on: date | None = strawberry.field(description="Date the eco kit was installed.")
    kit_led_bulbs: int = strawberry.field(description="LED bulbs installed.")
    kit_aerators: int = strawberry.field(description="Tap aerators installed.")
    kit_pressure_reducers: int = strawberry.field(description="Pressure reducers installed.")
    carsat_offers_relayed: bool = strawberry.field(
        description="The Carsat's service offers were presented to the household."
    )
    urgent_intervention_on: date | None = strawberry.field(
        description="Date of the landlord's urgent technical intervention, if any."
    )
    social_services_alert_on: date | None = strawberry.field(
        description="Date of the alert to the social services, if any."
    )
    notes: str | None = strawberry.field(description="Observations of the visit (sensitive).")
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @strawberry.field(description="An urgent technical intervention took place.")
    def urgent_intervention(self) -> bool:
        """Whether the landlord intervened urgently."""
        return self.urgent_intervention_on is not None

    @strawberry.field(description="The household was reported to the social services (sensitive).")
    def social_services_alert(self) -> bool | None:
        """Whether the household was reported to the social services."""
        return self.social_services_alert_on is not None

    @staticmethod
    def of(r: VisitRow) -> SeniorsDomicileVisit:
        """Convert a row."""
        return SeniorsDomicileVisit(
            id=strawberry.ID(to_global_id("SeniorsDomicileVisit", r.id or 0)),
            household_id=strawberry.ID(to_global_id("Household", r.household_id)),
            offer_id=strawberry.ID(to_global_id("Offer", r.offer_id)),
            contacted_on=r.contacted_on,
            contact_channel=r.contact_channel,
            contact_outcome=r.contact_outcome,
            refused=r.contact_outcome is ContactOutcome.REFUSED,
            refusal_reason=r.refusal_reason,
            visit_on=r.visit_on,
            duration_minutes=r.duration_minutes,
            risks=r.risks(),
            kit_installed_on=r.kit_installed_on,
            kit_led_bulbs=r.kit_led_bulbs,
            kit_aerators=r.kit_aerators,
            kit_pressure_reducers=r.kit_pressure_reducers,
            carsat_offers_relayed=r.carsat_offers_relayed,
            urgent_intervention_on=r.urgent_intervention_on,
            social_services_alert_on=r.social_services_alert_on,
            notes=r.notes,
            version=r.version,
        )


@strawberry.type(description="What the « Seniors à domicile » programme knows of a household.")
class SeniorsDomicileProfile:
    """The household's records across programme offers, with a summary."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    visits: list[SeniorsDomicileVisit] = strawberry.field(
        description="The household's records, one per programme offer."
    )

    @strawberry.field(description="The household was reached (visit accepted or refused).")
    def contacted(self) -> bool:
        """Whether any contact reached the household."""
        return any(v.contact_outcome in REACHED for v in self.visits)

    @strawberry.field(description="The household refused the programme.")
    def refused(self) -> bool:
        """Whether the household refused."""
        return any(v.refused for v in self.visits)

    @strawberry.field(description="A diagnostic visit took place.")
    def diagnosed(self) -> bool:
        """Whether a diagnostic visit took place."""
        return any(v.visit_on is not None for v in self.visits)


@strawberry.type
class SeniorsDomicileHouseholdFields:
    """Fields « Seniors à domicile » adds to Household."""

    @strawberry.field(description="The household's « Seniors à domicile » records (null: none).")
    async def seniors_domicile(self, info: Info) -> SeniorsDomicileProfile | None:
        """The household's programme records, through the request's DataLoader."""
        pk: int = self.pk  # type: ignore[attr-defined]
        rows = await visits_loader(context(info)).load(pk)
        if not rows:
            return None
        return SeniorsDomicileProfile(
            household_id=strawberry.ID(to_global_id("Household", pk)),
            visits=[SeniorsDomicileVisit.of(r) for r in rows],
        )


# -- inputs ------------------------------------------------------------------------------------


@strawberry.input(description="Record the contact of a targeted household.")
class SeniorsDomicileRecordContactInput:
    """The phone contact that opens the process."""

    household_id: strawberry.ID = strawberry.field(description="Household contacted.")
    offer_id: strawberry.ID = strawberry.field(description="The « Seniors à domicile » offer.")
    contacted_on: date = strawberry.field(description="Date of the contact.")
    outcome: SeniorsDomicileContactOutcome = strawberry.field(  # type: ignore[valid-type]
        description="Outcome: visit accepted, refused, or no answer."
    )
    channel: ContactKind = strawberry.field(
        default=ContactKindModel.PHONE, description="Channel (phone by default)."
    )
    refusal_reason: str | None = strawberry.field(
        default=None, description="Reason for a refusal (only when the outcome is REFUSED)."
    )
    version: int | None = strawberry.field(
        default=None, description="Version read, to refuse a concurrent update."
    )


@strawberry.input(description="Record the diagnostic visit at home (replaces earlier visit data).")
class SeniorsDomicileRecordVisitInput:
    """The diagnostic visit and what followed it (replaces the previous visit data)."""

    household_id: strawberry.ID = strawberry.field(description="Household visited.")
    offer_id: strawberry.ID = strawberry.field(description="The « Seniors à domicile » offer.")
    visit_on: date = strawberry.field(description="Date of the visit.")
    duration_minutes: int = strawberry.field(description="Duration of the visit, in minutes.")
    risks: list[SeniorsDomicileRisk] = strawberry.field(  # type: ignore[valid-type]
        default_factory=list, description="Risks found."
    )
    kit_installed_on: date | None = strawberry.field(
        default=None, description="Date the eco kit was installed (null: not installed)."
    )
    kit_led_bulbs: int | None = strawberry.field(
        default=None, description="LED bulbs installed (5 by default when the kit is installed)."
    )
    kit_aerators: int = strawberry.field(default=0, description="Tap aerators installed.")
    kit_pressure_reducers: int = strawberry.field(default=0, description="Pressure reducers installed.")
    carsat_offers_relayed: bool = strawberry.field(
        default=False, description="Carsat service offers presented."
    )
    urgent_intervention_on: date | None = strawberry.field(
        default=None, description="Date of the urgent technical intervention, if any."
    )
    social_services_alert_on: date | None = strawberry.field(
        default=None, description="Date of the alert to the social services, if any."
    )
    notes: str | None = strawberry.field(default=None, description="Observations (sensitive).")
    version: int | None = strawberry.field(
        default=None, description="Version read, to refuse a concurrent update."
    )


@strawberry.type(description="Result of a « Seniors à domicile » write.")
class SeniorsDomicileVisitPayload:
    """The record written, or the problems found (nothing written)."""

    visit: SeniorsDomicileVisit | None = strawberry.field(
        description="The record (null when the input was refused)."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Problems with the input; nothing was written."
    )


# -- writes ------------------------------------------------------------------------------------


def _target(session: Session, household_gid: Any, offer_gid: Any, on: date) -> tuple[Household, Offer]:
    """The household and the programme offer of an input, checked together."""
    offer = get_ref(session, Offer, offer_gid, "offerId", "Offer")
    if offer.scheme != CODE:
        raise fail("offerId", "WRONG_SCHEME", "Cette offre ne relève pas de « Seniors à domicile ».")
    # A date before the offer is reported as such (OUT_OF_RANGE), not as a disabled scheme.
    on = max(on, offer.start_date)
    ensure_enabled(session, CODE, offer.landlord_id, on, "offerId", "Seniors à domicile")
    household = get_ref(session, Household, household_gid, "householdId", "Household")
    if household.owner_id not in (offer.landlord_id, offer.manager_id):
        raise fail(
            "householdId",
            "NOT_IN_PORTFOLIO",
            "Ce ménage n'est pas un locataire du bailleur du programme.",
        )
    return household, offer


def _existing(session: Session, household: Household, offer: Offer) -> VisitRow | None:
    stmt = select(VisitRow).where(
        col(VisitRow.offer_id) == offer.id, col(VisitRow.household_id) == household.id
    )
    return session.execute(stmt).scalar_one_or_none()


def record_contact(session: Session, data: SeniorsDomicileRecordContactInput, today: date) -> VisitRow:
    """Create or update the contact of a household for an offer (validated, else InvalidInput)."""
    household, offer = _target(session, data.household_id, data.offer_id, data.contacted_on)
    row = _existing(session, household, offer)
    c = Checker()
    outcome = ContactOutcome(data.outcome)
    c.require(data.contacted_on <= today, "contactedOn", "IN_FUTURE", "La date est dans le futur.")
    c.require(
        data.contacted_on >= offer.start_date
        and (offer.end_date is None or data.contacted_on <= offer.end_date),
        "contactedOn",
        "OUT_OF_RANGE",
        "La prise de contact doit avoir lieu pendant l'offre.",
    )
    c.text(data.refusal_reason, "refusalReason", max_length=300)
    c.require(
        data.refusal_reason is None or outcome is ContactOutcome.REFUSED,
        "refusalReason",
        "NOT_APPLICABLE",
        "Un motif de refus ne s'indique que pour un refus.",
    )
    if row is not None and row.visit_on is not None:
        c.require(
            outcome is ContactOutcome.ACCEPTED,
            "outcome",
            "VISIT_RECORDED",
            "Une visite est déjà enregistrée : la prise de contact ne peut pas être un refus "
            "ou une absence de réponse.",
        )
        c.require(
            data.contacted_on <= row.visit_on,
            "contactedOn",
            "DATE_ORDER",
            "La prise de contact doit précéder la visite déjà enregistrée.",
        )
    c.done()
    if row is None:
        assert household.id is not None and offer.id is not None
        row = VisitRow(owner_id=household.owner_id, offer_id=offer.id, household_id=household.id)
        session.add(row)
    else:
        check_version(row, data.version)
    row.contacted_on = data.contacted_on
    row.contact_channel = ContactKindModel(data.channel)
    row.contact_outcome = outcome
    row.refusal_reason = data.refusal_reason
    session.flush()
    return row


def record_visit(session: Session, data: SeniorsDomicileRecordVisitInput, today: date) -> VisitRow:
    """Record the diagnostic visit of a household that accepted it (validated, else InvalidInput)."""
    household, offer = _target(session, data.household_id, data.offer_id, data.visit_on)
    row = _existing(session, household, offer)
    if row is None or row.contact_outcome is not ContactOutcome.ACCEPTED:
        raise fail(
            "householdId",
            "NOT_ACCEPTED",
            "La visite suppose une prise de contact enregistrée où le ménage l'a acceptée.",
        )
    c = Checker()
    c.require(data.visit_on <= today, "visitOn", "IN_FUTURE", "La date est dans le futur.")
    if row.contacted_on is not None and data.visit_on < row.contacted_on:
        c.add("visitOn", "DATE_ORDER", "La visite ne peut précéder la prise de contact.")
    c.require(
        1 <= data.duration_minutes <= MAX_DURATION_MINUTES,
        "durationMinutes",
        "OUT_OF_RANGE",
        f"La durée doit être comprise entre 1 et {MAX_DURATION_MINUTES} minutes.",
    )
    for field, value in (
        ("kitLedBulbs", data.kit_led_bulbs),
        ("kitAerators", data.kit_aerators),
        ("kitPressureReducers", data.kit_pressure_reducers),
    ):
        if value is not None and not 0 <= value <= MAX_KIT_ITEMS:
            c.add(field, "OUT_OF_RANGE", f"Entre 0 et {MAX_KIT_ITEMS} pièces.")
        if value and data.kit_installed_on is None:
            c.add(field, "NOT_APPLICABLE", "Indiquez la date de pose du kit éco.")
    dates: tuple[tuple[str, date | None], ...] = (
        ("kitInstalledOn", data.kit_installed_on),
        ("urgentInterventionOn", data.urgent_intervention_on),
        ("socialServicesAlertOn", data.social_services_alert_on),
    )
    for field, day in dates:
        if day is not None and day < data.visit_on:
            c.add(field, "DATE_ORDER", "Cette date ne peut précéder la visite.")
        if day is not None and day > today:
            c.add(field, "IN_FUTURE", "La date est dans le futur.")
    c.text(data.notes, "notes", max_length=2000)
    c.done()
    check_version(row, data.version)
    risks = {Risk(r) for r in data.risks}
    row.visit_on = data.visit_on
    row.duration_minutes = data.duration_minutes
    for risk, column in RISK_COLUMNS.items():
        setattr(row, column, risk in risks)
    row.kit_installed_on = data.kit_installed_on
    installed = data.kit_installed_on is not None
    default_bulbs = KIT_LED_BULBS if installed else 0
    row.kit_led_bulbs = data.kit_led_bulbs if data.kit_led_bulbs is not None else default_bulbs
    row.kit_aerators = data.kit_aerators
    row.kit_pressure_reducers = data.kit_pressure_reducers
    row.carsat_offers_relayed = data.carsat_offers_relayed
    row.urgent_intervention_on = data.urgent_intervention_on
    row.social_services_alert_on = data.social_services_alert_on
    row.notes = data.notes
    session.flush()
    return row


def _payload(info: Info, write: Callable[[Session, date], VisitRow]) -> SeniorsDomicileVisitPayload:
    ctx = context(info)
    row, problems = transaction(ctx.session, lambda: write(ctx.session, ctx.today))
    if problems or row is None:
        return SeniorsDomicileVisitPayload(visit=None, user_errors=user_errors(problems))
    return SeniorsDomicileVisitPayload(visit=SeniorsDomicileVisit.of(row), user_errors=[])


_IN = strawberry.argument(description="What to record.")


@strawberry.type
class SeniorsDomicileMutation:
    """Mutations of « Seniors à domicile »."""

    @strawberry.mutation(description="Record (or correct) the contact of a household for an offer.")
    def seniors_domicile_record_contact(
        self, info: Info, input: Annotated[SeniorsDomicileRecordContactInput, _IN]
    ) -> SeniorsDomicileVisitPayload:
        """Record the contact."""
        return _payload(info, lambda session, today: record_contact(session, input, today))

    @strawberry.mutation(
        description="Record (or correct) the diagnostic visit of a household that accepted it."
    )
    def seniors_domicile_record_visit(
        self, info: Info, input: Annotated[SeniorsDomicileRecordVisitInput, _IN]
    ) -> SeniorsDomicileVisitPayload:
        """Record the visit."""
        return _payload(info, lambda session, today: record_visit(session, input, today))


CONTRIBUTION = GraphQLContribution(
    owner=CODE,
    query=None,
    mutation=SeniorsDomicileMutation,
    extend={"Household": SeniorsDomicileHouseholdFields},
    types=(),
)
