from django.urls import path

from . import views

app_name = "helpline"

urlpatterns = [
    path("", views.call_list, name="calls"),
    path("new/", views.call_new, name="call-new"),
    path("stats/", views.stats, name="stats"),
    path("<int:pk>/", views.call_detail, name="call"),
    path("<int:pk>/reveal/", views.call_reveal, name="call-reveal"),
    path("<int:pk>/<slug:action>/", views.call_act, name="call-act"),
]
api_urlpatterns: list = []
