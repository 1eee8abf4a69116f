"""`GET /health/`: what a load balancer or monitor asks before sending people to this instance: the database
answers and the decision ledger can be opened. 200 with {"status": "ok", ...}, else 503 naming what failed;
no sign-in, and nothing about tenders or people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..audit.store import open_ledger
from ..errors import TenderscoreError


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    report: dict[str, Any] = {"status": "ok", "database": connection.vendor}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        report |= {"status": "unavailable", "database_error": str(exc).splitlines()[0] if str(exc) else "error"}
    try:
        with open_ledger(settings.LEDGER_PATH) as book:
            report["ledger_records"] = book.last_id() or 0
    except TenderscoreError as exc:
        report |= {"status": "unavailable", "ledger_error": str(exc)}
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
