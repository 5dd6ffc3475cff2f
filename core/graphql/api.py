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
    "decode_id",
    "enabled_schemes",
    "ensure_enabled",
    "fail",
    "from_global_id",
    "get_ref",
    "patch",
    "require_enabled",
    "to_global_id",
    "transaction",
    "user_errors",
]
