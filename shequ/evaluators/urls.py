from django.urls import path

from . import views

app_name = "evaluators"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.schedule, name="schedule"),
    path("composite/", views.composite, name="composite"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]

api_urlpatterns: list = []
