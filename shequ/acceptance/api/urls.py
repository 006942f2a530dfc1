from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import transfers, views

router = SimpleRouter(trailing_slash=True)
router.register("categories", views.CategoryViewSet, basename="category")
router.register("items", views.ItemViewSet, basename="item")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("windows", views.WindowViewSet, basename="window")
router.register("cases", views.CaseViewSet, basename="case")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("rectifications", views.RectificationViewSet, basename="rectification")
router.register("archive-requests", views.ArchiveRequestViewSet, basename="archive-request")
router.register("transfers", transfers.TransferViewSet, basename="transfer")
router.register("transfer-batches", transfers.TransferBatchViewSet, basename="transfer-batch")
urlpatterns = [path("", include(router.urls))]
