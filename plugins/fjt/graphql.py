"""FJT GraphQL contribution: ``Household.fjt``, ``Offer.fjtActivityQuota``, ``fjtSetProfile``."""

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
from core.models import Household, Offer
from plugins.fjt import models
from plugins.fjt.loaders import profile_loader, resident_share_loader
from plugins.fjt.scheme import CODE

FjtComposition = strawberry.enum(
    models.FjtComposition,
    name="FjtComposition",
    description="Composition of a young household: single, couple or single-parent family.",
)


@strawberry.type(description="FJT file of a household: what the core graph does not record.")
class FjtProfile:
    """The FJT profile of one household."""

    household_id: strawberry.ID = strawberry.field(description="Global id of the household.")
    applied_on: date | None = strawberry.field(description="Date of the FJT application.")
    composition: FjtComposition | None = strawberry.field(  # type: ignore[valid-type]
        description="Composition, when member roles do not tell it (null: derived from members)."
    )
    activity_detail: str | None = strawberry.field(
        description="Employer, training centre or contract behind the members' activity."
    )
    version: int = strawberry.field(description="Version, for optimistic locking.")

    @staticmethod
    def of(row: models.FjtProfile) -> FjtProfile:
        """Convert a row."""
        return FjtProfile(
            household_id=strawberry.ID(to_global_id("Household", row.household_id)),
            applied_on=row.applied_on,
            composition=row.composition,
            activity_detail=row.activity_detail,
            version=row.version,
        )


@strawberry.type(description="Share of young people in activity among an FJT offer's residents.")
class FjtActivityQuota:
    """The collective activity quota of an offer at a date."""

    offer_id: strawberry.ID = strawberry.field(description="Global id of the offer.")
    on: date = strawberry.field(description="Date of the count.")
    residents: int = strawberry.field(
        description="Young people (household members other than children) living in the offer."
    )
    in_activity: int = strawberry.field(
        description="Of them, in work, training, apprenticeship, internship or job seeking."
    )
    unknown: int = strawberry.field(description="Of them, with an unknown activity situation.")
    share: float | None = strawberry.field(
        description="In activity / residents, in percent (null without residents)."
    )
    minimum: float = strawberry.field(
        description="Minimum share for the offer (parameter activity_share_min), in percent."
    )
    meets_quota: bool | None = strawberry.field(
        description="Whether the share reaches the minimum; null when unknown situations decide."
    )


@strawberry.type
class FjtHouseholdFields:
    """Fields the FJT plugin adds to ``Household``."""

    @strawberry.field(description="FJT file of the household (null when it has none).")
    async def fjt(self, info: Info) -> FjtProfile | None:
        """The household's FJT profile, batched across households."""
        row = await profile_loader(context(info)).load(self.pk)  # type: ignore[attr-defined]
        return FjtProfile.of(row) if row else None


@strawberry.type
class FjtOfferFields:
    """Fields the FJT plugin adds to ``Offer``."""

    @strawberry.field(
        description="Share of young residents in activity at a date, against the offer's "
        "minimum (null for an offer of another scheme)."
    )
    async def fjt_activity_quota(
        self,
        info: Info,
        on: Annotated[
            date | None,
            strawberry.argument(name="date", description="Date of the count (default: today)."),
        ] = None,
    ) -> FjtActivityQuota | None:
        """Residents of the offer at the date and the share of them in activity, batched."""
        ctx = context(info)
        offer: Offer = self.row  # type: ignore[attr-defined]
        scheme = ctx.registry.scheme(CODE)
        if offer.scheme != CODE or scheme is None or offer.id is None:
            return None
        day = on or ctx.today
        minimum = float(scheme.parameters_at(day, offer.parameters).values["activity_share_min"])
        share = await resident_share_loader(ctx, day).load(offer.id)
        low, high = share.low(), share.high()
        meets = None
        if low is not None and high is not None:
            meets = True if low >= minimum else False if high < minimum else None
        return FjtActivityQuota(
            offer_id=strawberry.ID(to_global_id("Offer", offer.id)),
            on=day,
            residents=share.total,
            in_activity=share.active,
            unknown=share.unknown,
            share=round(float(low) * 100, 4) if low is not None else None,
            minimum=round(minimum * 100, 4),
            meets_quota=meets,
        )


@strawberry.input(description="Create or update the FJT file of a household.")
class FjtSetProfileInput:
    """Omitted fields keep their value; null clears an optional field."""

    household_id: strawberry.ID = strawberry.field(description="Household of the file.")
    applied_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Date of the FJT application (not in the future)."
    )
    composition: FjtComposition | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET,
        description="Composition, only when member roles do not tell it.",
    )
    activity_detail: str | None = strawberry.field(
        default=strawberry.UNSET, description="Employer, training centre or contract (200 max)."
    )
    version: int | None = strawberry.field(
        default=None,
        description="Version the client last read, for an update; a stale one is refused.",
    )


@strawberry.type(description="Result of fjtSetProfile.")
class FjtSetProfilePayload:
    """The profile written, or why nothing was."""

    profile: FjtProfile | None = strawberry.field(description="The profile, when written.")
    user_errors: list[UserError] = strawberry.field(description="Problems; nothing written if any.")


@strawberry.type
class FjtMutation:
    """Root mutations of the FJT plugin."""

    @strawberry.mutation(description="Create or update the FJT file of a household.")
    def fjt_set_profile(
        self,
        info: Info,
        input: Annotated[FjtSetProfileInput, strawberry.argument(description="The file.")],
    ) -> FjtSetProfilePayload:
        """Upsert the profile in one transaction; typed user errors, nothing written on error."""
        ctx = context(info)
        row, problems = transaction(ctx.session, lambda: set_profile(ctx.session, input, ctx.today))
        return FjtSetProfilePayload(
            profile=FjtProfile.of(row) if row else None, user_errors=user_errors(problems)
        )


def require_enabled(session: Session, organisation_id: int, on: date, field: str) -> None:
    """Refuse a write for an organisation that does not run the FJT scheme at ``on``."""
    ensure_enabled(session, CODE, organisation_id, on, field, "FJT")


def set_profile(session: Session, data: FjtSetProfileInput, today: date) -> models.FjtProfile:
    """Validate the input and create or update the household's profile."""
    household = get_ref(session, Household, data.household_id, "householdId", "Household")
    assert household.id is not None
    require_enabled(session, household.owner_id, today, "householdId")
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
    if data.composition is not strawberry.UNSET:
        values["composition"] = data.composition
    if data.activity_detail is not strawberry.UNSET:
        detail = (data.activity_detail or "").strip() or None
        checker.require(
            detail is None or len(detail) <= 200,
            "activityDetail",
            "TOO_LONG",
            "Au plus 200 caractères.",
        )
        values["activity_detail"] = detail
    checker.done()
    row = session.exec(
        select(models.FjtProfile).where(models.FjtProfile.household_id == household.id)
    ).first()
    if row is None:
        row = models.FjtProfile(owner_id=household.owner_id, household_id=household.id, **values)
        session.add(row)
    else:
        check_version(row, data.version)
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
    return row


CONTRIBUTION = GraphQLContribution(
    owner=CODE,
    query=None,
    mutation=FjtMutation,
    extend={"Household": FjtHouseholdFields, "Offer": FjtOfferFields},
    types=(),
)
