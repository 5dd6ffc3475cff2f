"""Errors as clients see them: unexpected exceptions masked in production, no schema suggestions."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from graphql import GraphQLError

log = logging.getLogger("thema")

INTERNAL = "INTERNAL"
#: graphql-core's "Did you mean …?" hints, which would reveal field, type and enum names.
_SUGGESTION = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)
#: A request id a proxy may pass in ``X-Request-ID``: kept when it is this tame, else a new one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(header: str | None) -> str:
    """The request's id: the proxy's ``X-Request-ID`` when well-formed, else a fresh one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def without_suggestions(message: str) -> str:
    """The message without graphql-core's "Did you mean …?" hint."""
    return _SUGGESTION.sub("", message)


def format_error(
    error: GraphQLError, *, production: bool, suggestions: bool, request_id: str
) -> dict[str, Any]:
    """One error of a response; unexpected exceptions are logged with the request id, masked in production."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("internal error, request %s, path %s", request_id, error.path, exc_info=original)
        if production:
            masked: dict[str, Any] = {
                "message": "Erreur interne.",
                "extensions": {"code": INTERNAL, "requestId": request_id},
            }
            if error.path:
                masked["path"] = error.path
            return masked
    formatted: dict[str, Any] = dict(error.formatted)
    if not suggestions:
        formatted["message"] = without_suggestions(formatted["message"])
    return formatted
