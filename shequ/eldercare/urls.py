from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "eldercare"

urlpatterns = [
    path("", views.enrolment_list, name="enrolments"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order-cancel"),
    path("kitchen/", views.kitchen, name="kitchen"),
    path("kitchen/delivery/", views.delivery, name="delivery"),
    path("settlements/", views.settlement_list, name="settlements"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement"),
    path("settlements/<int:pk>/export.xlsx", views.settlement_xlsx, name="settlement-xlsx"),
    path("settlements/<int:pk>/export.pdf", views.settlement_pdf, name="settlement-pdf"),
    path("settlements/<int:pk>/<str:name>/", views.settlement_action, name="settlement-action"),
    path("daycare/", views.daycare, name="daycare"),
    path("daycare/enrol/", views.daycare_enrol, name="daycare-enrol"),
    path("daycare/<int:pk>/", views.daycare_person, name="daycare-person"),
    path("daycare/<int:pk>/attendance/", views.attendance_new, name="attendance-new"),
    path("daycare/<int:pk>/incident/", views.incident_new, name="incident-new"),
    path("daycare/health.xlsx", views.health_export, name="health-export"),
    path("carehome/", views.carehome, name="carehome"),
    path("carehome/apply/", views.carehome_apply, name="carehome-apply"),
    path("carehome/<int:pk>/", views.application_detail, name="application"),
    path("carehome/<int:pk>/<str:name>/", views.application_action, name="application-action"),
    path("m/", views.m_meals, name="m-meals"),
    path("m/<int:pk>/cancel/", views.m_cancel, name="m-cancel"),
]

router = SimpleRouter(trailing_slash=True)
router.register("meal-orders", api.MealOrderViewSet, basename="meal-order")
router.register("kitchen-count", api.KitchenCountViewSet, basename="kitchen-count")
api_urlpatterns = [path("", include(router.urls))]
