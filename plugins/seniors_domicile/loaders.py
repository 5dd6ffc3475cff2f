"""DataLoaders of « Seniors à domicile »: a household's programme records, one statement a batch."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import col
from strawberry.dataloader import DataLoader

from core import RequestContext, chunks

from .models import SeniorsDomicileVisit

VISITS_KEY = "seniors_domicile.visits"


def visits_loader(context: RequestContext) -> DataLoader[int, list[SeniorsDomicileVisit]]:
    """The request's loader of programme records by household id (created on first use)."""

    async def load(keys: list[int]) -> list[list[SeniorsDomicileVisit]]:
        grouped: dict[int, list[SeniorsDomicileVisit]] = defaultdict(list)
        for part in chunks(sorted(set(keys))):
            stmt = (
                select(SeniorsDomicileVisit)
                .where(col(SeniorsDomicileVisit.household_id).in_(part))
                .order_by(col(SeniorsDomicileVisit.household_id), col(SeniorsDomicileVisit.id))
            )
            for row in context.session.execute(stmt).scalars():
                grouped[row.household_id].append(row)
        return [grouped.get(k, []) for k in keys]

    return context.loader(VISITS_KEY, lambda: DataLoader(load))  # type: ignore[no-any-return]


def prepare(context: RequestContext) -> None:
    """Register the plugin's loaders on a new request context."""
    visits_loader(context)
