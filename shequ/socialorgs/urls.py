from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "socialorgs"

urlpatterns = [
    path("", views.org_list, name="org-list"),
    path("new/", views.org_create, name="org-create"),
    path("<int:pk>/", views.org_detail, name="org-detail"),
    path("<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document, name="document"),
    path("incubation/", views.incubation_list, name="incubation-list"),
    path("incubation/<int:pk>/", views.incubation_detail, name="incubation-detail"),
    path("incubation/<int:pk>/<str:action>/", views.incubation_action, name="incubation-action"),
    path("incubation/<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone-done"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/act/<str:action>/", views.project_action, name="project-action"),
    path("projects/<int:pk>/proposals/<int:proposal_pk>/score/", views.proposal_score, name="proposal-score"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/new/", views.claim_project_create, name="claim-create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/claim/", views.claim_public, name="claim-public"),
    path("claims/<int:pk>/requests/<int:request_pk>/<str:action>/", views.claim_request_act,
         name="claim-request-act"),
    path("thanks/", views.thanks, name="thanks"),
]

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("claim-projects", api.ClaimProjectViewSet, basename="claim-project")
api_urlpatterns: list = [path("", include(router.urls))]
