from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from . import api, hotline_views, open311, views

app_name = "grid"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("locate/", views.locate, name="locate"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("tasks/", views.tasks, name="tasks"),
    path("desk/", views.desk, name="desk"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("unit/", views.unit, name="unit"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/export/", views.case_export, name="case-export"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<slug:action>/", views.case_act, name="case-act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("map/", views.grid_map, name="map"),
    path("map/grids.geojson", views.grids_geojson, name="grids-geojson"),
    path("map/cases.geojson", views.cases_geojson, name="cases-geojson"),
    path("map/export.geojson", views.grids_export, name="grids-export"),
    path("map/import/", views.grids_import, name="grids-import"),
    path("grids/<int:pk>/", views.grid_detail, name="grid-detail"),
    path("taxonomy/", views.taxonomy, name="taxonomy"),
    path("hotline/", views.hotline_list, name="hotline-list"),
    path("hotline/import/", views.hotline_import, name="hotline-import"),
    path("hotline/new/", views.hotline_create, name="hotline-create"),
    path("hotline/template/", views.hotline_template, name="hotline-template"),
    path("hotline/<int:pk>/", views.hotline_detail, name="hotline-detail"),
    path("hotline/<int:pk>/act/<slug:action>/", views.hotline_act, name="hotline-act"),
    path("hotline/requests/", hotline_views.hotline_requests, name="hotline-requests"),
    path("hotline/tasks/", hotline_views.hotline_tasks, name="hotline-tasks"),
    path("hotline/tasks/<int:pk>/finish/", hotline_views.hotline_task_finish, name="hotline-task-finish"),
    path("hotline/tasks/<int:pk>/cancel/", hotline_views.hotline_task_cancel, name="hotline-task-cancel"),
    path("hotline/figures/", hotline_views.hotline_figures, name="hotline-figures"),
    path("hotline/figures/export/", hotline_views.hotline_figures_export, name="hotline-figures-export"),
    path("roster/", views.roster, name="roster"),
    path("roster/generate/", views.roster_generate, name="roster-generate"),
    path("roster/override/", views.roster_override, name="roster-override"),
    path("roster/export/", views.roster_export, name="roster-export"),
    path("patrol/", views.patrol, name="patrol"),
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/new/", views.inspection_create, name="inspection-create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("stats/", views.stats_page, name="stats"),
    path("stats/trend.json", views.stats_trend, name="stats-trend"),
    path("stats/export/", views.stats_export, name="stats-export"),
]

router = SimpleRouter(trailing_slash=True)
router.register("cases", api.CaseViewSet, basename="case")
router.register("hotline", api.HotlineViewSet, basename="hotline")
router.register("hotline-tasks", api.HotlineTaskViewSet, basename="hotline-task")
api_urlpatterns = [
    path("categories/", api.category_list, name="api-categories"),
    path("grids/", api.grid_list, name="api-grids"),
    path("grids/locate/", api.grid_locate, name="api-grid-locate"),
    path("roster/on-duty/", api.on_duty, name="api-on-duty"),
    path("indicators/", api.indicator_list, name="api-indicators"),
    path("hotline-figures/", api.hotline_figures, name="api-hotline-figures"),
    path("", include(router.urls)),
]

_FMT = r"\.(?P<fmt>[A-Za-z0-9]+)"
open311_urlpatterns = [
    re_path(r"^v2/discovery" + _FMT + "$", open311.discovery, name="discovery"),
    re_path(r"^v2/services" + _FMT + "$", open311.service_list, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]+?)" + _FMT + "$", open311.service_definition, name="service"),
    re_path(r"^v2/requests" + _FMT + "$", open311.requests_view, name="requests"),
    re_path(r"^v2/requests/(?P<request_id>[^/]+?)" + _FMT + "$", open311.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + _FMT + "$", open311.token_detail, name="token"),
    re_path(r"^v2/media/(?P<token>[0-9]+-[0-9a-f]{20})\.jpg$", open311.media, name="media"),
    re_path(r"^v2/?(?P<rest>.*)$", open311.not_found, name="fallback"),
]
