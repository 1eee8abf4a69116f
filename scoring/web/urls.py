"""Every URL of the app. tests/test_web_permissions.py walks each one as every role."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from .health import health
from .views import common, evaluator, moderator, officer, records

T = "tenders/<int:tender_id>/"

urlpatterns = [
    path("", common.home, name="home"),
    path("health/", health, name="health"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("tenders/new/", officer.new_tender, name="new_tender"),
    path(T, common.overview, name="tender"),
    path(T + "trail/", common.trail, name="trail"),
    # officer
    path(T + "panel/", officer.panel, name="panel"),
    path(T + "status/", officer.status, name="status"),
    path(T + "state/<str:to>/", officer.change_state, name="change_state"),
    path(T + "sheets/<str:panel_id>/reopen/", officer.reopen_sheet, name="reopen_sheet"),
    path(T + "score/", officer.score, name="score"),
    # evaluator
    path(T + "declaration/", evaluator.declare, name="declare"),
    path(T + "sheet/", evaluator.sheet_view, name="sheet"),
    path(T + "sheet/submit/", evaluator.submit, name="submit"),
    path(T + "sheet/bids/<str:bid>/", evaluator.bid_scores, name="bid_scores"),
    # moderator
    path(T + "moderation/", moderator.moderation, name="moderation"),
    path(T + "moderation/<str:bid>/<str:question>/", moderator.moderate_item, name="moderate_item"),
    # officer and auditor
    path(T + "result/", records.result, name="result"),
    path(T + "download/pack/", records.download_pack, name="download_pack"),
    path(T + "download/<str:fmt>/", records.download, name="download"),
    # auditor
    path(T + "ledger/", records.ledger, name="ledger"),
    path(T + "records/<int:record_id>/", records.record, name="record"),
    path(T + "records/<int:record_id>/json/", records.record_json, name="record_json"),
    path(T + "records/<int:record_id>/explain/<str:bid>/", records.explain_bid, name="explain"),
]
