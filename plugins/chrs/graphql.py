"""GraphQL of the CHRS plugin: the household's CHRS profile and the mutation that records it."""

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
from core.models import Household
from plugins.chrs.loaders import profile_loader
from plugins.chrs.models import ChrsProfile as ChrsProfileRow

UNSET: Any = strawberry.UNSET
_UNKNOWN = " Null : non évalué (inconnu)."


@strawberry.type(description="What the CHRS records about a household (null: not assessed).")
class ChrsProfile:
    """A household's CHRS assessment: difficulties, need for support, violence-victim priority."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    economic_difficulty: bool | None = strawberry.field(
        description="Important economic difficulties." + _UNKNOWN
    )
    family_difficulty: bool | None = strawberry.field(description="Important family difficulties." + _UNKNOWN)
    health_difficulty: bool | None = strawberry.field(
        description="Important health difficulties (sensitive: health)." + _UNKNOWN
    )
    insertion_difficulty: bool | None = strawberry.field(
        description="Important insertion difficulties (employment, social life)." + _UNKNOWN
    )
    needs_support_before_housing: bool | None = strawberry.field(
        description="Needs support before entering ordinary housing." + _UNKNOWN
    )
    domestic_violence_victim: bool | None = strawberry.field(
        description="Victim of domestic violence: priority public (sensitive: violence; the "
        "household is then confidential)." + _UNKNOWN
    )
    assessed_on: date | None = strawberry.field(description="Date of the assessment.")
    version: int = strawberry.field(description="Version, for optimistic locking of updates.")

    @staticmethod
    def of(row: ChrsProfileRow) -> ChrsProfile:
        """Convert a table row."""
        return ChrsProfile(
            household_id=strawberry.ID(to_global_id("Household", row.household_id)),
            economic_difficulty=row.economic_difficulty,
            family_difficulty=row.family_difficulty,
            health_difficulty=row.health_difficulty,
            insertion_difficulty=row.insertion_difficulty,
            needs_support_before_housing=row.needs_support_before_housing,
            domestic_violence_victim=row.domestic_violence_victim,
            assessed_on=row.assessed_on,
            version=row.version,
        )


@strawberry.type(description="CHRS fields of a household.")
class ChrsHouseholdFields:
    """Fields the CHRS plugin adds to `Household`."""

    @strawberry.field(description="CHRS profile of the household (null when never assessed).")
    async def chrs(self, info: Info[Any, Any]) -> ChrsProfile | None:
        """Loaded in batch with the request's DataLoader."""
        pk = household_pk(self)
        if pk is None:
            return None
        row = await profile_loader(context(info)).load(pk)
        return ChrsProfile.of(row) if row is not None else None


@strawberry.input(description="Record a household's CHRS assessment; omitted fields keep their value.")
class ChrsSetProfileInput:
    """Create or update the CHRS profile of a household."""

    household_id: strawberry.ID = strawberry.field(description="Household assessed.")
    version: int | None = strawberry.field(
        default=None, description="Version the client last read (updates); a stale one is refused."
    )
    economic_difficulty: bool | None = strawberry.field(
        default=UNSET, description="Important economic difficulties (null: unknown)."
    )
    family_difficulty: bool | None = strawberry.field(
        default=UNSET, description="Important family difficulties (null: unknown)."
    )
    health_difficulty: bool | None = strawberry.field(
        default=UNSET, description="Important health difficulties (null: unknown)."
    )
    insertion_difficulty: bool | None = strawberry.field(
        default=UNSET, description="Important insertion difficulties (null: unknown)."
    )
    needs_support_before_housing: bool | None = strawberry.field(
        default=UNSET, description="Needs support before ordinary housing (null: unknown)."
    )
    domestic_violence_victim: bool | None = strawberry.field(
        default=UNSET,
        description="Victim of domestic violence (null: unknown); true also marks the household "
        "confidential.",
    )
    assessed_on: date | None = strawberry.field(default=UNSET, description="Date of the assessment.")


@strawberry.type(description="Result of `chrsSetProfile`.")
class ChrsSetProfilePayload:
    """The profile written, or the problems found (nothing written)."""

    profile: ChrsProfile | None = strawberry.field(description="The profile, when written.")
    user_errors: list[UserError] = strawberry.field(description="Problems with the input.")


_FIELDS = (
    "economic_difficulty",
    "family_difficulty",
    "health_difficulty",
    "insertion_difficulty",
    "needs_support_before_housing",
    "domestic_violence_victim",
    "assessed_on",
)


@strawberry.type(description="CHRS mutations.")
class ChrsMutation:
    """Mutations of the CHRS plugin."""

    @strawberry.mutation(
        description="Create or update a household's CHRS assessment (difficulties, need for "
        "support, violence-victim priority)."
    )
    def chrs_set_profile(
        self,
        info: Info[Any, Any],
        input: Annotated[ChrsSetProfileInput, strawberry.argument(description="The profile to record.")],
    ) -> ChrsSetProfilePayload:
        """Upsert the profile in one transaction; a violence victim's household becomes confidential."""
        ctx = context(info)
        session = ctx.session

        def work() -> ChrsProfileRow:
            household = get_ref(session, Household, input.household_id, "householdId", "Household")
            check = Checker()
            assessed = input.assessed_on
            if assessed not in (UNSET, None) and assessed > ctx.today:
                check.add("assessedOn", "OUT_OF_RANGE", "La date d'évaluation est dans le futur.")
            check.done()
            row = session.execute(
                select(ChrsProfileRow).where(ChrsProfileRow.household_id == household.id)
            ).scalar_one_or_none()
            if row is None:
                assert household.id is not None
                row = ChrsProfileRow(owner_id=household.owner_id, household_id=household.id)
                session.add(row)
            else:
                check_version(row, input.version)
            for name in _FIELDS:
                value = getattr(input, name)
                if value is not UNSET:
                    setattr(row, name, value)
            if row.domestic_violence_victim and not household.confidential:
                # The presence and address of a victim are confidential (need-to-know access).
                household.confidential = True
                household.version += 1
            session.flush()
            return row

        row, problems = transaction(session, work)
        return ChrsSetProfilePayload(
            profile=ChrsProfile.of(row) if row is not None else None,
            user_errors=user_errors(problems),
        )
