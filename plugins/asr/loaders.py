"""DataLoaders of the ASR plugin: profiles by household id, one statement per batch."""

from __future__ import annotations

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from core import RequestContext, chunks
from plugins.asr.models import AsrProfile

PROFILE = "asr.profile"


def profile_loader(context: RequestContext) -> DataLoader[int, AsrProfile | None]:
    """The request's loader of ASR profiles by household id."""

    async def load(keys: list[int]) -> list[AsrProfile | None]:
        found: dict[int, AsrProfile] = {}
        for part in chunks(sorted(set(keys))):
            stmt = select(AsrProfile).where(AsrProfile.household_id.in_(part))  # type: ignore[attr-defined]
            for row in context.session.execute(stmt).scalars():
                found[row.household_id] = row
        return [found.get(k) for k in keys]

    return context.loader(PROFILE, lambda: DataLoader(load))  # type: ignore[no-any-return]


def register(context: RequestContext) -> None:
    """Create the plugin's loaders for a request (called from ``prepare_context``)."""
    profile_loader(context)
