"""An organisation's households in id order: ``household(owner_id, id)``.

A landlord's households page (``households(organisationId:, first:)``) reads its households in
id order: without this index PostgreSQL walks the primary key from the first household of the
deployment, filtering out every other organisation's on the way (tens of thousands of rows for a
landlord whose files come late), or sorts them all.

Revision ID: 0005_household_pages
Revises: 0004_perf_indexes
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0005_household_pages"
down_revision = "0004_perf_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply."""
    op.create_index("ix_household_owner_page", "household", ["owner_id", "id"])


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_household_owner_page", table_name="household")
