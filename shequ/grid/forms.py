import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import NodeKind
from shequ.core.inputs import BoundedDateField, add_period_errors
from shequ.core.models import Department
from shequ.core.scoping import scoped_nodes

from .choices import (Decision, ContactMethod, HotlineStatus, HotlineType, Resolution, Satisfaction, ShiftCode,
                      Source, Urgency)
from .models import Category, GridResponsible, TeamMember
from .selectors import dispatchable_units, inspection_sheets


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def category_choices(public_only=False):
    qs = Category.objects.filter(is_active=True).select_related("main").order_by("main__kind", "code")
    if public_only:
        qs = qs.filter(is_public=True)
    groups: dict = {}
    for c in qs:
        groups.setdefault(f"{c.main.get_kind_display()} · {c.main.name}", []).append((c.code, f"{c.code} {c.name}"))
    return [("", _("请选择问题类别"))] + list(groups.items())


def police_item_choices():
    from .selectors import police_items

    return [("", _("—— 非110移交不选 ——"))] + [(i.code, f"{i.name}（{i.category.code} {i.category.name}）")
                                               for i in police_items()]


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类别"), required=False)
    police_item = forms.ChoiceField(label=_("110非警务事项"), required=False,
                                    help_text=_("110移交的案件选择清单中的事项，按清单自动归入对应小类。"))
    description = forms.CharField(label=_("问题描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地址/位置描述"), max_length=200, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=[("", _("按类别默认"))] + list(Urgency.choices),
                                required=False)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.PATROL, required=False)
    external_no = forms.CharField(label=_("外部单号（12345/110）"), max_length=40, required=False)
    photos = MultipleImageField(label=_("现场照片"), help_text=_("JPEG/PNG/WebP，每张不超过8MB，最多6张。"))
    keep_location = forms.BooleanField(label=_("保留照片中的拍摄位置信息"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("category") and not data.get("police_item"):
            self.add_error("category", _("请选择问题类别（110移交可选择110非警务事项）。"))
        return data

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["police_item"].choices = police_item_choices()
        if sources and Source.POLICE_110 not in sources:
            del self.fields["police_item"]
        if sources:
            self.fields["source"].choices = [c for c in Source.choices if c[0] in sources]
            self.fields["source"].initial = sources[0]
            if len(sources) == 1:
                self.fields["source"].widget = forms.HiddenInput()


class ActionForm(forms.Form):
    note = forms.CharField(label=_("意见/说明"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Department.objects.none(), required=False)
    hours = forms.FloatField(label=_("延长（工作时）"), required=False, min_value=0.5, max_value=400)
    review_on = forms.DateField(label=_("复核日期"), required=False)
    target = forms.CharField(label=_("主案件编号"), max_length=32, required=False)
    satisfaction = forms.ChoiceField(label=_("评价"), choices=[("", "—")] + list(Satisfaction.choices),
                                     required=False)
    category = forms.CharField(required=False, max_length=8)
    urgency = forms.ChoiceField(choices=[("", "—")] + list(Urgency.choices), required=False)
    photos = MultipleImageField(label=_("照片"))
    keep_location = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = dispatchable_units()


class GeoJSONImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON 文件"), help_text=_("FeatureCollection；每个要素须有 code、name 和 committee（居委会代码）属性。"))


class ResponsibleForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32, widget=forms.TextInput(attrs={"placeholder": _("姓名")}))
    duty = forms.ChoiceField(label=_("职责"), choices=GridResponsible.ROLES)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("联系电话")}))


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("楼宇名称"), max_length=64)
    address = forms.CharField(label=_("地址"), max_length=128, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=[("住宅", _("住宅")), ("商铺", _("商铺")), ("公建", _("公建配套")),
                                                     ("学校", _("学校")), ("其他", _("其他"))])
    floors = forms.IntegerField(label=_("层数"), min_value=0, max_value=200, required=False)
    households = forms.IntegerField(label=_("户数"), min_value=0, max_value=100000, required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    lng = forms.FloatField(label=_("经度"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("placeholder", str(field.label))


class HotlineFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"placeholder": _("工单号 / 标题 / 地址"), "type": "search"}))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态"))] + list(HotlineStatus.choices))
    overdue = forms.ChoiceField(label=_("超时"), required=False, choices=[
        ("", _("全部")), ("sign", _("签收超时")), ("reply", _("答复超时"))])


class HotlineImportForm(forms.Form):
    file = forms.FileField(label=_("工单文件（.xlsx 或 .json）"))


