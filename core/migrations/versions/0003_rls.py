"""Row-level security on PostgreSQL: defence in depth behind the application's access layer.

Each landlord-owned core table gets a policy letting a transaction see only the rows whose owner
is in the comma-separated list ``thema.orgs`` (set per transaction by the application for an
organisation's caller); unset or ``*`` (scripts, migrations, platform operators) sees every row.
The policies also apply to the tables' owner (FORCE); superusers bypass them, so the application
must connect as an ordinary role in production.

Revision ID: 0003_rls
Revises: 0002_auth
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0003_rls"
down_revision = "0002_auth"
branch_labels = None
depends_on = None

TABLES = (
    "scheme_enablement",
    "partnership",
    "site",
    "unit",
    "offer",
    "offer_unit",
    "household",
    "person",
    "occupancy",
    "referral",
    "support_episode",
    "support_contact",
)


def upgrade() -> None:
    """Apply (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION thema_visible(owner integer) RETURNS boolean LANGUAGE sql STABLE AS $$
          SELECT coalesce(current_setting('thema.orgs', true), '') IN ('', '*')
              OR owner = ANY (string_to_array(current_setting('thema.orgs', true), ',')::integer[])
        $$
        """
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY thema_owner ON {table} USING (thema_visible(owner_id)) "
            "WITH CHECK (thema_visible(owner_id))"
        )


def downgrade() -> None:
    """Revert (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS thema_owner ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS thema_visible(integer)")
