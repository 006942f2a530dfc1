"""Reads of 为老服务, scoped (see `common`). Other modules use these names only."""

from .carehome import (application_get, carehome_choices, application_list, bed_list, carehome_facilities, occupancy, priority,
                       waiting_list)
from .common import resident_for_staff
from .daycare import (attendance_day, attendance_flagged, attendance_get, daycare_enrolment_get,
                      daycare_enrolment_list, daycare_facilities, incident_list, monthly_statement)
from .meals import (active_enrolment, canteen_choices, canteen_get, canteen_managed, delivery_list, eligible_tiers,
                    enrolment_get, enrolment_list, kitchen_count, month_bounds, order_get, order_list,
                    orders_of_residents, settlement_figures, settlement_get, settlement_list, settlements_all,
                    tier_rules)

__all__ = [
    "active_enrolment", "application_get", "application_list", "attendance_day", "attendance_flagged",
    "attendance_get", "bed_list", "canteen_choices", "carehome_choices", "canteen_get", "canteen_managed", "carehome_facilities",
    "daycare_enrolment_get", "daycare_enrolment_list", "daycare_facilities", "delivery_list", "eligible_tiers",
    "enrolment_get", "enrolment_list", "incident_list", "kitchen_count", "month_bounds", "monthly_statement",
    "occupancy", "order_get", "order_list", "orders_of_residents", "priority", "resident_for_staff",
    "settlement_figures", "settlement_get", "settlement_list", "settlements_all", "tier_rules", "waiting_list",
]
