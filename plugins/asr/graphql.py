"""GraphQL of the ASR plugin: the tenant's identification record and the mutation that writes it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from core.graphql.api import (
    Checker,
    UserError,
    check_version,
    context,
    get_ref,
    household_pk,
    to_global_id,
    transaction,
    user_errors,
)
from core.models import Household, Organisation
from plugins.asr.loaders import profile_loader
from plugins.asr.models import AsrIdentificationSource as SourceEnum
from plugins.asr.models import AsrProfile as AsrProfileRow

UNSET: Any = strawberry.UNSET

AsrIdentificationSource = strawberry.enum(
    SourceEnum, name="AsrIdentificationSource", description="Who spotted the tenant's situation."
)


@strawberry.type(description="ASR identification of a tenant household (null: not known).")
class AsrProfile:
    """How and why a tenant was identified for the Accompagnement Social Renforcé."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    great_precarity: bool | None = strawberry.field(
        description="Great precarity in the dwelling (e.g. rent arrears). Null: unknown."
    )
    rent_arrears_amount: float | None = strawberry.field(
        description="Rent arrears in euros when identified (informative)."
    )
    suspected_psychological_troubles: bool | None = strawberry.field(
        description="Suspected psychological troubles (sensitive: health). Null: unknown."
    )
    identified_on: date | None = strawberry.field(description="Date of the identification.")
    identified_by: str | None = strawberry.field(
        description="Who identified the situation (agent or team, e.g. the rent-recovery team)."
    )
    identification_source: AsrIdentificationSource | None = strawberry.field(  # type: ignore[valid-type]
        description="Kind of team that identified the situation."
    )
    identifying_organisation_id: strawberry.ID | None = strawberry.field(
        description="Global id of the organisation whose team identified the situation."
    )
    version: int = strawberry.field(description="Version, for optimistic locking of updates.")

    @staticmethod
    def of(row: AsrProfileRow) -> AsrProfile:
        """Convert a table row."""
        org = row.identifying_organisation_id
        return AsrProfile(
            household_id=strawberry.ID(to_global_id("Household", row.household_id)),
            great_precarity=row.great_precarity,
            rent_arrears_amount=row.rent_arrears_amount,
            suspected_psychological_troubles=row.suspected_psychological_troubles,
            identified_on=row.identified_on,
            identified_by=row.identified_by,
            identification_source=row.identification_source,
            identifying_organisation_id=(
                strawberry.ID(to_global_id("Organisation", org)) if org is not None else None
            ),
            version=row.version,
        )


@strawberry.type(description="ASR fields of a household.")
class AsrHouseholdFields:
    """Fields the ASR plugin adds to `Household`."""

    @strawberry.field(description="ASR identification of the household (null when never identified).")
    async def asr(self, info: Info[Any, Any]) -> AsrProfile | None:
        """Loaded in batch with the request's DataLoader."""
        pk = household_pk(self)
        if pk is None:
            return None
        row = await profile_loader(context(info)).load(pk)
        return AsrProfile.of(row) if row is not None else None


@strawberry.input(description="Record a tenant's ASR identification; omitted fields keep their value.")
class AsrSetProfileInput:
    """Create or update the ASR identification of a household."""

    household_id: strawberry.ID = strawberry.field(description="Tenant household identified.")
    version: int | None = strawberry.field(
        default=None, description="Version the client last read (updates); a stale one is refused."
    )
    great_precarity: bool | None = strawberry.field(
        default=UNSET, description="Great precarity in the dwelling (null: unknown)."
    )
    rent_arrears_amount: float | None = strawberry.field(
        default=UNSET, description="Rent arrears in euros (informative, ≥ 0)."
    )
    suspected_psychological_troubles: bool | None = strawberry.field(
        default=UNSET, description="Suspected psychological troubles (null: unknown)."
    )
    identified_on: date | None = strawberry.field(
        default=UNSET, description="Date of the identification (not in the future)."
    )
    identified_by: str | None = strawberry.field(
        default=UNSET, description="Agent or team who identified the situation."
    )
    identification_source: AsrIdentificationSource | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="Kind of team (RENT_RECOVERY for the rent-recovery team)."
    )
    identifying_organisation_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Organisation whose team identified the situation."
    )


@strawberry.type(description="Result of `asrSetProfile`.")
class AsrSetProfilePayload:
    """The profile written, or the problems found (nothing written)."""

    profile: AsrProfile | None = strawberry.field(description="The profile, when written.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


_FIELDS = (
    "great_precarity",
    "rent_arrears_amount",
    "suspected_psychological_troubles",
    "identified_on",
    "identified_by",
    "identification_source",
)


@strawberry.type(description="ASR mutations.")
class AsrMutation:
    """Mutations of the ASR plugin."""

    @strawberry.mutation(
        description="Create or update a tenant's ASR identification (who identified it, when, "
        "great precarity, suspected psychological troubles)."
    )
    def asr_set_profile(
        self,
        info: Info[Any, Any],
        input: Annotated[AsrSetProfileInput, strawberry.argument(description="The profile to record.")],
    ) -> AsrSetProfilePayload:
        """Upsert the identification record in one transaction."""
        ctx = context(info)
        session = ctx.session

        def work() -> AsrProfileRow:
            household = get_ref(session, Household, input.household_id, "householdId", "Household")
            org_id: Any = UNSET
            if input.identifying_organisation_id not in (UNSET, None):
                org = get_ref(
                    session,
                    Organisation,
                    input.identifying_organisation_id,
                    "identifyingOrganisationId",
                    "Organisation",
                )
                org_id = org.id
            elif input.identifying_organisation_id is None:
                org_id = None
            check = Checker()
            if input.identified_on not in (UNSET, None) and input.identified_on > ctx.today:
                check.add("identifiedOn", "OUT_OF_RANGE", "La date de repérage est dans le futur.")
            if input.rent_arrears_amount not in (UNSET, None):
                check.non_negative(input.rent_arrears_amount, "rentArrearsAmount")
            if input.identified_by not in (UNSET, None):
                check.text(input.identified_by, "identifiedBy", max_length=200)
            check.done()
            row = session.execute(
                select(AsrProfileRow).where(AsrProfileRow.household_id == household.id)
            ).scalar_one_or_none()
            if row is None:
                assert household.id is not None
                row = AsrProfileRow(owner_id=household.owner_id, household_id=household.id)
                session.add(row)
            else:
                check_version(row, input.version)
            for name in _FIELDS:
                value = getattr(input, name)
                if value is not UNSET:
                    setattr(row, name, value)
            if org_id is not UNSET:
                row.identifying_organisation_id = org_id
            session.flush()
            return row

        row, problems = transaction(session, work)
        return AsrSetProfilePayload(
            profile=AsrProfile.of(row) if row is not None else None,
            user_errors=user_errors(problems),
        )
