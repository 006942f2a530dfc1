"""Writes of the 大联动 module: one module per area, one `<entity>_<action>` function per write. The public names
are re-exported here (`from shequ.grid import services; services.case_report(...)`)."""

from .common import (  # noqa: F401
    ActionForbidden, CaseNotFound, subdistrict_of, sole_subdistrict, actor_name, clean_photos, active_category,
    locate, require_text)
from .cases import (  # noqa: F401
    report_sources, case_report, suggest_duplicates, case_send_verify, case_verify_ok, case_verify_false, case_file,
    case_void, case_merge, case_dispatch, case_redispatch, case_sign, case_request_return, case_approve_return,
    case_reject_return, case_escalate, case_feedback, case_check_pass, case_check_fail, case_close, case_evaluate,
    case_request_extension, case_approve_extension, case_reject_extension, case_request_park, case_approve_park,
    case_reject_park, case_unpark, case_self_handle, case_note, case_transition, cases_reassign_grids)
from .hotline import (  # noqa: F401
    hotline_receive, hotline_import, hotline_sign, hotline_return, hotline_extend, hotline_reply, hotline_visit,
    hotline_reopen, hotline_merge, hotline_contact, hotline_approve_return, hotline_reject_return,
    hotline_approve_extend, hotline_reject_extend, hotline_record_decision, hotline_assign, hotline_task_finish,
    hotline_task_cancel)
from .roster import (  # noqa: F401
    active_pattern, roster_generate, roster_override_set, patrol_start, patrol_checkin, patrol_end)
from .supervision import inspection_create  # noqa: F401
from .grids import grids_import_geojson, grid_add_responsible, grid_add_building  # noqa: F401
from .open311 import open311_client_issue, open311_client_for_key  # noqa: F401
from ..selectors import acting_unit, shift_for  # noqa: F401  (read here by older callers)
