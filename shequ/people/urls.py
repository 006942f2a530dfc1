from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "people"

urlpatterns = [
    path("", views.resident_list, name="resident-list"),
    path("new/", views.resident_create, name="resident-create"),
    path("<int:pk>/", views.resident_detail, name="resident-detail"),
    path("<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("<int:pk>/reveal/", views.resident_reveal, name="resident-reveal"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("export/", views.resident_export, name="resident-export"),
    path("import/", views.resident_import, name="resident-import"),
    path("import/template/", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.import_status, name="import-status"),
    path("import/<int:pk>/errors/", views.import_errors, name="import-errors"),
]

router = SimpleRouter(trailing_slash=True)
router.register("residents", api.ResidentViewSet, basename="resident")
api_urlpatterns = [path("", include(router.urls))]
