"""Every write of the acceptance centre. Views and the API call these functions and nothing else writes."""

from .archives import (archive_issue, archive_log, archive_record_result, archive_record_view,  # noqa: F401
                       archive_request_create, refusal_reason)
from .cases import (DOCUMENTS, case_accept, case_approve, case_claim, case_complete, case_deliver,  # noqa: F401
                    case_intake, case_print, case_record_view, case_refuse, case_reject, case_resubmit, case_return,
                    case_rongque, case_supplement, case_terminate, documents_available, due_dates,
                    case_recompute_provisional, due_preview, item_situations, case_lapse_rongque, cases_lapse_rongque)
from .catalogue import category_save, item_save  # noqa: F401
from .common import centre_for, next_number  # noqa: F401
from .devices import device_create, device_from_token, device_new_code, device_pair, device_revoke  # noqa: F401
from .queue import (expire_stale, safe_call_next, ticket_issue, ticket_requeue, window_call_next,  # noqa: F401
                    window_finish, window_no_show, window_recall, window_set_paused, window_sign_in,
                    window_sign_out, window_start, window_transfer)
from .reviews import may_handle, rectification_act, review_submit  # noqa: F401
from .staff import rota_copy_week, rota_set, skills_set, window_save  # noqa: F401
from .training import (certification_revoke, certified_categories, clerk_file_save, may_sit_at,  # noqa: F401
                       training_record, training_save, window_main_category)
from .transfers import (batch_create, batch_print, home_centre_choices, item_flag_conflicts,  # noqa: F401
                        transfer_cancel, transfer_receive, transfer_return_result, transfer_review, transfer_send)
