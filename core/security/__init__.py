"""Defences against hostile requests: query limits, rate limit, introspection policy, error masking."""

from core.security.errors import INTERNAL, format_error, request_id, without_suggestions
from core.security.extensions import DocumentCache, LimitedParser, LimitedValidation
from core.security.introspection import (
    INTROSPECTION_DISABLED,
    introspection_allowed,
    introspection_refusal,
    is_introspection,
)
from core.security.limits import (
    BATCH_TOO_LARGE,
    BODY_TOO_LARGE,
    FRAGMENT_CYCLE,
    QUERY_TOO_COSTLY,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES,
    TOO_MANY_DUPLICATE_FIELDS,
    TOO_MANY_TOKENS,
    QueryLimits,
    check_document,
    query_cost,
)
from core.security.rate_limit import RATE_LIMITED, RateLimiter, caller_key, retry_after

__all__ = [
    "BATCH_TOO_LARGE",
    "BODY_TOO_LARGE",
    "FRAGMENT_CYCLE",
    "INTERNAL",
    "INTROSPECTION_DISABLED",
    "QUERY_TOO_COSTLY",
    "QUERY_TOO_DEEP",
    "RATE_LIMITED",
    "TOO_MANY_ALIASES",
    "TOO_MANY_DIRECTIVES",
    "TOO_MANY_DUPLICATE_FIELDS",
    "TOO_MANY_TOKENS",
    "DocumentCache",
    "LimitedParser",
    "LimitedValidation",
    "QueryLimits",
    "RateLimiter",
    "caller_key",
    "check_document",
    "format_error",
    "introspection_allowed",
    "introspection_refusal",
    "is_introspection",
    "query_cost",
    "request_id",
    "retry_after",
    "without_suggestions",
]
