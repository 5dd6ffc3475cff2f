"""Indexes for eligibility, facts and indicators at a landlord's scale.

``occupancy(household_id, start_date)`` finds a household's occupancy in force at a date (facts
batches, set-based verdicts, the current unit); ``person(birth_date)`` serves age bands.

Revision ID: 0004_perf_indexes
Revises: 0003_rls
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0004_perf_indexes"
down_revision = "0003_rls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_index("ix_occupancy_household_start", "occupancy", ["household_id", "start_date"])
    op.create_index("ix_person_birth_date", "person", ["birth_date"])


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_person_birth_date", table_name="person")
    op.drop_index("ix_occupancy_household_start", table_name="occupancy")
