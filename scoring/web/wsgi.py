"""The WSGI application `tenderscore serve` hands to waitress."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderscore.scoring.web.settings")
application = get_wsgi_application()
