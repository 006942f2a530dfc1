from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=True)
router.register("categories", views.CategoryViewSet, basename="category")
router.register("items", views.ItemViewSet, basename="item")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("windows", views.WindowViewSet, basename="window")
router.register("cases", views.CaseViewSet, basename="case")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("rectifications", views.RectificationViewSet, basename="rectification")
router.register("archive-requests", views.ArchiveRequestViewSet, basename="archive-request")
urlpatterns = [path("", include(router.urls))]
