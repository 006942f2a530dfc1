"""Writes of 为老服务. Other modules (the 96980 hotline) call these names only."""

from .carehome import (application_admit, application_assess, application_create, application_queue,
                       application_withdraw, bed_create)
from .daycare import attendance_leave, attendance_record, daycare_enrol, incident_create
from .meals import (meal_enrol, meal_enrolment_end, meal_order_cancel, meal_order_create, meal_orders_create_range,
                    order_deadline, settlement_approve, settlement_compute, settlement_pay)

__all__ = [
    "application_admit", "application_assess", "application_create", "application_queue", "application_withdraw",
    "attendance_leave", "attendance_record", "bed_create", "daycare_enrol", "incident_create", "meal_enrol",
    "meal_enrolment_end", "meal_order_cancel", "meal_order_create", "meal_orders_create_range", "order_deadline",
    "settlement_approve", "settlement_compute", "settlement_pay",
]
