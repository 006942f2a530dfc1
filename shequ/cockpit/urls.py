from django.urls import path

from . import api, views

app_name = "cockpit"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/<slug:name>.xlsx", views.export, name="export"),
    path("brief.pdf", views.brief, name="brief"),
    path("public/", views.public, name="public"),
]
api_urlpatterns: list = [path("overview/", api.OverviewView.as_view(), name="overview")]
# Mounted at /api/v1/reports/ (the monthly briefing PDF: GET /api/v1/reports/monthly-brief.pdf?month=YYYY-MM).
reports_api_urlpatterns: list = [path("monthly-brief.pdf", api.MonthlyBriefView.as_view(), name="monthly-brief")]
