"""Logging, configured in one place: JSON lines or text, one access line per request, no personal data.

``configure_logging`` is called by ``create_app`` (so every uvicorn worker logs alike) and by
``thema serve``. The access line carries only what ``ACCESS_FIELDS`` names: never query
variables, bodies or values read from the database.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

LogFormat = Literal["json", "text"]

#: The logger of the one-line-per-request access log.
access_log = logging.getLogger("thema.access")

#: Fields an access line may carry (``extra=`` keys); anything else passed in ``extra`` is dropped.
ACCESS_FIELDS = (
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "operation",
    "operation_type",
    "outcome",
    "error_codes",
    "subject",
)
#: Loggers whose own handlers are replaced, so that every line goes through ours.
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error")
_MARK = "_thema_handler"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the access fields, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for development: time, level, logger, message, then the access fields."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line (plus its traceback, if any)."""
        text = super().format(record)
        fields = [f"{n}={getattr(record, n)}" for n in ACCESS_FIELDS if getattr(record, n, None) is not None]
        if not fields:
            return text
        head, newline, tail = text.partition("\n")
        return f"{head} {' '.join(fields)}{newline}{tail}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current ``sys.stderr`` (which test runners and daemons may swap)."""

    @property
    def stream(self) -> Any:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def formatter(log_format: LogFormat) -> logging.Formatter:
    """The formatter of ``THEMA_LOG_FORMAT``."""
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> None:
    """Send every log line to stderr in ``log_format``; idempotent (replaces its own handler only)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(formatter(log_format))
    setattr(handler, _MARK, True)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    logging.getLogger("thema").setLevel(level.upper())
    for name in _SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True
        server.setLevel(level.upper())
    # thema writes its own access line (with the operation and request id): uvicorn's is redundant.
    logging.getLogger("uvicorn.access").disabled = True
