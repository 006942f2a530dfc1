"""Forms of the acceptance centre. They parse input; the rules live in the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.inputs import BoundedDateField
from shequ.core.models import Department

from .choices import (ARCHIVE_TYPE_CHOICES, REJECT_REASONS, REVIEW_TAGS, TERMINATE_REASONS, ArchiveRelation,
                      CallbackResult, CaseDecision, Complexity, ContactMethod, DeviceKind, IdCheck,
                      ContractType, ItemMode, PostLevel, PriorityReason, Recipient, Score, SkillLevel)
from .models import QueueCategory, ServiceItem, Window

DATE = {"type": "date"}


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.queue_category.letter} · {obj.name}（{obj.department.short_name}）"


class ItemSelect(forms.Select):
    """The intake's item select: each option carries its search terms (name, code, pinyin initials, department)
    for the filter box above it (static/js/acceptance.js), so the select itself stays a native, keyboard-usable
    control."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_terms: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        terms = self.search_terms.get(str(getattr(value, "value", value)))
        if terms:
            option["attrs"]["data-search"] = terms
        return option


def item_picker_choices(items, *, category=None, use_counts: dict | None = None, empty_label=""):
    """The intake picker's options: the ticket's queue category first, then the others; inside each group the
    items most taken in here in the last 90 days first, then by the catalogue's order. Returns (choices, terms)."""
    from shequ.core.text import pinyin_initials

    use_counts = use_counts or {}
    field = ItemChoiceField(queryset=ServiceItem.objects.none())
    ordered = sorted(items, key=lambda i: (-use_counts.get(i.pk, 0), i.queue_category.sort_order, i.sort_order,
                                           i.code))
    terms = {str(i.pk): " ".join([i.name, i.code, pinyin_initials(i.name), i.department.short_name,
                                  i.queue_category.name]).lower() for i in items}
    options = lambda rows: [(i.pk, field.label_from_instance(i)) for i in rows]  # noqa: E731
    if category is None:
        return [("", empty_label)] + options(ordered), terms
    own = [i for i in ordered if i.queue_category_id == category.pk]
    others = [i for i in ordered if i.queue_category_id != category.pk]
    groups = [("", empty_label)]
    if own:
        groups.append((_("本号类别：%(c)s") % {"c": category.name}, options(own)))
    if others:
        groups.append((_("其他事项"), options(others)))
    return groups, terms


# --- intake and case actions ---------------------------------------------------------------------------------

