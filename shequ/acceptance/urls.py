from django.urls import path

from . import views
from .api import urls as api_urls

app_name = "acceptance"

urlpatterns = [
    path("", views.home, name="home"),
    # queue: the clerk's window, the kiosk and the screens
    path("window/", views.window_select, name="window-select"),
    path("window/<int:number>/", views.window_console, name="window-console"),
    path("window/<int:number>/queue/", views.window_queue, name="window-queue"),
    path("window/<int:number>/transfer/", views.window_transfer, name="window-transfer"),
    path("window/<int:number>/sign/<str:what>/", views.window_sign, name="window-sign"),
    path("window/<int:number>/<str:action>/", views.window_action, name="window-action"),
    path("tickets/<int:pk>/requeue/", views.ticket_requeue, name="ticket-requeue"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/ticket/<str:token>/", views.kiosk_ticket, name="kiosk-ticket"),
    path("kiosk/ticket/<str:token>/pdf/", views.kiosk_ticket_pdf, name="kiosk-ticket-pdf"),
    path("display/hall/", views.hall_display, name="hall-display"),
    path("display/window/<int:number>/", views.window_display, name="window-display"),
    path("display/window/<int:number>/review/", views.window_display_review, name="window-display-review"),
    path("device/pair/", views.device_pair, name="device-pair"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<int:pk>/code/", views.device_code, name="device-code"),
    path("devices/<int:pk>/revoke/", views.device_revoke, name="device-revoke"),
    # cases
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_intake, name="case-intake"),
    path("cases/new/materials/", views.item_materials, name="item-materials"),
    path("cases/new/applicants/", views.applicant_search, name="applicant-search"),
    path("cases/new/applicants/<int:pk>/", views.applicant_pick, name="applicant-pick"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<str:action>/", views.case_action, name="case-action"),
    path("cases/<int:pk>/pdf/<str:kind>/", views.case_pdf, name="case-pdf"),
    path("backoffice/", views.backoffice, name="backoffice"),
    path("overdue/", views.overdue, name="overdue"),
    # catalogue
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.item_edit, name="item-create"),
    path("catalogue/export/", views.catalogue_export, name="catalogue-export"),
    path("catalogue/import/", views.catalogue_import, name="catalogue-import"),
    path("catalogue/import/template/", views.catalogue_template, name="catalogue-template"),
    path("catalogue/import/<int:pk>/", views.catalogue_import_result, name="catalogue-import-result"),
    path("catalogue/categories/", views.categories, name="categories"),
    path("catalogue/categories/<int:pk>/", views.categories, name="category-edit"),
    path("catalogue/<int:pk>/", views.item_detail, name="item-detail"),
    path("catalogue/<int:pk>/edit/", views.item_edit, name="item-edit"),
    # reviews
    path("review/", views.public_review, name="public-review"),
    path("reviews/", views.review_list, name="review-list"),
    path("rectifications/", views.rectification_list, name="rectification-list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("rectifications/<int:pk>/<str:action>/", views.rectification_action, name="rectification-action"),
    # staff and assessment
    path("windows/", views.windows, name="windows"),
    path("windows/new/", views.window_edit, name="window-create"),
    path("windows/<int:pk>/edit/", views.window_edit, name="window-edit"),
    path("rota/", views.rota, name="rota"),
    path("rota/set/", views.rota_set, name="rota-set"),
    path("rota/copy/", views.rota_copy, name="rota-copy"),
    path("skills/", views.skills, name="skills"),
    path("skills/<int:user_id>/", views.skills_edit, name="skills-edit"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:user_id>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:user_id>/edit/", views.staff_edit, name="staff-edit"),
    path("staff/<int:user_id>/year.xlsx", views.staff_year_export, name="staff-year-export"),
    path("certifications/<int:pk>/revoke/", views.certification_revoke, name="certification-revoke"),
    path("trainings/", views.training_list, name="training-list"),
    path("trainings/new/", views.training_new, name="training-new"),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
    path("figures/", views.figures, name="figures"),
    path("figures/assessment/", views.assessment_export, name="assessment-export"),
    path("figures/rules/", views.score_rules, name="score-rules"),
    path("dashboard/", views.dashboard, name="dashboard"),
    # 全市通办 transfers (收受分离)
    path("transfers/", views.transfer_list, name="transfer-list"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("transfers/<int:pk>/act/<str:action>/", views.transfer_action, name="transfer-action"),
    path("transfers/batches/new/", views.batch_new, name="transfer-batch-new"),
    path("transfers/batches/<int:pk>/", views.batch_detail, name="transfer-batch"),
    path("transfers/batches/<int:pk>/pdf/", views.batch_pdf, name="transfer-batch-pdf"),
    # 民生档案
    path("archives/", views.archive_list, name="archive-list"),
    path("archives/new/", views.archive_new, name="archive-new"),
    path("archives/log/", views.archive_log, name="archive-log"),
    path("archives/<int:pk>/", views.archive_detail, name="archive-detail"),
    path("archives/<int:pk>/<str:action>/", views.archive_action, name="archive-action"),
]

api_urlpatterns = api_urls.urlpatterns
