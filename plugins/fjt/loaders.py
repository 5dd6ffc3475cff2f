"""FJT DataLoaders: profiles by household and activity quotas by offer, one statement a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from core import RequestContext, chunks
from plugins.fjt.eligibility import Share, resident_shares_by_offer
from plugins.fjt.models import FjtProfile

PROFILE = "fjt.profile"
QUOTA = "fjt.quota"


def profile_loader(context: RequestContext) -> DataLoader[int, FjtProfile | None]:
    """The request's loader of FJT profiles by household id (created on first use)."""

    async def load(household_ids: Sequence[int]) -> list[FjtProfile | None]:
        found: dict[int, FjtProfile] = {}
        for part in chunks(sorted(set(household_ids))):
            stmt = select(FjtProfile).where(col(FjtProfile.household_id).in_(part))
            found.update((p.household_id, p) for p in context.session.exec(stmt))
        return [found.get(hid) for hid in household_ids]

    loader: DataLoader[int, FjtProfile | None] = context.loader(PROFILE, lambda: DataLoader(load_fn=load))
    return loader


def resident_share_loader(context: RequestContext, on: date) -> DataLoader[int, Share]:
    """The request's loader of each offer's residents in activity on ``on`` (one statement)."""

    async def load(offer_ids: Sequence[int]) -> list[Share]:
        found: dict[int, Share] = {}
        for part in chunks(sorted(set(offer_ids))):
            found.update(resident_shares_by_offer(context.session, part, on))
        return [found.get(oid, Share()) for oid in offer_ids]

    loader: DataLoader[int, Share] = context.loader(
        f"{QUOTA}.{on.isoformat()}", lambda: DataLoader(load_fn=load)
    )
    return loader
