from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from shequ.acceptance import urls as acceptance_urls
from shequ.charity import urls as charity_urls
from shequ.core import urls as core_urls
from shequ.core.admin import site as admin_site
from shequ.eldercare import urls as eldercare_urls
from shequ.events import urls as events_urls
from shequ.facilities import urls as facilities_urls
from shequ.evaluators import urls as evaluators_urls
from shequ.governance import urls as governance_urls
from shequ.grid import urls as grid_urls
from shequ.health import urls as health_urls
from shequ.helpline import urls as helpline_urls
from shequ.people import urls as people_urls
from shequ.portal import urls as portal_urls
from shequ.cockpit import urls as cockpit_urls
from shequ.socialorgs import urls as socialorgs_urls
from shequ.targets import urls as targets_urls
from shequ.volunteers import urls as volunteers_urls

api_v1 = [
    path("", include((core_urls.api_urlpatterns, "core-api"))),
    path("", include((people_urls.api_urlpatterns, "people-api"))),
    path("acceptance/", include((acceptance_urls.api_urlpatterns, "acceptance-api"))),
    path("grid/", include((grid_urls.api_urlpatterns, "grid-api"))),
    path("portal/", include((portal_urls.api_urlpatterns, "portal-api"))),
    path("facilities/", include((facilities_urls.api_urlpatterns, "facilities-api"))),
    path("eldercare/", include((eldercare_urls.api_urlpatterns, "eldercare-api"))),
    path("health/", include((health_urls.api_urlpatterns, "health-api"))),
    path("charity/", include((charity_urls.api_urlpatterns, "charity-api"))),
    path("helpline/", include((helpline_urls.api_urlpatterns, "helpline-api"))),
    path("volunteers/", include((volunteers_urls.api_urlpatterns, "volunteers-api"))),
    path("socialorgs/", include((socialorgs_urls.api_urlpatterns, "socialorgs-api"))),
    path("targets/", include((targets_urls.api_urlpatterns, "targets-api"))),
    path("events/", include((events_urls.api_urlpatterns, "events-api"))),
    path("governance/", include((governance_urls.api_urlpatterns, "governance-api"))),
    path("cockpit/", include((cockpit_urls.api_urlpatterns, "cockpit-api"))),
    path("reports/", include((cockpit_urls.reports_api_urlpatterns, "reports-api"))),
]

urlpatterns = [
    path("", include(core_urls)),
    path("people/", include(people_urls)),
    path("acceptance/", include(acceptance_urls)),
    path("grid/", include(grid_urls)),
    path("m/", include(portal_urls)),
    path("facilities/", include(facilities_urls)),
    path("eldercare/", include(eldercare_urls)),
    path("health/", include(health_urls)),
    path("charity/", include(charity_urls)),
    path("helpline/", include(helpline_urls)),
    path("volunteers/", include(volunteers_urls)),
    path("socialorgs/", include(socialorgs_urls)),
    path("targets/", include(targets_urls)),
    path("events/", include(events_urls)),
    path("governance/", include(governance_urls)),
    path("inspect/", include(evaluators_urls)),
    path("cockpit/", include(cockpit_urls)),
    path("api/v1/", include(api_v1)),
    path("open311/", include((grid_urls.open311_urlpatterns, "open311"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("system/", admin_site.urls),
]

handler400 = "shequ.core.views.error_400"
handler403 = "shequ.core.views.error_403"
handler404 = "shequ.core.views.error_404"
handler500 = "shequ.core.views.error_500"
