"""The bulk-loading comparison, run by ``make bench`` in a process of its own.

``python -m bench.bulk URL LANDLORD [REPEAT]`` prints the figures of
``bench.baselines.bulk_vs_orm`` as JSON: 50,000 persons written by ``core.bulk.insert_rows``
against 5,000 ORM objects flushed by the unit of work, alternately, rolled back after each run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col


def bulk_figures(url: str, landlord: int, repeat: int) -> dict[str, Any]:
    """Core against the ORM on the bench world of ``url``, households of ``landlord``.

    On PostgreSQL, the world's writes are checkpointed first (when the role may), so that the
    flushing of earlier measures' pages does not fall into these short runs; afterwards the
    rolled-back rows are vacuumed away, as autovacuum would soon do.
    """
    from bench import baselines
    from core.db import make_engine
    from core.models import Household

    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                try:
                    conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("CHECKPOINT"))
                except Exception as error:  # pg_checkpoint is PostgreSQL 15's; not every role has it
                    reason = type(error).__name__
                    print(f"[bench] no checkpoint before the bulk runs: {reason}", file=sys.stderr)
        with Session(engine) as session:
            some = (
                session.execute(select(col(Household.id)).where(col(Household.owner_id) == landlord))
                .scalars()
                .first()
            )
            assert some is not None
            figures = baselines.bulk_vs_orm(session, some, landlord, 50_000, 5_000, repeat=repeat)
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM person"))
    finally:
        engine.dispose()
    return figures


def main() -> None:
    """Command line: ``python -m bench.bulk URL LANDLORD [REPEAT]``."""
    url, landlord = sys.argv[1], int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    print(json.dumps(bulk_figures(url, landlord, repeat)))


if __name__ == "__main__":
    main()
