from django.urls import path

from . import api, views

app_name = "targets"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.indicator_detail, name="indicator"),
    path("entries/", views.entries, name="entries"),
    path("entries/new/", views.entry_new, name="entry-new"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/<slug:action>/", views.entry_action, name="entry-action"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("eco/", views.eco_list, name="eco-list"),
    path("eco/<int:pk>/", views.eco_detail, name="eco"),
    path("eco/<int:pk>/<slug:action>/", views.eco_action, name="eco-action"),
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/new/", views.assessment_new, name="assessment-new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/score/", views.assessment_score, name="assessment-score"),
    path("assessments/<int:pk>/sign/", views.assessment_sign, name="assessment-sign"),
    path("assessments/<int:pk>/evidence/", views.assessment_evidence, name="assessment-evidence"),
    path("assessments/<int:pk>/result.pdf", views.assessment_pdf, name="assessment-pdf"),
]
api_urlpatterns = [
    path("", api.target_list, name="target-list"),
]
