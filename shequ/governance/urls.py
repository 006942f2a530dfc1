from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "governance"

urlpatterns = [
    path("", views.meeting_list, name="meeting-list"),
    path("committees/", views.committee_list, name="committee-list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee-detail"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/follow-up/", views.meeting_follow_up, name="meeting-follow-up"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_pdf, name="meeting-pdf"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/<str:action>/", views.task_act, name="task-act"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/new/", views.problem_new, name="problem-new"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/chart/", views.problem_chart, name="problem-chart"),
    path("problems/<int:pk>/<str:action>/", views.problem_act, name="problem-act"),
]

router = SimpleRouter(trailing_slash=True)
router.register("tasks", api.TaskViewSet, basename="task")
router.register("problems", api.ProblemViewSet, basename="problem")
api_urlpatterns = [path("", include(router.urls))]
