"""DataLoaders: profiles by household, one statement a batch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from strawberry.dataloader import DataLoader

from core import RequestContext, chunks
from thema_pension_de_famille.models import PensionDeFamilleProfile

#: Loader keys carry the scheme code, so plugins never collide in the request context.
PROFILE = "pension_de_famille.profile"


def profile_loader(context: RequestContext) -> DataLoader[int, PensionDeFamilleProfile | None]:
    """The request's loader of profiles by household id (created on first use)."""

    async def load(household_ids: Sequence[int]) -> list[PensionDeFamilleProfile | None]:
        found: dict[int, PensionDeFamilleProfile] = {}
        for part in chunks(sorted(set(household_ids))):
            stmt = select(PensionDeFamilleProfile).where(col(PensionDeFamilleProfile.household_id).in_(part))
            found.update((p.household_id, p) for p in context.session.exec(stmt))
        return [found.get(hid) for hid in household_ids]

    loader: DataLoader[int, PensionDeFamilleProfile | None] = context.loader(
        PROFILE, lambda: DataLoader(load_fn=load)
    )
    return loader
