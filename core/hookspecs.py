"""The whole plugin contract: the ``thema`` marker and every hook a plugin may implement.

A plugin is a module of ``@hookimpl`` functions (``plugins/<code>/hooks.py`` for the built-in
ones, any module named by a ``thema.plugins`` entry point for the others). Hooks collected once at
start-up are named ``register_<plural noun>()`` and return small typed values from
``core.contract``; per-request hooks are named after their moment. Hook functions only declare:
the rules, resolvers and loaders they point to do the work.

A module may set ``THEMA_CONTRACT = "1.0"`` (the contract version it was written for) and
``__version__``; both are shown by ``thema plugins``.

Contract version 1.0 (thema 0.1.0).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from core.context import RequestContext
    from core.contract import (
        DemoData,
        EligibilityRule,
        GraphQLContribution,
        Indicator,
        MigrationBranch,
        Scheme,
        SensitiveField,
    )

#: The pluggy project name; also the entry-point group is ``thema.plugins``.
PROJECT = "thema"
ENTRY_POINT_GROUP = "thema.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_schemes() -> Iterable[Scheme]:
    """Declare the scheme(s) the plugin implements. Called once at start-up.

    Returns an iterable of ``core.Scheme``: code (lower-case, the prefix of every name the
    plugin adds), name, French label, version, the date its default parameters apply from, the
    parameters and their later dated versions. Two plugins declaring the same code stop start-up.

    Example::

        @hookimpl
        def register_schemes():
            return [Scheme(code="pension", name="Family boarding house", label="Pension de
                    famille", version="1.0.0", description="…",
                    effective_from=date(2020, 1, 1),
                    parameters=(Parameter("max_age", ParameterType.INT, 30, "Âge maximal"),))]

    Added in 1.0.
    """


@hookspec
def register_tables() -> Iterable[type[SQLModel]]:
    """Declare the SQLModel table classes the plugin owns. Called once at start-up.

    Tables are named after the scheme (``pension_profile``), carry ``owner_id`` (the tenant key) and
    may reference core tables, never another plugin's. A table name registered twice stops
    start-up naming both plugins. Migrations for them come from ``register_migrations``.

    Example::

        @hookimpl
        def register_tables():
            return [PensionProfile]

    Added in 1.0.
    """


@hookspec
def register_migrations() -> Iterable[MigrationBranch]:
    """Declare the plugin's Alembic branch (label = scheme code, path = its versions directory).

    Called when migrations run (``thema migrate``, ``create_app`` checks). The branch's first
    revision has ``branch_labels=("<code>",)`` and ``depends_on`` the core revision it needs.

    Example::

        @hookimpl
        def register_migrations():
            return [MigrationBranch("pension", Path(__file__).parent / "migrations")]

    Added in 1.0.
    """


@hookspec
def register_graphql() -> Iterable[GraphQLContribution]:
    """Declare the GraphQL types and fields the plugin adds. Called once when the schema is built.

    Returns ``core.GraphQLContribution`` values: root query and mutation fields, fields added to
    core types (``Household.pension``), and extra types. Names carry the scheme code. A field added
    twice to the same type stops start-up naming both plugins. Plugin types may use the core's
    static types (``Verdict``, ``UserError``, ``Node``…) but not the core object types, which
    are built per schema: link to them with global ids.

    Example::

        @strawberry.type
        class PensionHouseholdFields:
            @strawberry.field(description="Profil « pension de famille » du ménage.")
            async def pension(self, info: Info) -> PensionProfile | None: ...

        @hookimpl
        def register_graphql():
            return [GraphQLContribution(owner="pension", extend={"Household": PensionHouseholdFields})]

    Added in 1.0.
    """


@hookspec
def register_eligibility_rules() -> Iterable[EligibilityRule]:
    """Declare the scheme's eligibility rule: its criteria and a batch evaluation function.

    The function receives a ``core.EligibilityRequest`` (households of a batch with their core
    facts, the offer, the reference date, the resolved parameters) and returns, per household
    id, a ``CriterionResult`` for every declared criterion. The core derives the status
    (INELIGIBLE if a required criterion fails, INCOMPLETE if one is unknown, PRIORITY if a
    priority criterion holds, else ELIGIBLE). Never guess an unknown fact: return UNKNOWN.

    Example::

        @hookimpl
        def register_eligibility_rules():
            return [EligibilityRule("pension", criteria=(Criterion("pension.age", "Âge"),), evaluate=rule)]

    Added in 1.0.
    """


@hookspec
def register_indicators() -> Iterable[Indicator]:
    """Declare the scheme's indicators: key, French label, unit, definition, target, computation.

    ``compute`` receives a ``core.IndicatorRequest`` (scope, the scheme's offers in it, period)
    and returns an ``IndicatorResult`` computed by the database; ``households`` returns a
    SELECT of the ids of the households counted, for the drill-down.

    Example::

        @hookimpl
        def register_indicators():
            return [Indicator("pension", "occupancy_rate", "Taux d'occupation", IndicatorUnit.PERCENT,
                              "Places occupées / capacité", compute=occupancy_rate)]

    Added in 1.0.
    """


@hookspec
def register_sensitive_fields() -> Iterable[SensitiveField]:
    """Declare the plugin's sensitive fields (health, violence…): permissioned and audited reads.

    Example::

        @hookimpl
        def register_sensitive_fields():
            return [SensitiveField("pension", "PensionProfile", "diagnosis",
                                   SensitiveCategory.HEALTH, "Diagnostic TSA / TED")]

    Added in 1.0.
    """


@hookspec
def register_demo_data() -> Iterable[DemoData]:
    """Declare the plugin's demo data, loaded by ``thema demo`` after the core's demo world.

    ``DemoData.load`` receives a ``core.demo.DemoContext`` (session, seeded random generator,
    get-or-create helpers for organisations, sites and units, household generators).

    Example::

        @hookimpl
        def register_demo_data():
            return [DemoData("pension", load=load_demo, description="Pension du Bailly")]

    Added in 1.0.
    """


@hookspec
def prepare_context(context: RequestContext) -> None:
    """Add per-request state (DataLoaders) to the context. Called once per GraphQL request.

    Store loaders under keys prefixed with the scheme code: ``context.loaders["pension.profile"]``.

    Example::

        @hookimpl
        def prepare_context(context):
            context.loaders["pension.profile"] = DataLoader(partial(load_profiles, context))

    Added in 1.0.
    """
