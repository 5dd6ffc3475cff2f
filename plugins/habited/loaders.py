"""HabiTED DataLoaders: a batch of households' profiles in one statement."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from core import RequestContext, chunks
from plugins.habited.models import HabitedProfile

PROFILE = "habited.profile"


def profile_loader(context: RequestContext) -> DataLoader[int, HabitedProfile | None]:
    """The request's loader of HabiTED profiles by household id (created on first use)."""

    async def load(household_ids: Sequence[int]) -> list[HabitedProfile | None]:
        found: dict[int, HabitedProfile] = {}
        for part in chunks(sorted(set(household_ids))):
            stmt = select(HabitedProfile).where(col(HabitedProfile.household_id).in_(part))
            found.update((p.household_id, p) for p in context.session.exec(stmt))
        return [found.get(hid) for hid in household_ids]

    loader: DataLoader[int, HabitedProfile | None] = context.loader(PROFILE, lambda: DataLoader(load_fn=load))
    return loader
