"""HabiTED GraphQL contribution: ``Household.habited`` and ``habitedSetProfile``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlmodel import Session, select
from strawberry.types import Info

from core import GraphQLContribution
from core.graphql.api import (
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
from plugins.habited import models
from plugins.habited.loaders import profile_loader
from plugins.habited.scheme import CODE

HabitedDiagnosis = strawberry.enum(
    models.HabitedDiagnosis,
    name="HabitedDiagnosis",
    description="Diagnosis on file: AUTISM, PDD (TED, troubles envahissants du développement) "
    "or NONE (neither). Health data.",
)
HabitedDayActivity = strawberry.enum(
    models.HabitedDayActivity,
    name="HabitedDayActivity",
    description="Daytime activity: ordinary employment, sheltered workshop, ESAT, day centre, or none.",
)


@strawberry.type(description="HabiTED file of a household (its tenant); null facts are unknown.")
class HabitedProfile:
    """The HabiTED profile of one household."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    diagnosis: HabitedDiagnosis | None = strawberry.field(  # type: ignore[valid-type]
        description="Autism or TED diagnosis (sensitive health data: permissioned, audited)."
    )
    verbal_language: bool | None = strawberry.field(
        description="Whether the tenant has acquired verbal language."
    )
    public_transport_autonomy: bool | None = strawberry.field(
        description="Whether the tenant travels alone on public transport."
    )
    day_activity: HabitedDayActivity | None = strawberry.field(  # type: ignore[valid-type]
        description="Daytime activity of the tenant."
    )
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(row: models.HabitedProfile) -> HabitedProfile:
        """Convert a row."""
        return HabitedProfile(
            household_id=strawberry.ID(to_global_id("Household", row.household_id)),
            diagnosis=row.diagnosis,
            verbal_language=row.verbal_language,
            public_transport_autonomy=row.public_transport_autonomy,
            day_activity=row.day_activity,
            version=row.version,
        )


@strawberry.type
class HabitedHouseholdFields:
    """Fields the HabiTED plugin adds to ``Household``."""

    @strawberry.field(description="HabiTED file of the household (null when it has none).")
    async def habited(self, info: Info) -> HabitedProfile | None:
        """The household's HabiTED profile, batched across households."""
        row = await profile_loader(context(info)).load(self.pk)  # type: ignore[attr-defined]
        return HabitedProfile.of(row) if row else None


@strawberry.input(description="Create or update the HabiTED file of a household.")
class HabitedSetProfileInput:
    """Omitted fields keep their value; null records the fact as unknown."""

    household_id: strawberry.ID = strawberry.field(description="Household of the file.")
    diagnosis: HabitedDiagnosis | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Autism or TED diagnosis (health data)."
    )
    verbal_language: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Verbal language acquired."
    )
    public_transport_autonomy: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Travels alone on public transport."
    )
    day_activity: HabitedDayActivity | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Daytime activity."
    )
    version: int | None = strawberry.field(
        default=None,
        description="Version the client last read, for an update; a stale one is refused.",
    )


@strawberry.type(description="Result of habitedSetProfile.")
class HabitedSetProfilePayload:
    """The profile written, or why nothing was."""

    profile: HabitedProfile | None = strawberry.field(description="The profile, when written.")
    user_errors: list[UserError] = strawberry.field(description="Problems; nothing written if any.")


@strawberry.type
class HabitedMutation:
    """Root mutations of the HabiTED plugin."""

    @strawberry.mutation(description="Create or update the HabiTED file of a household.")
    def habited_set_profile(
        self,
        info: Info,
        input: Annotated[HabitedSetProfileInput, strawberry.argument(description="The file.")],
    ) -> HabitedSetProfilePayload:
        """Upsert the profile in one transaction; typed user errors, nothing written on error."""
        ctx = context(info)
        row, problems = transaction(ctx.session, lambda: set_profile(ctx.session, input, ctx.today))
        return HabitedSetProfilePayload(
            profile=HabitedProfile.of(row) if row else None, user_errors=user_errors(problems)
        )


def require_enabled(session: Session, organisation_id: int, on: date, field: str) -> None:
    """Refuse a write for an organisation that does not run the HabiTED scheme at ``on``."""
    ensure_enabled(session, CODE, organisation_id, on, field, "HabiTED")


FIELDS = ("diagnosis", "verbal_language", "public_transport_autonomy", "day_activity")


def set_profile(session: Session, data: HabitedSetProfileInput, today: date) -> models.HabitedProfile:
    """Create or update the household's profile with the fields given."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    assert household.id is not None
    require_enabled(session, household.owner_id, today, "householdId")
    values: dict[str, Any] = {
        name: getattr(data, name) for name in FIELDS if getattr(data, name) is not strawberry.UNSET
    }
    row = session.exec(
        select(models.HabitedProfile).where(models.HabitedProfile.household_id == household.id)
    ).first()
    if row is None:
        row = models.HabitedProfile(owner_id=household.owner_id, household_id=household.id, **values)
    else:
        check_version(row, data.version)
        for key, value in values.items():
            setattr(row, key, value)
    session.add(row)
    return row


CONTRIBUTION = GraphQLContribution(
    owner=CODE,
    query=None,
    mutation=HabitedMutation,
    extend={"Household": HabitedHouseholdFields},
    types=(),
)
