from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from shequ.acceptance import urls as acceptance_urls
from shequ.core import urls as core_urls
from shequ.core.admin import site as admin_site
from shequ.grid import urls as grid_urls
from shequ.people import urls as people_urls
from shequ.portal import urls as portal_urls

api_v1 = [
    path("", include((core_urls.api_urlpatterns, "core-api"))),
    path("", include((people_urls.api_urlpatterns, "people-api"))),
    path("acceptance/", include((acceptance_urls.api_urlpatterns, "acceptance-api"))),
    path("grid/", include((grid_urls.api_urlpatterns, "grid-api"))),
    path("portal/", include((portal_urls.api_urlpatterns, "portal-api"))),
]

urlpatterns = [
    path("", include(core_urls)),
    path("people/", include(people_urls)),
    path("acceptance/", include(acceptance_urls)),
    path("grid/", include(grid_urls)),
    path("m/", include(portal_urls)),
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
