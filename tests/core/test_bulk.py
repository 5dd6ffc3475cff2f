"""Bulk loading (``core.bulk.insert_rows``): every column type, row-level security, sequences, all or nothing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from core.bulk import insert_rows
from core.db import make_engine
from core.graphql.relay import to_global_id
from core.migrate import upgrade
from core.models import (
    Activity,
    AuditEvent,
    Household,
    MemberRole,
    Offer,
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipRole,
    PartnershipScope,
    Person,
    Site,
    Typology,
    Unit,
)
from core.plugins import build_registry
from core.settings import Settings
from core.testing import ThemaTestApp, postgres_url
from tests.core import sample_plugin

#: Text COPY must escape: tab, newline, backslash, quotes, and non-ASCII letters.
TRICKY = 'Tab\there, new\nline, back\\slash, "quotes", Éloïse'
#: A personal value that must never appear in an error message.
SECRET = "Zoé-Secrète"
DAY = date(2024, 3, 1)


def _methods(caplog: pytest.LogCaptureFixture, table: str) -> list[str]:
    """How ``insert_rows`` wrote into ``table``, from its debug line."""
    return [
        str(r.args[2])  # type: ignore[index]
        for r in caplog.records
        if r.name == "thema.bulk" and r.args and r.args[0] == table  # type: ignore[index]
    ]


def _count(session: Session, model: type[SQLModel]) -> int:
    return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _organisation(session: Session, name: str) -> int:
    insert_rows(session, Organisation, [{"name": name, "kind": OrganisationKind.LANDLORD}])
    pk = session.execute(select(Organisation.id).where(Organisation.name == name)).scalar_one()
    return int(pk)


def _people(household_id: int, owner_id: int, n: int, first_id: int | None = None) -> list[dict[str, Any]]:
    return [
        {
            **({} if first_id is None else {"id": first_id + i}),
            "owner_id": owner_id,
            "household_id": household_id,
            "first_name": SECRET,
            "last_name": f"Martin {i}",
            "role": MemberRole.OTHER,
            "birth_date": date(1990, 1, 1),
        }
        for i in range(n)
    ]


def test_insert_rows_round_trips_every_column_type(
    thema_app: ThemaTestApp, thema_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="thema.bulk")
    visit_model = thema_app.registry.tables["seniors_domicile_visit"][1]
    at = datetime(2024, 3, 1, 8, 30, 15, tzinfo=UTC)
    parameters = {"max_age": 30, "label": TRICKY, "nested": {"list": [1, 2.5, None, True]}}
    with thema_app.session() as s:
        org = _organisation(s, "Bailleur")
        # Omitted columns get their Python defaults (in_priority_district False, version 1).
        insert_rows(
            s, Site, [{"id": 10, "owner_id": org, "name": TRICKY, "commune": "Laon", "opened_on": DAY}]
        )
        units = [
            {
                "id": 20,
                "owner_id": org,
                "site_id": 10,
                "label": "A1",
                "typology": Typology.T1_BIS,
                "surface_m2": 27.35,
                "monthly_rent": None,
                "furnished": True,
            },
            {
                "id": 21,
                "owner_id": org,
                "site_id": 10,
                "label": "A2",
                "typology": "t5_plus",  # an enum's value is accepted as well as the member
                "surface_m2": None,
                "monthly_rent": 412.5,
                "furnished": False,
            },
        ]
        # A generator is accepted.
        assert insert_rows(s, Unit, (u for u in units)) == 2
        insert_rows(
            s,
            Offer,
            [
                {
                    "id": 30,
                    "owner_id": org,
                    "scheme": "seniors_domicile",
                    "name": "Programme",
                    "landlord_id": org,
                    "manager_id": org,
                    "site_id": None,
                    "start_date": DAY,
                    "parameters": parameters,
                }
            ],
        )
        insert_rows(
            s,
            Household,
            [{"id": 40, "owner_id": org, "reference": "M-1", "confidential": True, "created_on": DAY}],
        )
        people = [
            {
                "id": 50,
                "owner_id": org,
                "household_id": 40,
                "first_name": "Éloïse",
                "last_name": TRICKY,
                "role": MemberRole.REFERENCE,
                "birth_date": date(1950, 2, 28),
                "activity": Activity.RETIRED,
                "monthly_resources": 1234.56,
                "isolated": True,
            },
            {
                "id": 51,
                "owner_id": org,
                "household_id": 40,
                "first_name": "Jean",
                "last_name": "Martin",
                "role": "spouse",
                "birth_date": None,
                "activity": None,
                "monthly_resources": 0.0,
                "isolated": False,
            },
            {
                "id": 52,
                "owner_id": org,
                "household_id": 40,
                "first_name": "Léa",
                "last_name": "Martin",
                "role": MemberRole.CHILD,
                "birth_date": date(2015, 12, 31),
                "activity": None,
                "monthly_resources": None,
                "isolated": None,
            },
        ]
        insert_rows(s, Person, people)
        insert_rows(
            s,
            Partnership,
            [
                {
                    "owner_id": org,
                    "partner_id": org,
                    "role": PartnershipRole.PROVIDES_SUPPORT,
                    "scope": PartnershipScope.SITES,
                    "site_ids": [10],
                    "offer_ids": [],
                    "grants_resident_files": True,
                    "start_date": DAY,
                    "end_date": None,
                }
            ],
        )
        insert_rows(
            s,
            AuditEvent,
            [
                {
                    "owner_id": org,
                    "at": at,
                    "actor": "bulk",
                    "action": "import",
                    "details": {"file": TRICKY, "rows": 3},
                }
            ],
        )
        # A plugin's table: its enum default, booleans and integers left to their defaults.
        insert_rows(
            s,
            visit_model,
            [
                {
                    "owner_id": org,
                    "offer_id": 30,
                    "household_id": 40,
                    "contacted_on": DAY,
                    "contact_outcome": "accepted",
                    "risk_falls": True,
                    "notes": TRICKY,
                }
            ],
        )

        def check(session: Session) -> None:
            site = session.get(Site, 10)
            assert site is not None
            assert (site.name, site.in_priority_district, site.opened_on, site.version) == (
                TRICKY,
                False,
                DAY,
                1,
            )
            a1, a2 = session.get(Unit, 20), session.get(Unit, 21)
            assert a1 is not None and a2 is not None
            assert (a1.typology, a1.surface_m2, a1.monthly_rent, a1.furnished, a1.accessible) == (
                Typology.T1_BIS,
                27.35,
                None,
                True,
                False,
            )
            assert (a2.typology, a2.surface_m2, a2.monthly_rent) == (Typology.T5_PLUS, None, 412.5)
            offer = session.get(Offer, 30)
            assert offer is not None and offer.parameters == parameters and offer.site_id is None
            household = session.get(Household, 40)
            assert household is not None and household.confidential is True
            got = session.execute(
                select(Person).where(Person.household_id == 40).order_by(Person.id)
            ).scalars()
            fields = ("first_name", "last_name", "birth_date", "activity", "monthly_resources", "isolated")
            assert [(p.role, *(getattr(p, f) for f in fields)) for p in got] == [
                (MemberRole(p["role"]), *(p[f] for f in fields)) for p in people
            ]
            partnership = session.execute(select(Partnership)).scalar_one()
            assert (partnership.role, partnership.scope, partnership.site_ids, partnership.offer_ids) == (
                PartnershipRole.PROVIDES_SUPPORT,
                PartnershipScope.SITES,
                [10],
                [],
            )
            assert partnership.grants_resident_files is True and partnership.end_date is None
            event = session.execute(select(AuditEvent).where(AuditEvent.actor == "bulk")).scalar_one()
            assert event.at == at and event.details == {"file": TRICKY, "rows": 3}
            visit = session.execute(select(visit_model)).scalar_one()
            assert (visit.contact_channel.value, visit.contact_outcome.value, visit.notes) == (
                "phone",
                "accepted",
                TRICKY,
            )
            assert (visit.risk_falls, visit.risk_domestic_safety, visit.kit_led_bulbs, visit.version) == (
                True,
                False,
                0,
                1,
            )

        check(s)  # the same session sees the rows before commit
    with thema_app.session() as s:
        check(s)
    expected = {"sqlite": "executemany", "postgres": "copy"}[thema_backend]
    assert set(_methods(caplog, "person")) == {expected}
    # And the public API reads them like any other row.
    answer = thema_app.graphql(
        "query($id: ID!) { node(id: $id) { ... on Household { reference members { lastName role birthDate activity monthlyResources isolated } } } }",
        {"id": to_global_id("Household", 40)},
    )
    assert answer["node"]["members"][0] == {
        "lastName": TRICKY,
        "role": "REFERENCE",
        "birthDate": "1950-02-28",
        "activity": "RETIRED",
        "monthlyResources": 1234.56,
        "isolated": True,
    }
    assert [m["role"] for m in answer["node"]["members"]] == ["REFERENCE", "SPOUSE", "CHILD"]


def test_insert_rows_moves_the_id_sequence_past_explicit_ids(thema_app: ThemaTestApp) -> None:
    with thema_app.session() as s:
        org = _organisation(s, "Bailleur")
        rows = [{"id": 1000 + i, "owner_id": org, "reference": f"B-{i}", "created_on": DAY} for i in range(3)]
        insert_rows(s, Household, rows)
        # Lower explicit ids later never move the sequence back.
        insert_rows(s, Household, [{"id": 500, "owner_id": org, "reference": "LOW", "created_on": DAY}])
        orm = Household(owner_id=org, reference="ORM", created_on=DAY)
        s.add(orm)
        s.flush()
        assert orm.id == 1003
    # After commit, through the API: the next id again.
    created = thema_app.graphql(
        'mutation($o: ID!) { createHousehold(input: {organisationId: $o, reference: "API"}) { household { id } userErrors { code } } }',
        {"o": to_global_id("Organisation", org)},
    )["createHousehold"]
    assert created["userErrors"] == []
    assert created["household"]["id"] == to_global_id("Household", 1004)


def test_insert_rows_rollback_discards_every_row(thema_app: ThemaTestApp) -> None:
    with thema_app.session() as s:
        org = _organisation(s, "Bailleur")
        insert_rows(s, Household, [{"id": 1, "owner_id": org, "reference": "M-1", "created_on": DAY}])
    with Session(thema_app.engine) as s:
        assert insert_rows(s, Person, _people(1, org, 3000)) == 3000
        assert _count(s, Person) == 3000
        s.rollback()
        assert _count(s, Person) == 0
    # One bad row (no last name) in a big batch: the error, and nothing written by the transaction.
    with Session(thema_app.engine) as s:
        insert_rows(s, Household, [{"id": 2, "owner_id": org, "reference": "M-2", "created_on": DAY}])
        rows = _people(1, org, 3000, first_id=1)
        rows[-1]["last_name"] = None
        with pytest.raises(sa_exc.IntegrityError) as failed:
            insert_rows(s, Person, rows)
        assert SECRET not in str(failed.value)  # the failing row is not quoted
        s.rollback()
        assert _count(s, Person) == 0
        assert _count(s, Household) == 1


def test_insert_rows_rejects_rows_that_do_not_match_the_table(thema_app: ThemaTestApp) -> None:
    with thema_app.session() as s:
        org = _organisation(s, "Bailleur")
        with pytest.raises(ValueError, match="nickname"):
            insert_rows(
                s, Household, [{"owner_id": org, "reference": "R", "created_on": DAY, "nickname": "x"}]
            )
        with pytest.raises(ValueError, match="first row's columns"):
            insert_rows(
                s,
                Household,
                [{"owner_id": org, "reference": "R", "created_on": DAY}, {"owner_id": org, "reference": "S"}],
            )
        assert insert_rows(s, Household, []) == 0


# -- PostgreSQL row-level security: COPY FROM is refused, rows go through INSERT … SELECT --------


@dataclass
class OrdinaryRole:
    """A migrated database owned by a role that is neither superuser nor BYPASSRLS."""

    url: str
    role: str
    database: str
    admin: Engine


@pytest.fixture
def ordinary_role() -> Iterator[OrdinaryRole]:
    base = postgres_url()
    if base is None:
        pytest.skip("THEMA_TEST_POSTGRES_URL not set")
    role, db = f"thema_bulk_{uuid.uuid4().hex[:8]}", f"thema_bulk_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
        conn.execute(text(f'CREATE DATABASE "{db}" OWNER "{role}"'))
    url = make_url(base).set(username=role, password=None, database=db).render_as_string(hide_password=False)
    upgrade(url, build_registry(Settings(database_url=url), [sample_plugin]))
    try:
        yield OrdinaryRole(url, role, db, admin)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _load_under_rls(engine: Engine) -> None:
    """Rows of every kind under the policies; the id sequence; the policies still check each row."""
    with Session(engine) as s:
        assert s.execute(text("SELECT row_security_active('person')")).scalar_one() is True
        mine, theirs = _organisation(s, "Mine"), _organisation(s, "Theirs")
        insert_rows(s, Household, [{"id": 7, "owner_id": mine, "reference": "M-7", "created_on": DAY}])
        assert insert_rows(s, Person, _people(7, mine, 2000, first_id=100)) == 2000
        assert _count(s, Person) == 2000  # visible in the transaction
        orm = Person(owner_id=mine, household_id=7, first_name="A", last_name="B")
        s.add(orm)
        s.flush()
        assert orm.id == 2100
        s.commit()
    with Session(engine) as s:
        assert _count(s, Person) == 2001
        bad = _people(7, mine, 10, first_id=5000)
        bad[5]["last_name"] = None
        with pytest.raises(sa_exc.IntegrityError) as failed:
            insert_rows(s, Person, bad)
        assert SECRET not in str(failed.value)
        s.rollback()
        # Confined to "mine", the transaction may not write a row owned by "theirs".
        s.execute(text("SELECT set_config('thema.orgs', :o, true)"), {"o": str(mine)})
        rows = _people(7, mine, 5, first_id=6000) + _people(7, theirs, 1, first_id=7000)
        with pytest.raises(sa_exc.DBAPIError, match="row-level security"):
            insert_rows(s, Person, rows)
        s.rollback()
        assert _count(s, Person) == 2001


def test_insert_rows_under_row_level_security_stages_the_copy(
    ordinary_role: OrdinaryRole, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="thema.bulk")
    engine = make_engine(ordinary_role.url)
    try:
        _load_under_rls(engine)
    finally:
        engine.dispose()
    assert set(_methods(caplog, "organisation")) == {"copy"}  # no policy on organisations
    assert set(_methods(caplog, "person")) == {"staged_copy"}
    assert set(_methods(caplog, "household")) == {"staged_copy"}


def test_insert_rows_under_row_level_security_without_temporary_tables_uses_core(
    ordinary_role: OrdinaryRole, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="thema.bulk")
    with ordinary_role.admin.connect() as conn:
        conn.execute(
            text(
                f'REVOKE TEMPORARY ON DATABASE "{ordinary_role.database}" FROM PUBLIC, "{ordinary_role.role}"'
            )
        )
    engine = make_engine(ordinary_role.url)
    try:
        _load_under_rls(engine)
    finally:
        engine.dispose()
    assert set(_methods(caplog, "person")) == {"core"}