class HotlineActionForm(forms.Form):
    note = forms.CharField(label=_("内容"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # 退单 or 延期 reason: a code of the action's own fixed list, checked by the service.
    reason = forms.CharField(label=_("理由"), max_length=24, required=False)
    decision = forms.ChoiceField(label=_("审核结果"), choices=[("", "—")] + list(Decision.choices), required=False)
    assignee = forms.CharField(label=_("承办单位"), max_length=40, required=False)
    due = forms.DateField(label=_("承办时限"), required=False, input_formats=["%Y-%m-%d"],
                          widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("延期工作日"), min_value=1, max_value=15, required=False)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=[("", "—")] + list(Satisfaction.choices),
                                     required=False)
    category = forms.ChoiceField(label=_("对应小类"), required=False)
    target = forms.CharField(label=_("主工单号"), max_length=40, required=False)
    contact_method = forms.ChoiceField(label=_("联系方式"), choices=[("", "—")] + list(ContactMethod.choices),
                                       required=False)
    contact_at = forms.DateTimeField(label=_("联系时间"), required=False, input_formats=[
        "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    contact_by = forms.CharField(label=_("联系人"), max_length=32, required=False)
    resolution = forms.ChoiceField(label=_("解决情况"), choices=[("", "—")] + list(Resolution.choices),
                                   required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class HotlineCreateForm(forms.Form):
    order_no = forms.CharField(label=_("工单号"), max_length=40)
    hotline_type = forms.ChoiceField(label=_("诉求类型"), choices=HotlineType.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    caller_name = forms.CharField(label=_("来电人"), max_length=32, required=False)
    caller_phone = forms.CharField(label=_("来电号码"), max_length=20, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    lat = forms.FloatField(label=_("纬度"), required=False)
    lng = forms.FloatField(label=_("经度"), required=False)
    category = forms.ChoiceField(label=_("对应小类"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class HotlineFiguresForm(forms.Form):
    """The month (YYYY-MM, this month by default) and the rate the tables are ranked on; a bad value is refused."""

    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-\d{2}$", required=False,
                             error_messages={"invalid": _("月份格式应为 YYYY-MM。")},
                             widget=forms.TextInput(attrs={"type": "month"}))
    rank = forms.ChoiceField(label=_("排名依据"), required=False)

    def __init__(self, *args, rates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank"].choices = [(r.code, r.label) for r in rates]

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return timezone.localdate().replace(day=1)
        year, month = int(value[:4]), int(value[5:])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise forms.ValidationError(_("月份无效。"))
        return dt.date(year, month, 1)


class MonthForm(forms.Form):
    month = forms.CharField(required=False)

    def month_value(self):
        today = timezone.localdate()
        if self.is_valid() and self.cleaned_data.get("month"):
            try:
                year, month = (int(p) for p in self.cleaned_data["month"].split("-")[:2])
                if 2000 <= year <= 2100 and 1 <= month <= 12:
                    return year, month
            except ValueError:
                pass
        return today.year, today.month


class OverrideForm(forms.Form):
    member = forms.ModelChoiceField(label=_("队员"), queryset=TeamMember.objects.filter(is_active=True).select_related(
        "team"), empty_label=_("选择队员"))
    date = BoundedDateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date", "aria-label": _("日期")}))
    shift = forms.ChoiceField(label=_("班次"), choices=ShiftCode.choices)
    reason = forms.CharField(label=_("原因"), max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": _("原因，如：病假、与某某调班")}))


class InspectionForm(forms.Form):
    sheet = forms.ModelChoiceField(label=_("评分表"), queryset=None)
    title = forms.CharField(label=_("督查主题"), max_length=100)
    date = BoundedDateField(label=_("督查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    department = forms.ModelChoiceField(label=_("被督查部门"), queryset=Department.objects.filter(is_active=True),
                                        required=False)
    committee = forms.ModelChoiceField(label=_("被督查居民区"), queryset=None, required=False)
    note = forms.CharField(label=_("督查意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = scoped_nodes(user, NodeKind.COMMITTEE)
        self.fields["sheet"].queryset = inspection_sheets()


class PeriodForm(forms.Form):
    PRESETS = [("month", _("本月")), ("last_month", _("上月")), ("quarter", _("本季度")), ("year", _("本年")),
               ("custom", _("自定义"))]
    preset = forms.ChoiceField(label=_("期间"), choices=PRESETS, required=False)
    start = BoundedDateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label=_("考评对象"), required=False, choices=[
        ("committee", _("区域（居委会）")), ("unit", _("部门（责任单位）")), ("post", _("岗位"))])

    def clean(self):
        data = super().clean()
        if data.get("preset") == "custom":
            if not (data.get("start") and data.get("end")):
                self.add_error("start" if not data.get("start") else "end", _("自定义期间须填写起止日期。"))
            add_period_errors(self, "start", "end")
        return data

    def period(self) -> tuple[dt.date, dt.date, str]:
        """The period asked for; this month when nothing (or something refused, shown as the form's errors) is."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        preset = data.get("preset") or "month"
        if preset == "custom":
            return data["start"], data["end"], preset
        if preset == "last_month":
            end = today.replace(day=1) - dt.timedelta(days=1)
            return end.replace(day=1), end, preset
        if preset == "quarter":
            start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
            return start, today, preset
        if preset == "year":
            return dt.date(today.year, 1, 1), today, preset
        return today.replace(day=1), today, "month"
