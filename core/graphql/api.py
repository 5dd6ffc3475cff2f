"""What plugins use to build their GraphQL contributions: shared types, ids, loaders, writes."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from core.context import RequestContext
from core.graphql.common import (
    Activity,
    ContactKind,
    CriterionResult,
    ExitDestination,
    MemberRole,
    ParameterSnapshot,
    Status,
    Typology,
    UserError,
    Verdict,
)
from core.graphql.execution import context_only
from core.graphql.loaders import by_id, child_counts, children
from core.graphql.relay import Node, from_global_id, to_global_id
from core.services.schemes import SchemeUnavailable, enabled_schemes, ensure_enabled, require_enabled
from core.services.write import (
    Checker,
    InvalidInput,
    Problem,
    check_version,
    decode_id,
    fail,
    get_ref,
    patch,
    transaction,
)


def context(info: Info[Any, Any]) -> RequestContext:
    """The request context of a resolver."""
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def household_pk(root: Any) -> int | None:
    """Primary key of the household a resolved object stands for (a core Household, or an
    object carrying ``household_id`` / ``household_pk``, or a row with ``household_id``)."""
    if type(root).__name__ == "Household" and isinstance(getattr(root, "pk", None), int):
        return int(root.pk)
    for attr in ("household_pk", "household_id"):
        value = getattr(root, attr, None)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            decoded = from_global_id(value)
            if decoded and decoded[0] == "Household":
                return decoded[1]
    value = getattr(getattr(root, "row", None), "household_id", None)
    return value if isinstance(value, int) else None


def user_errors(problems: list[Problem]) -> list[UserError]:
    """Problems of a write as GraphQL user errors."""
    return [UserError(field=p.field, code=p.code, message=p.message) for p in problems]


__all__ = [
    "Activity",
    "Checker",
    "ContactKind",
    "CriterionResult",
    "ExitDestination",
    "InvalidInput",
    "MemberRole",
    "Node",
    "ParameterSnapshot",
    "Problem",
    "SchemeUnavailable",
    "Status",
    "Typology",
    "UserError",
    "Verdict",
    "by_id",
    "check_version",
    "child_counts",
    "children",
    "context",
    "context_only",
    "decode_id",
    "enabled_schemes",
    "ensure_enabled",
    "fail",
    "from_global_id",
    "get_ref",
    "household_pk",
    "patch",
    "require_enabled",
    "to_global_id",
    "transaction",
    "user_errors",
]