class IntakeForm(forms.Form):
    ticket = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item = ItemChoiceField(label=_("申请事项"), queryset=ServiceItem.objects.none(), empty_label=_("请选择事项"),
                           widget=ItemSelect)
    applicant_resident = forms.IntegerField(widget=forms.HiddenInput, required=False)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=32, required=False)
    applicant_id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                          widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    agent_name = forms.CharField(label=_("代理人姓名"), max_length=32, required=False)
    agent_id_number = forms.CharField(label=_("代理人身份证号"), max_length=18, required=False,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    agent_relation = forms.CharField(label=_("与申请人关系"), max_length=16, required=False)
    agent_authorized = forms.BooleanField(label=_("已核验申请人签署的授权委托书"), required=False)
    decision = forms.ChoiceField(label=_("受理决定"), choices=CaseDecision.choices, widget=forms.RadioSelect)
    rongque_deadline = BoundedDateField(label=_("容缺材料补齐期限"), required=False, widget=_date_widget())
    promise_signed = forms.BooleanField(label=_("申请人已签署《容缺受理承诺书》"), required=False)
    reject_reason = forms.ChoiceField(label=_("不予受理的理由"), required=False)
    reasons = forms.CharField(label=_("理由说明"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, category=None, use_counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = (ServiceItem.objects.filter(is_active=True)
                                        .select_related("queue_category", "department")
                                        .order_by("queue_category__sort_order", "sort_order", "code"))
        choices, terms = item_picker_choices(list(self.fields["item"].queryset), category=category,
                                             use_counts=use_counts, empty_label=self.fields["item"].empty_label)
        self.fields["item"].widget.choices = choices
        self.fields["item"].widget.search_terms = terms
        self.fields["reject_reason"].choices = [("", _("请选择"))] + [(str(r), r) for r in REJECT_REASONS]
        self.fields["item"].widget.attrs.update({"hx-get": reverse_lazy("acceptance:item-materials"),
                                                 "hx-target": "#item-materials", "hx-trigger": "change"})

    def combined_reasons(self) -> str:
        parts = [self.cleaned_data.get("reject_reason") or "", self.cleaned_data.get("reasons") or ""]
        return "；".join(p.strip() for p in parts if p.strip())


class SupplementForm(forms.Form):
    materials = forms.MultipleChoiceField(label=_("本次补交的材料"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(m.pk, m.name) for m in case.materials.filter(provided=False)]


class RongqueForm(forms.Form):
    rongque_deadline = BoundedDateField(label=_("容缺材料补齐期限"), widget=_date_widget())
    promise_signed = forms.BooleanField(label=_("申请人已签署《容缺受理承诺书》"), required=False)


class RejectForm(forms.Form):
    reject_reason = forms.ChoiceField(label=_("不予受理的理由"), required=False)
    reasons = forms.CharField(label=_("理由说明"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reject_reason"].choices = [("", _("请选择"))] + [(str(r), r) for r in REJECT_REASONS]

    def combined(self) -> str:
        parts = [self.cleaned_data.get("reject_reason") or "", self.cleaned_data.get("reasons") or ""]
        return "；".join(p.strip() for p in parts if p.strip())


class TerminateForm(forms.Form):
    preset = forms.ChoiceField(label=_("终止原因"), required=False)
    reason = forms.CharField(label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", _("请选择"))] + [(str(r), r) for r in TERMINATE_REASONS]

    def combined(self) -> str:
        parts = [self.cleaned_data.get("preset") or "", self.cleaned_data.get("reason") or ""]
        return "；".join(p.strip() for p in parts if p.strip())


class NoteForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("不予通过的理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回补正的原因"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.CharField(label=_("需要补正的全部材料（每行一项）"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    second_reason = forms.CharField(label=_("再次退回补正的理由"), required=False, max_length=500,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def material_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("materials", "").splitlines() if line.strip()]


class CompleteForm(forms.Form):
    result_note = forms.CharField(label=_("办理结果（证照编号、批复文号等）"), required=False, max_length=200)


class DeliverForm(forms.Form):
    to = forms.ChoiceField(label=_("领取人"), choices=Recipient.choices, initial=Recipient.APPLICANT,
                           widget=forms.RadioSelect)
    id_check = forms.ChoiceField(label=_("身份核验方式"), choices=IdCheck.choices, initial=IdCheck.CARD_READER)
    recipient_name = forms.CharField(label=_("代领人姓名"), max_length=32, required=False)
    recipient_id_number = forms.CharField(label=_("代领人身份证号"), max_length=18, required=False)
    authorized = forms.BooleanField(label=_("已核验授权委托书"), required=False)


# --- queue -----------------------------------------------------------------------------------------------------

class KioskForm(forms.Form):
    category = forms.CharField(max_length=1)
    priority = forms.BooleanField(required=False)
    priority_reason = forms.ChoiceField(choices=[("", "")] + list(PriorityReason.choices), required=False)


class TransferForm(forms.Form):
    to_window = forms.ModelChoiceField(label=_("转至窗口"), queryset=Window.objects.none(), required=False,
                                       empty_label=_("（不指定窗口）"))
    to_category = forms.ModelChoiceField(label=_("或转至类别"), queryset=QueueCategory.objects.filter(is_active=True),
                                         required=False, empty_label=_("（不改类别）"))
    note = forms.CharField(label=_("说明"), max_length=100, required=False)

    def __init__(self, *args, window=None, **kwargs):
        super().__init__(*args, **kwargs)
        if window is not None:
            self.fields["to_window"].queryset = Window.objects.filter(node=window.node, is_active=True).exclude(
                pk=window.pk)


class WindowForm(forms.Form):
    number = forms.IntegerField(label=_("窗口号"), min_value=1, max_value=99)
    name = forms.CharField(label=_("窗口名称"), max_length=32)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(QueueCategory.objects.filter(is_active=True))
        ranks = [("", _("不受理"))] + [(str(i), _("第%(n)d顺位") % {"n": i}) for i in range(1, len(self.categories) + 1)]
        for c in self.categories:
            self.fields[f"rank_{c.letter}"] = forms.ChoiceField(label=f"{c.letter} {c.name}", choices=ranks,
                                                                required=False)

    def ordered_categories(self) -> list[QueueCategory]:
        ranked = [(int(self.cleaned_data[f"rank_{c.letter}"]), c.sort_order, c) for c in self.categories
                  if self.cleaned_data.get(f"rank_{c.letter}")]
        return [c for _r, _s, c in sorted(ranked, key=lambda t: (t[0], t[1]))]


class SkillsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(QueueCategory.objects.filter(is_active=True))
        for c in self.categories:
            self.fields[f"skill_{c.letter}"] = forms.ChoiceField(
                label=f"{c.letter} {c.name}", choices=[("", "—")] + list(SkillLevel.choices), required=False)

    def levels(self) -> dict:
        return {c: self.cleaned_data.get(f"skill_{c.letter}", "") for c in self.categories}


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("设备名称"), max_length=32)
    kind = forms.ChoiceField(label=_("类型"), choices=DeviceKind.choices)
    window = forms.ModelChoiceField(label=_("所属窗口（窗口屏）"), queryset=Window.objects.none(), required=False)

    def __init__(self, *args, node=None, **kwargs):
        super().__init__(*args, **kwargs)
        if node is not None:
            self.fields["window"].queryset = Window.objects.filter(node=node)


class PairForm(forms.Form):
    code = forms.CharField(label=_("配对码"), max_length=12, widget=forms.TextInput(
        attrs={"autocomplete": "off", "autofocus": True, "class": "text-uppercase"}))


# --- catalogue ---------------------------------------------------------------------------------------------

class ItemForm(forms.Form):
    code = forms.CharField(label=_("事项编码"), max_length=32)
    name = forms.CharField(label=_("事项名称"), max_length=100)
    department = forms.ModelChoiceField(label=_("主管部门"), queryset=Department.objects.filter(is_active=True))
    category = forms.CharField(label=_("业务类别"), max_length=16, help_text=_("如：老年、社会救助、医保"))
    queue_category = forms.ModelChoiceField(label=_("取号类别"), queryset=QueueCategory.objects.filter(is_active=True))
    mode = forms.ChoiceField(label=_("办理方式"), choices=ItemMode.choices)
    limit_days = forms.IntegerField(label=_("承诺时限（工作日）"), min_value=0, max_value=365, initial=0)
    legal_limit_days = forms.IntegerField(label=_("法定时限（工作日）"), min_value=0, max_value=365, required=False)
    tongban = forms.BooleanField(label=_("全市通办"), required=False)
    separated = forms.BooleanField(label=_("收受分离"), required=False)
    agent_allowed = forms.BooleanField(label=_("允许代办"), required=False, initial=True)
    agent_note = forms.CharField(label=_("代办要求"), max_length=120, required=False)
    fee = forms.DecimalField(label=_("收费（元）"), min_value=0, max_digits=8, decimal_places=2, initial=0)
    fee_note = forms.CharField(label=_("收费说明"), max_length=120, required=False)
    online = forms.BooleanField(label=_("网上可办"), required=False)
    conditions = forms.CharField(label=_("办理条件"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("设定依据"), max_length=200, required=False)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class MaterialForm(forms.Form):
    name = forms.CharField(label=_("材料名称"), max_length=100, required=False)
    is_key = forms.BooleanField(label=_("关键（不可容缺）"), required=False, initial=True)
    original_required = forms.BooleanField(label=_("核验原件"), required=False)
    copies = forms.IntegerField(label=_("份数"), min_value=1, max_value=20, initial=1, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    condition = forms.CharField(label=_("适用情形"), max_length=60, required=False,
                                widget=forms.TextInput(attrs={"placeholder": _("留空为一律需要")}))


MaterialFormSet = forms.formset_factory(MaterialForm, extra=3, max_num=40)


class CategoryForm(forms.Form):
    letter = forms.CharField(label=_("字母"), max_length=1)
    name = forms.CharField(label=_("名称"), max_length=32)
    description = forms.CharField(label=_("说明"), max_length=120, required=False)
    default_service_minutes = forms.IntegerField(label=_("默认办理时长（分钟）"), min_value=1, max_value=240, initial=10)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("事项目录 Excel 文件 (.xlsx)"))


# --- reviews -----------------------------------------------------------------------------------------------

class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(label=_("总体评价"), choices=Score.choices, coerce=int, widget=forms.RadioSelect)
    tags = forms.MultipleChoiceField(label=_("评价标签（可多选）"), required=False, widget=forms.CheckboxSelectMultiple,
                                     choices=[(str(t), t) for t in REVIEW_TAGS])
    comment = forms.CharField(label=_("意见建议"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    contact_phone = forms.CharField(label=_("回访电话（选填，不满意时便于联系您）"), required=False, max_length=20)


class PublicReviewForm(ReviewForm):
    number = forms.CharField(label=_("办件编号"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    check_code = forms.CharField(label=_("查询码（6位数字，见受理回执或告知书）"), min_length=6, max_length=6,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    field_order = ["number", "check_code", "score", "tags", "comment", "contact_phone"]


class RectificationForm(forms.Form):
    note = forms.CharField(label=_("记录"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    contact_method = forms.ChoiceField(label=_("联系方式"), required=False,
                                       choices=[("", "—")] + list(ContactMethod.choices))
    complexity = forms.ChoiceField(label=_("问题类型"), required=False, choices=[("", "—")] + list(Complexity.choices))
    callback_result = forms.ChoiceField(label=_("回访结果"), required=False,
                                        choices=[("", "—")] + list(CallbackResult.choices))


# --- staff and figures ---------------------------------------------------------------------------------

class FiguresForm(forms.Form):
    by = forms.ChoiceField(label=_("统计维度"), choices=[("clerk", _("按人员")), ("window", _("按窗口")),
                                                       ("department", _("按审批部门"))], required=False)
    date_from = BoundedDateField(label=_("起始日期"), required=False, widget=_date_widget())
    date_to = BoundedDateField(label=_("截止日期"), required=False, widget=_date_widget())

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start = data.get("date_from") or today.replace(day=1)
        end = data.get("date_to") or today
        if end < start:
            start, end = end, start
        if (end - start).days > 400:
            start = end - dt.timedelta(days=400)
        return start, end

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data


# --- 民生档案 ------------------------------------------------------------------------------------------

class ArchiveRequestForm(forms.Form):
    record_type = forms.ChoiceField(label=_("档案类型"), choices=[("", _("请选择"))] + ARCHIVE_TYPE_CHOICES)
    requester_resident = forms.IntegerField(widget=forms.HiddenInput, required=False)
    requester_name = forms.CharField(label=_("申请人姓名"), max_length=32, required=False)
    requester_id_number = forms.CharField(label=_("申请人身份证号"), max_length=18, required=False,
                                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    relation = forms.ChoiceField(label=_("申请人与档案当事人的关系"), choices=ArchiveRelation.choices,
                                 initial=ArchiveRelation.SELF)
    subject_name = forms.CharField(label=_("档案当事人姓名（非本人时填写）"), max_length=32, required=False)
    subject_id_number = forms.CharField(label=_("档案当事人身份证号（选填）"), max_length=18, required=False)
    id_check = forms.ChoiceField(label=_("身份核验方式"), choices=IdCheck.choices, initial=IdCheck.CARD_READER)
    purpose = forms.CharField(label=_("查档用途"), max_length=100,
                              widget=forms.TextInput(attrs={"placeholder": _("如：办理退休手续、子女入学")}))


class ArchiveResultForm(forms.Form):
    found = forms.TypedChoiceField(label=_("查询结果"), choices=[("1", _("查有档案")), ("0", _("查无档案"))],
                                   coerce=lambda v: v == "1", widget=forms.RadioSelect)
    file_reference = forms.CharField(label=_("档号/案卷号"), max_length=64, required=False)
    pages = forms.IntegerField(label=_("页数"), min_value=0, max_value=500, required=False)
    result_note = forms.CharField(label=_("结果说明"), max_length=200, required=False)


class ArchiveIssueForm(forms.Form):
    copies = forms.IntegerField(label=_("出证份数"), min_value=1, max_value=10, initial=1)



# --- staff files and training (统一培训) -------------------------------------------------------------------------

class ClerkFileForm(forms.Form):
    hired_on = BoundedDateField(label=_("入职日期"), widget=_date_widget())
    post_level = forms.ChoiceField(label=_("岗位等级"), choices=PostLevel.choices)
    contract_type = forms.ChoiceField(label=_("用工形式"), choices=ContractType.choices)
    contract_number = forms.CharField(label=_("合同编号"), max_length=40, required=False,
                                      help_text=_("加密保存，页面只显示部分字符；留空则保持原值。"))
    contract_start = BoundedDateField(label=_("合同起始日"), required=False, widget=_date_widget())
    contract_end = BoundedDateField(label=_("合同终止日"), required=False, widget=_date_widget())
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False,
                                help_text=_("加密保存，页面只显示前4位和后4位；留空则保持原值。"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class TrainingForm(forms.Form):
    topic = forms.CharField(label=_("培训主题"), max_length=100)
    date = BoundedDateField(label=_("培训日期"), widget=_date_widget())
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=40, decimal_places=1, initial=2)
    trainer = forms.CharField(label=_("授课人"), max_length=50, required=False)
    valid_months = forms.IntegerField(label=_("资格有效期（月）"), min_value=1, max_value=60, initial=24)
    whole_categories = forms.ModelMultipleChoiceField(
        label=_("整类涵盖（选中类别的全部启用事项）"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        queryset=QueueCategory.objects.filter(is_active=True))
    items = forms.ModelMultipleChoiceField(
        label=_("涵盖事项（考核通过即取得受理资格）"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        queryset=ServiceItem.objects.filter(is_active=True).select_related("queue_category")
        .order_by("queue_category__sort_order", "sort_order", "code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].label_from_instance = lambda i: f"{i.queue_category.letter} · {i.name}"

    def covered_items(self) -> list[ServiceItem]:
        """The items ticked one by one plus every active item of the categories ticked as a whole."""
        d = self.cleaned_data
        items = list(d.get("items") or [])
        categories = list(d.get("whole_categories") or [])
        if categories:
            items += list(ServiceItem.objects.filter(is_active=True, queue_category__in=categories)
                          .order_by("queue_category__sort_order", "sort_order", "code"))
        return list(dict.fromkeys(items))


class AttendanceForm(forms.Form):
    """One row per clerk of the centre: present / passed / score."""

    def __init__(self, *args, clerks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clerks = list(clerks)
        for c in self.clerks:
            self.fields[f"present_{c.pk}"] = forms.BooleanField(label=_("出勤"), required=False)
            self.fields[f"passed_{c.pk}"] = forms.BooleanField(label=_("考核通过"), required=False)
            self.fields[f"score_{c.pk}"] = forms.IntegerField(label=_("成绩"), required=False, min_value=0,
                                                              max_value=100)

    def rows(self):
        return [{"user": c, "present": self[f"present_{c.pk}"], "passed": self[f"passed_{c.pk}"],
                 "score": self[f"score_{c.pk}"]} for c in self.clerks]

    def results(self) -> list[dict]:
        d = self.cleaned_data
        return [{"user": c, "present": d.get(f"present_{c.pk}"), "passed": d.get(f"passed_{c.pk}"),
                 "score": d.get(f"score_{c.pk}")} for c in self.clerks
                if d.get(f"present_{c.pk}") or d.get(f"passed_{c.pk}")]
