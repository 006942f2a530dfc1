from django.urls import path

from . import api, views

app_name = "portal"

urlpatterns = [
    path("", views.landing, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("signup/", views.signup, name="signup"),
    path("signup/code/", views.signup_code, name="signup-code"),
    path("bind/", views.bind, name="bind"),
    path("bind/withdraw/", views.unbind, name="unbind"),
    path("book/", views.book, name="book"),
    path("book/<int:pk>/", views.book_slot, name="book-slot"),
    path("appointments/", views.appointment_list, name="appointments"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("report/", views.report_new, name="report-new"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/photos/<int:photo_pk>/", views.report_photo, name="report-photo"),
    path("grids.geojson", views.grids_geojson, name="grids-geojson"),
    path("mine/", views.mine, name="mine"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("lookup/", views.lookup, name="lookup"),
    path("notices/", views.notices, name="notices"),
    path("due/", views.due, name="due"),
    path("family/", views.family, name="family"),
    path("kiosk/check-in/", views.kiosk_check_in, name="kiosk-check-in"),
    path("manage/slots/", views.slots_manage, name="slots-manage"),
]

api_urlpatterns = [
    path("slots/", api.slots, name="slots"),
    path("appointments/", api.appointments, name="appointments"),
    path("appointments/<int:pk>/", api.appointment_detail, name="appointment-detail"),
    path("reports/", api.reports, name="reports"),
]
