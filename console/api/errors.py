"""The API's error answers: DRF's, plus a value PostgreSQL cannot take (a NUL character in an id, a time past its
range) answered as the client's mistake (400), not as a server error (500). The schema fuzz found these."""
from __future__ import annotations

import logging
from typing import Any

from django.db import DataError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DataError):
        # The values stay out of the log: they are whatever the client sent.
        logger.warning("API request refused by the database view=%s", type(context.get("view")).__name__)
        return Response({"detail": "A value in the request cannot be stored or searched (for example a NUL "
                                   "character or a time out of range)."}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
