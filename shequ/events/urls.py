from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="new"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/photos/", views.photo_add, name="photo-add"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("registrations/<int:pk>/<str:action>/", views.registration_act, name="registration-act"),
    path("delegations/", views.delegation_list, name="delegation-list"),
    path("delegations/new/", views.delegation_new, name="delegation-new"),
    path("delegations/<int:pk>/edit/", views.delegation_edit, name="delegation-edit"),
    path("groups/", views.groups, name="groups"),
    path("series/new/", views.series_new, name="series-new"),
    path("series/<int:pk>/edit/", views.series_edit, name="series-edit"),
    path("festivals/new/", views.festival_new, name="festival-new"),
    path("festivals/<int:pk>/edit/", views.festival_edit, name="festival-edit"),
    path("partners/new/", views.partner_new, name="partner-new"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner-edit"),
]

router = SimpleRouter(trailing_slash=True)
router.register("events", api.EventViewSet, basename="event")
router.register("registrations", api.RegistrationViewSet, basename="registration")
api_urlpatterns = [path("", include(router.urls))]
