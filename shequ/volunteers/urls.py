from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "volunteers"

urlpatterns = [
    path("", views.activity_list, name="activity-list"),
    path("me/", views.m_home, name="me"),
    path("m/", views.m_home, name="m-home"),
    path("m/register/", views.m_register, name="m-register"),
    path("m/certificate/", views.m_certificate, name="m-certificate"),
    path("m/activities/<int:pk>/", views.m_activity, name="m-activity"),
    path("m/activities/<int:pk>/<str:what>/", views.m_activity_act, name="m-activity-act"),
    path("activities/new/", views.activity_new, name="activity-new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity-cancel"),
    path("activities/<int:pk>/code/", views.activity_code, name="activity-code"),
    path("records/<int:pk>/<str:action>/", views.record_act, name="record-act"),
    path("review/", views.review, name="review"),
    path("volunteers/", views.volunteer_list, name="volunteer-list"),
    path("volunteers/new/", views.volunteer_new, name="volunteer-new"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer-detail"),
    path("volunteers/<int:pk>/certificate/", views.certificate_issue, name="certificate-issue"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("stars/", views.stars, name="stars"),
    path("stars/<int:pk>/<str:action>/", views.notice_act, name="notice-act"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("verify/", views.verify, name="verify"),
    path("notices/", views.notices, name="notices"),
]

router = SimpleRouter(trailing_slash=True)
router.register("teams", api.TeamViewSet, basename="team")
router.register("activities", api.ActivityViewSet, basename="activity")
api_urlpatterns = [path("", include(router.urls))]
