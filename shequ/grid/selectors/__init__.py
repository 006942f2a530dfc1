"""Reads of the 大联动 module, always within what the user may see: one module per area. The public names are
re-exported here (`from shequ.grid import selectors; selectors.case_list(...)`)."""

from .cases import (  # noqa: F401
    acting_unit, is_unit_handler, case_base, case_list, case_get, case_timeline, pending_extension, pending_park,
    desk_queues,
    suggested_units, dispatch_queue, dispatchable_units, unit_queues, station_local_reports, inspector_tasks,
    case_points)
from .evaluation import evaluation_indicators, evaluation_total  # noqa: F401
from .figures import hotline_rates, indicators, open_by_committee  # noqa: F401
from .grids import categories, police_items, grid_nodes, grid_get, grid_features  # noqa: F401
from .hotline import (hotline_list, hotline_get, hotline_reply_draft, hotline_requests, hotline_request_queue,  # noqa: F401
                      hotline_tasks_for, hotline_task_get, hotline_assignees)
from .hotline_figures import RATES as HOTLINE_RATES, hotline_figures, hotline_figures_table  # noqa: F401
from .roster import (  # noqa: F401
    shift_types, shift_pattern, shift_for, team_shift, current_shift_code, current_shift, member_shift, on_duty,
    roster_month,
    team_members, shift_label, team_member_of, patrol_logs, patrol_current)
from .supervision import (inspection_full_points, inspection_get, inspection_list, inspection_scores,  # noqa: F401
                          inspection_sheet_layout, inspection_sheets, sheet_target)
