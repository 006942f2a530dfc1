from django.urls import path

from . import config_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password-change"),
    path("accounts/large-text/", views.large_text, name="large-text"),
    path("accounts/keepalive/", views.keepalive, name="keepalive"),
    path("accounts/otp/", views.otp_verify, name="otp-verify"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-read"),
    path("tree/", views.tree, name="tree"),
    path("tree/grids.geojson", views.grids_geojson, name="grids-geojson"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/import/", views.calendar_import, name="calendar-import"),
    path("calendar/year/", views.calendar_year_edit, name="calendar-year"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/resets/", views.admin_resets, name="admin-resets"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<int:pk>/reset-2fa/", views.user_reset_2fa, name="user-reset-2fa"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user-reset-password"),
    path("operations/", views.operations, name="operations"),
    path("users/<int:pk>/revoke-tokens/", views.user_revoke_tokens, name="user-revoke-tokens"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("config/", config_views.config_index, name="config-index"),
    path("config/<slug:key>/", config_views.config_list, name="config-list"),
    path("config/<slug:key>/new/", config_views.config_create, name="config-create"),
    path("config/<slug:key>/export/", config_views.config_export, name="config-export"),
    path("config/<slug:key>/import/", config_views.config_import, name="config-import"),
    path("config/<slug:key>/<int:pk>/", config_views.config_edit, name="config-edit"),
    path("config/<slug:key>/<int:pk>/delete/", config_views.config_delete, name="config-delete"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ping", views.ping, name="ping"),
]

from . import api  # noqa: E402

api_urlpatterns = [
    path("auth/token/", api.token_obtain, name="api-token"),
    path("auth/logout/", api.logout, name="api-logout"),
    path("auth/tokens/revoke/", api.token_revoke, name="api-token-revoke"),
    path("me/", api.me, name="api-me"),
    path("calendar/add-working-days", api.add_working_days, name="api-add-working-days"),
    path("calendar/count-working-days", api.count_working_days, name="api-count-working-days"),
    path("calendar/add-working-hours", api.add_working_hours, name="api-add-working-hours"),
]
