"""Reads of the acceptance centre, scoped to the user's jurisdiction (objects outside it are 404)."""

from .cases import (BACKOFFICE_BUCKETS, backoffice_filter_search, backoffice_pending, backoffice_queue, case_by_public_code,  # noqa: F401
                    case_filter_backoffice_bucket, case_get, case_light,
                    case_filter_light, case_filter_received, case_filter_search, case_filter_status, case_list,
                    case_queryset, count_backoffice, count_due_soon, count_notified, count_overdue,
                    count_to_deliver, decided_awaiting_completion, due_soon, keyset_page, overdue, rongque_late)
from .committees import committee_figures, month_totals, received_by_month  # noqa: F401
from .figures import clerk_sheet, figures, review_rate, today_figures, totals  # noqa: F401
from .other import (archive_get, archive_list, archive_log_list, catalogue_filter_search, catalogue_list,  # noqa: F401
                    count_open_rectifications,
                    count_waiting, device_list, item_for_intake, item_get, item_use_counts, rectification_get, rectification_list, review_list)
from .queue import (active_ticket, no_show_today, people_ahead, queue_state, recent_calls,  # noqa: F401
                    recent_tickets, ticket_estimate, ticket_get, window_get, window_get_by_pk, window_states,
                    windows_for)
from .staff_files import (certifications_of, clerk_get, staff_rows, training_get, training_list,  # noqa: F401
                          trainings_of, year_summary)
from .transfers import (batch_get, batch_list, batch_transfers, count_transfers_waiting,  # noqa: F401
                        transfer_filter_created, transfer_filter_direction, transfer_filter_home,
                        transfer_filter_status, transfer_get, transfer_list, transfer_of_case, transfers_to_send)
