"""HTML views of the acceptance centre. Each parses input, calls one service or selector and renders."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .archives import archive_action, archive_detail, archive_list, archive_log, archive_new  # noqa: F401
from .cases import (applicant_pick, applicant_search, backoffice, case_action, case_detail, case_intake,  # noqa: F401
                    case_list, case_pdf, item_materials, overdue)
from .catalogue import (catalogue, catalogue_export, catalogue_import, catalogue_import_result,  # noqa: F401
                        categories,
                        catalogue_template, item_detail, item_edit)
from .reviews import (public_review, rectification_action, rectification_detail, rectification_list,  # noqa: F401
                      review_list)
from .screens import (device_code, device_list, device_pair, device_revoke, hall_display, kiosk,  # noqa: F401
                      kiosk_ticket, kiosk_ticket_pdf, window_display, window_display_review)
from .staff import (assessment_export, dashboard, figures, rota, rota_copy, rota_set, score_rules,  # noqa: F401
                    skills, skills_edit, window_edit, windows)
from .training import (certification_revoke, staff_detail, staff_edit, staff_list, staff_year_export,  # noqa: F401
                       training_detail, training_list, training_new)
from .transfers import (batch_detail, batch_new, batch_pdf, transfer_action, transfer_detail,  # noqa: F401
                        transfer_list)
from .window import (ticket_requeue, window_action, window_console, window_queue, window_select,  # noqa: F401
                     window_sign, window_transfer)


@login_required
def home(request):
    """The module's landing page for each role."""
    user = request.user
    for capability, target in (("acceptance.supervise", "acceptance:dashboard"),
                               ("acceptance.window", "acceptance:window-select"),
                               ("acceptance.backoffice", "acceptance:backoffice"),
                               ("acceptance.dashboard", "acceptance:dashboard"),
                               ("acceptance.case_view", "acceptance:case-list"),
                               ("core.read_audit", "acceptance:archive-log")):
        if user.can(capability):
            return redirect(target)
    return redirect("acceptance:public-review")
