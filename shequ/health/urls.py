from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "health"

urlpatterns = [
    path("", views.contract_list, name="contract-list"),
    path("due/", views.due_list, name="due-list"),
    path("export/", views.contract_export, name="contract-export"),
    path("sign/", views.sign, name="sign"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/reveal/", views.contract_reveal, name="contract-reveal"),
    path("contracts/<int:pk>/<slug:action>/", views.contract_action, name="contract-action"),
    path("import/", views.contract_import, name="import"),
    path("import/template/", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.import_status, name="import-status"),
    path("import/<int:pk>/errors/", views.import_errors, name="import-errors"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/refresh/", views.coverage_refresh, name="coverage-refresh"),
    path("m/", views.my_contracts, name="m-mine"),
]

router = SimpleRouter(trailing_slash=True)
router.register("contracts", api.ContractViewSet, basename="contract")
api_urlpatterns = [path("", include(router.urls))]
