"""PostgreSQL row-level security: a second line behind the application's access layer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.migrate import upgrade
from core.plugins import build_registry
from core.settings import Settings
from core.testing import ThemaTestApp, postgres_url
from tests.core import sample_plugin
from tests.core.conftest import mutate

pytestmark = pytest.mark.skipif(postgres_url() is None, reason="THEMA_TEST_POSTGRES_URL not set")


@pytest.fixture
def app_as_ordinary_role() -> Iterator[ThemaTestApp]:
    """An app connected as a non-superuser role owning its database (superusers bypass RLS)."""
    base = postgres_url()
    assert base is not None
    role, db = f"thema_rls_{uuid.uuid4().hex[:8]}", f"thema_rls_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
        conn.execute(text(f'CREATE DATABASE "{db}" OWNER "{role}"'))
    url = make_url(base).set(username=role, password=None, database=db).render_as_string(hide_password=False)
    settings = Settings(database_url=url, environment="test")
    upgrade(url, build_registry(settings, [sample_plugin]))
    app = ThemaTestApp(settings, [sample_plugin])
    try:
        yield app
    finally:
        app.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _world(app: ThemaTestApp) -> dict[str, str]:
    ids = {}
    for name in ("L", "M"):
        ids[name] = mutate(
            app,
            "createOrganisation",
            "CreateOrganisationInput",
            {"name": name, "kind": "LANDLORD"},
            "organisation { id }",
        )["organisation"]["id"]
        ids[f"h{name}"] = mutate(
            app,
            "createHousehold",
            "CreateHouseholdInput",
            {"organisationId": ids[name], "reference": f"REF-{name}"},
            "household { id }",
        )["household"]["id"]
    return ids


def test_policies_confine_a_transaction_to_the_listed_owners(app_as_ordinary_role: ThemaTestApp) -> None:
    app = app_as_ordinary_role
    ids = _world(app)
    from core.graphql.relay import from_global_id

    m_pk = from_global_id(ids["M"])[1]  # type: ignore[index]
    l_pk = from_global_id(ids["L"])[1]  # type: ignore[index]
    with app.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM household")).scalar_one() == 2
        )  # unset: scripts see all
        conn.execute(text("SELECT set_config('thema.orgs', :o, false)"), {"o": str(m_pk)})
        assert conn.execute(text("SELECT reference FROM household")).scalars().all() == ["REF-M"]
        with pytest.raises(Exception, match="row-level security"):
            conn.execute(
                text(
                    "INSERT INTO household (owner_id, reference, confidential, created_on, version) VALUES (:o, 'X', false, '2024-01-01', 1)"
                ),
                {"o": l_pk},
            )
        conn.rollback()


def test_requests_of_an_organisation_run_under_the_policies(app_as_ordinary_role: ThemaTestApp) -> None:
    app = app_as_ordinary_role
    ids = _world(app)
    token = app.create_token(ids["M"], "staff")
    answer = app.graphql(
        "{ households { totalCount nodes { reference } } organisations { totalCount } }", token=token
    )
    assert answer["households"] == {"totalCount": 1, "nodes": [{"reference": "REF-M"}]}
    assert answer["organisations"]["totalCount"] == 1
    # A write for its own organisation passes the policies' WITH CHECK.
    created = app.graphql(
        'mutation($o: ID!) { createHousehold(input: {organisationId: $o, reference: "NEW"}) { household { reference } userErrors { code } } }',
        {"o": ids["M"]},
        token=token,
    )
    assert created["createHousehold"] == {"household": {"reference": "NEW"}, "userErrors": []}
