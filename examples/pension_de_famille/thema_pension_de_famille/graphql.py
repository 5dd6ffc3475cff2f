"""GraphQL contribution: the household's profile field and the mutation writing it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlmodel import Session, select
from strawberry.types import Info

from core import GraphQLContribution
from core.graphql.api import (
    Checker,
    UserError,
    check_version,
    context,
    ensure_enabled,
    get_ref,
    to_global_id,
    transaction,
    user_errors,
)
from core.models import Household
from thema_pension_de_famille import models
from thema_pension_de_famille.eligibility import SITUATIONS
from thema_pension_de_famille.loaders import profile_loader
from thema_pension_de_famille.scheme import CODE, SCHEME


@strawberry.type(description="Pension de famille file of a household: the situations of its public.")
class PensionDeFamilleProfile:
    """The profile of one household."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    applied_on: date | None = strawberry.field(description="Date of the application.")
    precarity: bool | None = strawberry.field(
        description="Isolated person in a precarious situation (null: not assessed)."
    )
    social_isolation: bool | None = strawberry.field(
        description="Victim of social and psychological isolation (sensitive: health data)."
    )
    temporary_shelter_history: bool | None = strawberry.field(
        description="Has regularly stayed in temporary shelters."
    )
    domestic_violence_victim: bool | None = strawberry.field(
        description="Victim of domestic violence (sensitive: violence)."
    )
    family_breakdown: bool | None = strawberry.field(description="Has broken with their family.")
    support_notes: str | None = strawberry.field(
        description="Notes on the person's situation (sensitive: social data)."
    )
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(row: models.PensionDeFamilleProfile) -> PensionDeFamilleProfile:
        """Convert a row."""
        return PensionDeFamilleProfile(
            household_id=strawberry.ID(to_global_id("Household", row.household_id)),
            applied_on=row.applied_on,
            precarity=row.precarity,
            social_isolation=row.social_isolation,
            temporary_shelter_history=row.temporary_shelter_history,
            domestic_violence_victim=row.domestic_violence_victim,
            family_breakdown=row.family_breakdown,
            support_notes=row.support_notes,
            version=row.version,
        )


@strawberry.type
class PensionDeFamilleHouseholdFields:
    """Fields the plugin adds to ``Household``."""

    @strawberry.field(description="File of the household under this scheme (null when it has none).")
    async def pension_de_famille(self, info: Info) -> PensionDeFamilleProfile | None:
        """The household's profile, batched across households."""
        row = await profile_loader(context(info)).load(self.pk)  # type: ignore[attr-defined]
        return PensionDeFamilleProfile.of(row) if row else None


@strawberry.input(description="Create or update the scheme file of a household.")
class PensionDeFamilleSetProfileInput:
    """Omitted fields keep their value; null clears an optional field."""

    household_id: strawberry.ID = strawberry.field(description="Household of the file.")
    applied_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Date of the application (not in the future)."
    )
    precarity: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Isolated person in a precarious situation."
    )
    social_isolation: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Victim of social and psychological isolation."
    )
    temporary_shelter_history: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Has regularly stayed in temporary shelters."
    )
    domestic_violence_victim: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Victim of domestic violence."
    )
    family_breakdown: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Has broken with their family."
    )
    support_notes: str | None = strawberry.field(
        default=strawberry.UNSET, description="Notes on the person's situation (500 characters max)."
    )
    version: int | None = strawberry.field(
        default=None, description="Version the client last read, for an update; a stale one is refused."
    )


@strawberry.type(description="Result of pensionDeFamilleSetProfile.")
class PensionDeFamilleSetProfilePayload:
    """The profile written, or why nothing was."""

    profile: PensionDeFamilleProfile | None = strawberry.field(description="The profile, when written.")
    user_errors: list[UserError] = strawberry.field(description="Problems; nothing written if any.")


@strawberry.type
class PensionDeFamilleMutation:
    """Root mutations of the plugin."""

    @strawberry.mutation(description="Create or update the scheme file of a household.")
    def pension_de_famille_set_profile(
        self,
        info: Info,
        input: Annotated[PensionDeFamilleSetProfileInput, strawberry.argument(description="The file.")],
    ) -> PensionDeFamilleSetProfilePayload:
        """Upsert the profile in one transaction; typed user errors, nothing written on error."""
        ctx = context(info)
        row, problems = transaction(ctx.session, lambda: set_profile(ctx.session, input, ctx.today))
        return PensionDeFamilleSetProfilePayload(
            profile=PensionDeFamilleProfile.of(row) if row else None, user_errors=user_errors(problems)
        )


def set_profile(
    session: Session,
    data: PensionDeFamilleSetProfileInput,
    today: date,
) -> models.PensionDeFamilleProfile:
    """Validate the input and create or update the household's profile."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    assert household.id is not None
    ensure_enabled(session, CODE, household.owner_id, today, "householdId", SCHEME.label)
    values: dict[str, Any] = {}
    checker = Checker()
    if data.applied_on is not strawberry.UNSET:
        checker.require(
            data.applied_on is None or data.applied_on <= today,
            "appliedOn",
            "OUT_OF_RANGE",
            "La date de candidature ne peut pas être dans le futur.",
        )
        values["applied_on"] = data.applied_on
    for name in SITUATIONS:
        value = getattr(data, name)
        if value is not strawberry.UNSET:
            values[name] = value
    if data.support_notes is not strawberry.UNSET:
        notes = (data.support_notes or "").strip() or None
        checker.require(
            notes is None or len(notes) <= 500, "supportNotes", "TOO_LONG", "Au plus 500 caractères."
        )
        values["support_notes"] = notes
    checker.done()
    model = models.PensionDeFamilleProfile
    row = session.exec(select(model).where(model.household_id == household.id)).first()
    if row is None:
        row = model(owner_id=household.owner_id, household_id=household.id, **values)
    else:
        check_version(row, data.version)
        for key, value in values.items():
            setattr(row, key, value)
    session.add(row)
    return row


CONTRIBUTION = GraphQLContribution(
    owner=CODE,
    mutation=PensionDeFamilleMutation,
    extend={"Household": PensionDeFamilleHouseholdFields},
)
