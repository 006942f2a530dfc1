"""The acceptance API's serializers: explicit fields, the same names and shapes as the published contract."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from shequ.core.api_fields import ChoiceLabelField
from shequ.core.inputs import BoundedSerializerDateField
from shequ.core import api_fields

from .. import selectors, services
from ..workflows import archive_available_actions, case_available_actions
from ..choices import (ARCHIVE_TYPE_CHOICES, CASE_EVENT_LABELS, ArchiveRelation, CallbackResult, CaseDecision,
                       ContactMethod, IdCheck, PriorityReason, Recipient)
from ..models import ArchiveRequest, Case, QueueCategory, Rectification, Review, ServiceItem, Ticket, Window


# --- catalogue ----------------------------------------------------------------------------------------------


class TicketCategorySerializer(api_fields.ModelSerializer):
    class Meta:
        model = QueueCategory
        fields = ["letter", "name", "description", "default_service_minutes"]
        read_only_fields = fields


class MaterialSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_key = serializers.BooleanField()
    original_required = serializers.BooleanField()
    copies = serializers.IntegerField()
    note = serializers.CharField()
    condition = serializers.CharField(help_text="适用情形：非空时仅在申报该情形时需要（受理时的 situations）")


class ItemSerializer(api_fields.ModelSerializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    queue_category = serializers.CharField(source="queue_category.letter")
    materials = MaterialSerializer(many=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "department", "department_name", "category", "queue_category", "mode",
                  "limit_days", "legal_limit_days", "tongban", "separated", "agent_allowed", "agent_note", "fee",
                  "fee_note", "online", "conditions", "materials"]
        read_only_fields = fields


# --- queue --------------------------------------------------------------------------------------------------


class TicketSerializer(api_fields.ModelSerializer):
    category = serializers.CharField(source="category.letter")
    category_name = serializers.CharField(source="category.name")
    window = serializers.IntegerField(source="window.number", default=None, allow_null=True)
    priority_reason = serializers.ChoiceField(choices=PriorityReason.choices, allow_blank=True, read_only=True)
    people_ahead = serializers.SerializerMethodField()
    estimated_wait_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "number", "category", "category_name", "priority", "priority_reason", "status", "day",
                  "issued_at", "called_at", "started_at", "finished_at", "window", "call_count", "people_ahead",
                  "estimated_wait_minutes"]
        read_only_fields = fields

    def get_people_ahead(self, obj) -> int:
        return selectors.people_ahead(obj)

    def get_estimated_wait_minutes(self, obj) -> int:
        return selectors.ticket_estimate(obj)


class TicketCreateSerializer(api_fields.Serializer):
    category = serializers.CharField(max_length=4, help_text="取号类别字母，如 A")
    priority = serializers.BooleanField(default=False, help_text="优先（老年人、残疾人等绿色通道）")
    priority_reason = serializers.ChoiceField(choices=PriorityReason.choices, required=False, allow_blank=True)


class WindowSerializer(api_fields.ModelSerializer):
    clerk = serializers.CharField(source="current_clerk.display_name", default=None, allow_null=True)
    categories = serializers.SerializerMethodField()
    current_ticket = serializers.SerializerMethodField()

    class Meta:
        model = Window
        fields = ["id", "number", "name", "is_paused", "clerk", "categories", "current_ticket"]
        read_only_fields = fields

    def get_categories(self, obj) -> list[str]:
        return [s.category.letter for s in obj.skills.select_related("category")]

    def get_current_ticket(self, obj) -> dict | None:
        ticket = selectors.active_ticket(obj)
        return TicketSerializer(ticket).data if ticket else None


class ExpectedSerializer(api_fields.Serializer):
    expected = serializers.IntegerField(required=False, help_text="当前号的 id，防止在过期页面上操作")


class TransferSerializer(ExpectedSerializer):
    to_window = serializers.IntegerField(required=False, help_text="目标窗口号")
    to_category = serializers.CharField(required=False, max_length=1, help_text="目标类别字母")
    note = serializers.CharField(required=False, allow_blank=True, max_length=100)


# --- cases --------------------------------------------------------------------------------------------------


class AcceptanceCaseSerializer(api_fields.ModelSerializer):
    item = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    department = serializers.CharField(source="department.code")
    status_label = ChoiceLabelField(Case._meta.get_field("status").choices, source="status")
    applicant_id = serializers.CharField(source="applicant_id_masked")
    light = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "status", "status_label", "item", "item_name", "department", "applicant_name",
                  "applicant_id", "agent_name", "received_at", "accepted_at", "clock_start", "warn_date", "due_date",
                  "due_provisional", "light", "rongque_pending", "rongque_deadline", "completed_at", "on_time", "delivered_at"]
        read_only_fields = fields

    def get_light(self, obj) -> str:
        return selectors.case_light(obj)


class AcceptanceCaseMaterialSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_key = serializers.BooleanField()
    provided = serializers.BooleanField()
    supplemented = serializers.BooleanField()
    requested_by_backoffice = serializers.BooleanField()


class AcceptanceCaseEventSerializer(api_fields.Serializer):
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    note = serializers.CharField()

    def get_label(self, obj) -> str:
        return str(CASE_EVENT_LABELS.get(obj.action, obj.action))


class AcceptanceCaseDetailSerializer(AcceptanceCaseSerializer):
    ticket = serializers.CharField(source="ticket.number", default=None, allow_null=True)
    delivered_to = serializers.ChoiceField(choices=Recipient.choices, allow_blank=True, read_only=True)
    materials = AcceptanceCaseMaterialSerializer(many=True)
    events = AcceptanceCaseEventSerializer(many=True)
    documents = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="the steps the caller may take now (the declared workflow, `acceptance/workflows.py`)")

    class Meta(AcceptanceCaseSerializer.Meta):
        fields = AcceptanceCaseSerializer.Meta.fields + ["situations", "check_code", "ticket", "decision_reason",
                                                         "closing_reason",
                                               "result_note", "delivered_to", "recipient_name", "materials",
                                               "events", "documents", "actions"]
        read_only_fields = fields

    def get_documents(self, obj) -> list[str]:
        return services.documents_available(obj)

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return case_available_actions(request.user, obj) if request is not None else []


class PersonSerializer(api_fields.Serializer):
    name = serializers.CharField(max_length=32)
    id_number = serializers.CharField(max_length=18)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AgentSerializer(PersonSerializer):
    relation = serializers.CharField(max_length=16)
    authorized = serializers.BooleanField(default=False, help_text="已核验授权委托书")


class HomeSerializer(api_fields.Serializer):
    node = serializers.IntegerField(required=False, allow_null=True, help_text="本区街道节点 id")
    outside = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text="外区受理中心名称")


class AcceptanceCaseCreateSerializer(api_fields.Serializer):
    item = serializers.CharField(max_length=32, help_text="事项编码")
    decision = serializers.ChoiceField(choices=CaseDecision.choices)
    applicant_resident = serializers.IntegerField(required=False, help_text="居民库中的居民 id（须在管辖范围内）")
    applicant = PersonSerializer(required=False, help_text="不在居民库中的申请人")
    agent = AgentSerializer(required=False)
    ticket = serializers.IntegerField(required=False, help_text="当天的排队号 id")
    materials = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=100,
                                      help_text="已收取的材料 id")
    situations = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20,
                                       help_text="申请人适用的情形（事项材料的 condition）；只有这些情形的材料计入清单")
    rongque_deadline = BoundedSerializerDateField(required=False)
    promise_signed = serializers.BooleanField(default=False)
    reasons = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    home = HomeSerializer(required=False, help_text="申请人户籍地/居住地（居民库无登记时）：本区街道 id 或外区中心名称")

    def validate_item(self, code):
        item = selectors.item_for_intake(code=code)
        if item is None:
            raise serializers.ValidationError(_("未知的事项编码 %(c)s。") % {"c": code[:32]})
        return item

    def validate(self, attrs):
        if attrs.get("applicant_resident") is None and not attrs.get("applicant"):
            raise serializers.ValidationError({"applicant": [_("请提供 applicant_resident 或 applicant。")]})
        return attrs


class SupplementSerializer(api_fields.Serializer):
    materials = serializers.ListField(child=serializers.IntegerField(), max_length=100)


class RongqueSerializer(api_fields.Serializer):
    rongque_deadline = BoundedSerializerDateField()
    promise_signed = serializers.BooleanField(default=False)


class ReasonsSerializer(api_fields.Serializer):
    reasons = serializers.CharField(max_length=1000)


class ReasonSerializer(api_fields.Serializer):
    reason = serializers.CharField(max_length=1000)


class ReturnSerializer(ReasonSerializer):
    materials = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=30)
    second_reason = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                          help_text="再次退回补正的理由（第二次起必填，由受理大厅主管办理）")


class NoteSerializer(api_fields.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class CompleteSerializer(api_fields.Serializer):
    result_note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DeliverSerializer(api_fields.Serializer):
    to = serializers.ChoiceField(choices=Recipient.choices)
    id_check = serializers.ChoiceField(choices=IdCheck.choices)
    recipient_name = serializers.CharField(required=False, allow_blank=True, max_length=32)
    recipient_id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)
    authorized = serializers.BooleanField(default=False)


# --- reviews and rectification ------------------------------------------------------------------------------


class ReviewSerializer(api_fields.ModelSerializer):
    case = serializers.CharField(source="case.number", default=None, allow_null=True)
    ticket = serializers.CharField(source="ticket.number", default=None, allow_null=True)
    window = serializers.IntegerField(source="window.number", default=None, allow_null=True)

    class Meta:
        model = Review
        fields = ["id", "case", "ticket", "window", "score", "tags", "comment", "channel", "created_at"]
        read_only_fields = fields


class ReviewCreateSerializer(api_fields.Serializer):
    case = serializers.CharField(max_length=20, required=False, help_text="办件编号")
    ticket = serializers.IntegerField(required=False, help_text="当天排队号 id")
    score = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=10)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class RectificationSerializer(api_fields.ModelSerializer):
    review = ReviewSerializer()
    department = serializers.CharField(source="department.code", default=None, allow_null=True)
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices, allow_blank=True, read_only=True)
    callback_result = serializers.ChoiceField(choices=CallbackResult.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Rectification
        fields = ["id", "review", "department", "status", "complexity", "contact_deadline", "deadline",
                  "deadline_note", "contacted_at", "contact_method", "contact_note", "measures", "rectified_at",
                  "callback_at", "callback_result", "callback_note", "appeal_reason", "closed_at", "created_at"]
        read_only_fields = fields


class RectificationStepSerializer(api_fields.Serializer):
    note = serializers.CharField(max_length=2000)
    contact_method = serializers.CharField(required=False, allow_blank=True, max_length=10)
    complexity = serializers.CharField(required=False, allow_blank=True, max_length=10)
    callback_result = serializers.CharField(required=False, allow_blank=True, max_length=12)


# --- 民生档案 ---------------------------------------------------------------------------------------------------


class ArchiveRequestSerializer(api_fields.ModelSerializer):
    actions = serializers.SerializerMethodField(
        help_text="the steps the caller may take now (the declared workflow, `acceptance/workflows.py`)")

    class Meta:
        model = ArchiveRequest
        fields = ["id", "number", "record_type", "requester_name", "requester_id_masked", "relation", "subject_name",
                  "id_check", "purpose", "status", "refusal_reason", "file_reference", "result_note", "pages",
                  "copies", "created_at", "result_at", "issued_at", "actions"]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return archive_available_actions(request.user, obj) if request is not None else []


class ArchiveCreateSerializer(api_fields.Serializer):
    record_type = serializers.ChoiceField(choices=ARCHIVE_TYPE_CHOICES)
    relation = serializers.ChoiceField(choices=ArchiveRelation.choices)
    id_check = serializers.ChoiceField(choices=IdCheck.choices)
    purpose = serializers.CharField(max_length=100)
    requester_resident = serializers.IntegerField(required=False)
    requester = PersonSerializer(required=False)
    subject_name = serializers.CharField(required=False, allow_blank=True, max_length=32)
    subject_id_number = serializers.CharField(required=False, allow_blank=True, max_length=18)


class ArchiveResultSerializer(api_fields.Serializer):
    found = serializers.BooleanField()
    file_reference = serializers.CharField(required=False, allow_blank=True, max_length=64)
    pages = serializers.IntegerField(required=False, min_value=0, max_value=500, default=0)
    result_note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ArchiveIssueSerializer(api_fields.Serializer):
    copies = serializers.IntegerField(min_value=1, max_value=10)
