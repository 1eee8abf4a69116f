from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tenderscore.scoring.web"
    label = "web"
    verbose_name = "tenderscore panels"
