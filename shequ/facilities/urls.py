from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "facilities"

urlpatterns = [
    path("", views.facility_list, name="facility-list"),
    path("today/", views.today, name="today"),
    path("new/", views.facility_create, name="facility-create"),
    path("<int:pk>/", views.facility_detail, name="facility-detail"),
    path("<int:pk>/edit/", views.facility_edit, name="facility-edit"),
    path("<int:pk>/hours/", views.hours_edit, name="hours-edit"),
    path("<int:pk>/staff/", views.facility_staff, name="facility-staff"),
    path("staff/<int:pk>/remove/", views.facility_staff_remove, name="facility-staff-remove"),
    path("bookings/export.xlsx", views.booking_export, name="booking-export"),
    path("<int:pk>/closures/new/", views.closure_create, name="closure-create"),
    path("closures/<int:pk>/delete/", views.closure_delete, name="closure-delete"),
    path("<int:pk>/rooms/new/", views.room_create, name="room-create"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room-edit"),
    path("bookings/", views.booking_list, name="booking-list"),
    path("bookings/new/", views.booking_new, name="booking-new"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action, name="booking-action"),
    path("usage/", views.usage, name="usage"),
    path("m/", views.m_rooms, name="m-rooms"),
    path("m/rooms/<int:pk>/", views.m_book, name="m-book"),
    path("m/bookings/<int:pk>/cancel/", views.m_cancel, name="m-cancel"),
]

router = SimpleRouter(trailing_slash=True)
router.register("rooms", api.RoomViewSet, basename="room")
router.register("bookings", api.BookingViewSet, basename="booking")
api_urlpatterns = [path("", include(router.urls))]
