"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def demo_banner(request: HttpRequest) -> dict[str, bool]:
    return {"demo": bool(getattr(settings, "DEMO", False))}
