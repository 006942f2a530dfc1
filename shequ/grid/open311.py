"""Open311 GeoReport v2 server (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Plain Django views, no session and no CSRF: GETs are public, POST needs an `api_key` issued per client (only its
keyed hash is stored). The format is the URL suffix, `.xml` (required by the spec) or `.json`. Errors use the
spec's list format with the mandatory status codes: 404 unknown resource, 403 bad key, 400 everything else.
Requests become grid cases (source: resident) and report their state from the case.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
import json
import re
from xml.etree import ElementTree as ET

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from shequ.core import crypto
from shequ.core.choices import NodeKind
from shequ.core.errors import DomainError
from shequ.core.models import Node

from . import redaction, selectors, services
from .choices import CLOSED_STATUSES, CaseStatus, PhotoStage, Source
from .models import Case, CasePhoto, Category

SPEC = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
FINAL = set(CLOSED_STATUSES) | {CaseStatus.VOID, CaseStatus.MERGED}
MAX_RESULTS = 1000
_ATTR = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")

# XML element names of list items, by the name of the list (the spec's "Spark convention").
ITEM = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
        "values": "value", "endpoints": "endpoint", "formats": "format"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: int | None = None):
        self.status, self.description, self.code = status, description, code or status


# --- rendering ---------------------------------------------------------------------------------------------------

def _xml_value(parent, name, value):
    el = ET.SubElement(parent, name)
    if value is None:
        return
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, list):
        for item in value:
            _xml_value(el, ITEM.get(name, "item"), item)
    else:
        el.text = str(value)


def _render(payload, root: str, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False)
    else:
        if isinstance(payload, list):
            element = ET.Element(root)
            for item in payload:
                _xml_value(element, ITEM.get(root, "item"), item)
        else:
            element = ET.Element(root)
            for k, v in payload.items():
                _xml_value(element, k, v)
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode")
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error_response(exc: Open311Error, fmt: str) -> HttpResponse:
    return _render([{"code": exc.code, "description": exc.description}], "errors", fmt if fmt in CONTENT_TYPES
                   else "xml", status=exc.status)


def endpoint(view):
    """Format negotiation and error mapping shared by every Open311 view."""

    def wrapper(request, *args, fmt="xml", **kwargs):
        fmt = (fmt or "").lower()
        try:
            if fmt not in CONTENT_TYPES:
                raise Open311Error(400, _("不支持的格式“%(f)s”，请使用 .xml 或 .json。") % {"f": fmt[:10]})
            payload, root = view(request, *args, fmt=fmt, **kwargs)
            return _render(payload, root, fmt)
        except Open311Error as exc:
            return _error_response(exc, fmt)
        except DomainError as exc:
            status = exc.status_code if exc.status_code in (400, 403, 404) else 400
            details = [m for ms in exc.errors.values() for m in ms]
            text = exc.message + (f"（{'；'.join(details)}）" if details and details[0] not in exc.message else "")
            return _error_response(Open311Error(status, text), fmt)

    wrapper.__name__ = view.__name__
    return csrf_exempt(wrapper)


# --- helpers -------------------------------------------------------------------------------------------------------

def _param(request, name: str) -> str:
    """A parameter from the body or the query string; an empty value counts as absent (spec)."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value in (None, ""):
        value = request.GET.get(name)
    return (value or "").strip()


def _limit(value: str, limit: int, name: str) -> str:
    """A parameter longer than its field is refused with the limit, never cut."""
    if len(value) > limit:
        raise Open311Error(400, _("%(n)s 不能超过%(l)s个字符（现为%(c)s个）。") % {"n": name, "l": limit, "c": len(value)})
    return value


def _jurisdiction(request) -> Node | None:
    value = _param(request, "jurisdiction_id")
    subdistricts = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True)
    if not value:
        return None
    node = subdistricts.filter(Q(code=value) | Q(code=value.ljust(12, "0"))).first() if value.isdigit() else None
    if node is None:
        raise Open311Error(404, _("辖区 jurisdiction_id“%(j)s”不存在。") % {"j": value[:40]})
    return node


def _iso(moment) -> str | None:
    if not moment:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _parse_w3c(value: str, name: str) -> dt.datetime:
    text = value.strip().replace(" ", "+") if "T" in value else value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.min)
        except ValueError:
            raise Open311Error(400, _("%(n)s 不是有效的 W3C 日期时间：%(v)s") % {"n": name, "v": value[:40]})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _service(category: Category) -> dict:
    return {"service_code": category.code, "service_name": category.name,
            "description": _("%(f)s（处置时限：%(l)s）") % {"f": category.filing_condition, "l": category.limit_display},
            "metadata": category.attributes.exists(), "type": "realtime",
            "keywords": ",".join(dict.fromkeys(k for k in [category.name, category.main.name,
                                                           *category.keywords.replace("，", ",").split(",")] if k)),
            "group": f"{category.main.get_kind_display()}·{category.main.name}"}


def _status(case: Case) -> str:
    return "closed" if case.status in FINAL else "open"


def _status_notes(case: Case) -> str:
    """A fixed public label per status (and, for a merged report, the number of the case it joined): never the
    staff's free-text notes, which may name people or internal matters."""
    label = CaseStatus(case.status).label
    if case.status == CaseStatus.MERGED and case.duplicate_of_id:
        return _("%(s)s：与 %(n)s 为同一问题") % {"s": label, "n": case.duplicate_of.number}
    if case.status == CaseStatus.VOID:
        return _("%(s)s：经核实不予立案") % {"s": label}
    if case.status in CLOSED_STATUSES:
        return _("%(s)s：已按结案标准处置完毕") % {"s": label}
    return str(label)


def _request_payload(case: Case, *, names=(), request=None) -> dict:
    """One request as the public sees it: the description and address through the redaction step, the position at
    the public precision, never the reporter (nor who on the staff handled it)."""
    closed = case.status in FINAL
    names = set(names) | {p for p in (case.reporter_name or "").replace("·", " ").split() if len(p) >= 2}
    if case.reporter_name and " " in case.reporter_name:  # “王 小明” as the client sent it, and “王小明”
        names.add(case.reporter_name.replace(" ", ""))
    address = case.address or (case.grid.name if case.grid else "")
    return {
        "service_request_id": case.number, "status": _status(case), "status_notes": _status_notes(case),
        "service_name": case.category.name, "service_code": case.category.code,
        "description": redaction.redact(case.description, names=names),
        "agency_responsible": case.unit.name if case.unit_id else _("城运中心（受理中）"),
        "service_notice": _("处置时限：%(l)s，自派遣起计算") % {"l": case.category.limit_display},
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso((case.closed_at if closed and case.closed_at else None) or case.updated_at),
        "expected_datetime": _iso(case.deadline), "address": redaction.redact(address, names=names),
        "address_id": None, "zipcode": None, "lat": redaction.public_coordinate(case.lat),
        "long": redaction.public_coordinate(case.lng), "media_url": _media_url(request, case),
    }


def _payloads(cases, *, request, jurisdiction=None) -> list[dict]:
    """The requests of one answer, redacted with one registry lookup for all of them."""
    cases = list(cases)
    names = redaction.registry_names([t for c in cases for t in (c.description, c.address)], under=jurisdiction)
    return [_request_payload(c, names=names, request=request) for c in cases]


def _media_token(photo_id: int) -> str:
    return f"{photo_id}-{crypto.keyed_hash(f'open311-media:{photo_id}')[:20].lower()}"


def _media_url(request, case: Case) -> str | None:
    photo_id = getattr(case, "first_photo_id", None)
    if not photo_id:
        return None
    path = reverse("open311:media", kwargs={"token": _media_token(photo_id)})
    return request.build_absolute_uri(path) if request is not None else path


def _public_cases():
    """What the public may read: residents' reports, and the case a resident's report was merged into (so the
    merged report's “same problem as N” leads somewhere instead of to a 404)."""
    merged_into = Case.objects.filter(source=Source.RESIDENT, duplicate_of__isnull=False).values("duplicate_of_id")
    first_photo = CasePhoto.objects.filter(case=OuterRef("pk"), stage=PhotoStage.REPORT).order_by("created_at", "id")
    return Case.objects.filter(Q(source=Source.RESIDENT) | Q(pk__in=merged_into)).select_related(
        "category", "unit", "grid", "duplicate_of").annotate(first_photo_id=Subquery(first_photo.values("pk")[:1]))


def _in_jurisdiction(qs, node: Node | None):
    return qs.filter(node__path__startswith=node.path) if node is not None else qs


# --- views ---------------------------------------------------------------------------------------------------------

@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
    stamp = f"{timezone.localdate():%Y-%m-%d}T00:00:00+08:00"
    subdistrict = Node.objects.filter(kind=NodeKind.SUBDISTRICT, is_active=True).order_by("code").first()
    return {
        "changeset": stamp,
        "contact": _("%(n)s 城市运行管理中心，%(a)s") % {"n": subdistrict.name if subdistrict else "",
                                                        "a": subdistrict.address if subdistrict else ""},
        "key_service": _("API 密钥由街道城运中心系统管理员签发（manage.py open311_key <客户端名称>）。"),
        "endpoints": [{"specification": SPEC, "url": base, "changeset": stamp, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }, "discovery"


@endpoint
def service_list(request, fmt):
    _jurisdiction(request)
    return [_service(c) for c in selectors.categories(public_only=True).prefetch_related("attributes")], "services"


@endpoint
def service_definition(request, code, fmt):
    _jurisdiction(request)
    category = selectors.categories(public_only=True).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("服务代码“%(c)s”不存在。") % {"c": code[:20]})
    attributes = [{"variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
                   "datatype_description": a.datatype_description or None, "order": a.order,
                   "description": a.description, "values": [{"key": v.get("key"), "name": v.get("name")}
                                                             for v in (a.values or [])]}
                  for a in category.attributes.order_by("order")]
    return {"service_code": category.code, "attributes": attributes}, "service_definition"


def _attributes(request, category: Category) -> dict:
    given: dict[str, list[str]] = {}
    for key in request.POST.keys():
        match = _ATTR.match(key)
        if match:
            values = [v for v in request.POST.getlist(key) if v != ""]
            if values:
                given.setdefault(match.group(1), []).extend(values)
    result = {}
    for attribute in category.attributes.all():
        values = given.get(attribute.code, [])
        if not values:
            if attribute.required and attribute.variable:
                raise Open311Error(400, _("缺少必填属性 attribute[%(c)s]（%(d)s）。") % {
                    "c": attribute.code, "d": attribute.description})
            continue
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            keys = {str(v.get("key")) for v in attribute.values or []}
            bad = [v for v in values if v not in keys]
            if bad:
                raise Open311Error(400, _("属性 %(c)s 的取值“%(v)s”无效，可选：%(k)s") % {
                    "c": attribute.code, "v": bad[0][:20], "k": ",".join(sorted(keys))})
            result[attribute.code] = values if attribute.datatype == "multivaluelist" else values[0]
        elif attribute.datatype == "number":
            try:
                result[attribute.code] = float(values[0])
            except ValueError:
                raise Open311Error(400, _("属性 %(c)s 须为数字。") % {"c": attribute.code})
        elif attribute.datatype == "datetime":
            result[attribute.code] = _parse_w3c(values[0], f"attribute[{attribute.code}]").isoformat()
        else:
            result[attribute.code] = _limit(values[0], 500, f"attribute[{attribute.code}]")
    return result


def _create(request, fmt):
    if "api_key" in request.GET:
        raise Open311Error(400, _("api_key 只能放在 POST 请求体中，不能放在网址查询串里（会被记入日志）。请更换该密钥。"))
    client = services.open311_client_for_key((request.POST.get("api_key") or "").strip())
    if client is None:
        raise Open311Error(403, _("api_key 缺失或无效。"))
    jurisdiction = _jurisdiction(request) or client.jurisdiction
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("缺少必填参数 service_code。"))
    category = selectors.categories(public_only=True).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("服务代码“%(c)s”不存在。") % {"c": code[:20]})
    lat, lng = _param(request, "lat"), _param(request, "long")
    address = _param(request, "address_string")
    address_id = _param(request, "address_id")
    if bool(lat) != bool(lng):
        raise Open311Error(400, _("lat 和 long 须同时提供。"))
    if not (lat or address or address_id):
        raise Open311Error(400, _("须提供位置：lat 和 long，或 address_string。"))
    if address_id and not (lat or address):
        raise Open311Error(400, _("本系统不支持 address_id，请提供 lat/long 或 address_string。"))
    description = _param(request, "description")
    _limit(address, 200, "address_string")
    _limit(description, 4000, "description")
    _limit(_param(request, "media_url"), 300, "media_url")
    attributes = _attributes(request, category)
    name = _limit(" ".join(p for p in (_param(request, "last_name"), _param(request, "first_name")) if p), 64,
                  "first_name/last_name")
    contact = _limit("；".join(p for p in (_param(request, "phone"), _param(request, "email")) if p), 100,
                     "phone/email")
    extra = []
    if _param(request, "media_url"):
        extra.append(_("照片链接：%(u)s") % {"u": _param(request, "media_url")})
    if attributes:
        labels = {a.code: a for a in category.attributes.all()}
        for key, value in attributes.items():
            extra.append(f"{labels[key].description}：{value if not isinstance(value, list) else '、'.join(value)}")
    text = description or _("市民上报：%(s)s") % {"s": category.name}
    if len(text) < 4:
        text = _("市民上报：%(s)s。%(d)s") % {"s": category.name, "d": text}
    if extra:
        text = _limit(text + "\n" + "\n".join(extra), 4000, "description")
    uploads = request.FILES.getlist("media") + request.FILES.getlist("media[]")
    case = services.case_report(actor=None, category=category, source=Source.RESIDENT, description=text,
                                lat=lat or None, lng=lng or None, address=address, subdistrict=jurisdiction,
                                reporter_name=name, reporter_contact=contact, open311_client=client,
                                attributes=attributes, photos=uploads[:3])
    notice = _("已受理，将由监督员现场核实后立案派遣。")
    if client.token_only:
        return [{"token": case.open311_token, "service_notice": notice, "account_id": None}], "service_requests"
    return [{"service_request_id": case.number, "service_notice": notice, "account_id": None}], "service_requests"


def _search(request, fmt):
    jurisdiction = _jurisdiction(request)
    qs = _in_jurisdiction(_public_cases(), jurisdiction)
    ids = [i.strip() for i in _param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        return _payloads(qs.filter(number__in=ids[:MAX_RESULTS]).order_by("-reported_at"), request=request,
                         jurisdiction=jurisdiction), "service_requests"
    codes = [c.strip() for c in _param(request, "service_code").split(",") if c.strip()]
    if codes:
        qs = qs.filter(category__code__in=codes)
    start_raw, end_raw = _param(request, "start_date"), _param(request, "end_date")
    end = _parse_w3c(end_raw, "end_date") if end_raw else None
    start = _parse_w3c(start_raw, "start_date") if start_raw else None
    if start and end and end < start:
        raise Open311Error(400, _("end_date 早于 start_date。"))
    if start and end and end - start > dt.timedelta(days=90):
        raise Open311Error(400, _("start_date 与 end_date 相隔不能超过90天。"))
    if start is None and end is None:
        start = timezone.now() - dt.timedelta(days=90)
    if start:
        qs = qs.filter(reported_at__gte=start)
    if end:
        qs = qs.filter(reported_at__lte=end)
    statuses = [s.strip().lower() for s in _param(request, "status").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    if statuses and set(statuses) != {"open", "closed"}:
        qs = qs.filter(status__in=FINAL) if statuses == ["closed"] or set(statuses) == {"closed"} \
            else qs.exclude(status__in=FINAL)
    return _payloads(qs.order_by("-reported_at", "-id")[:MAX_RESULTS], request=request, jurisdiction=jurisdiction), \
        "service_requests"


@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    if request.method not in ("GET", "HEAD"):
        raise Open311Error(400, _("不支持的请求方法。"))
    return _search(request, fmt)


@endpoint
def request_detail(request, request_id, fmt):
    jurisdiction = _jurisdiction(request)
    case = _in_jurisdiction(_public_cases(), jurisdiction).filter(number=request_id).first()
    if case is None:
        raise Open311Error(404, _("服务请求“%(i)s”不存在。") % {"i": request_id[:40]})
    return _payloads([case], request=request, jurisdiction=jurisdiction), "service_requests"


@endpoint
def token_detail(request, token, fmt):
    jurisdiction = _jurisdiction(request)
    case = _in_jurisdiction(Case.objects.all(), jurisdiction).filter(open311_token=token).first() if token else None
    if case is None:
        raise Open311Error(404, _("令牌“%(t)s”不存在。") % {"t": token[:40]})
    return [{"service_request_id": case.number, "token": token}], "service_requests"


MEDIA_SIDE = 1280


def media(request, token):
    """The public copy of a public case's first report photo: re-encoded from the pixels only (no EXIF, no GPS,
    no comments), at most 1280 px, written once beside the originals and served without a login. The name is
    signed, so photo ids cannot be walked; a photo of a case the public may not read is a 404."""
    from django.http import Http404
    from PIL import Image

    photo_id = (token or "").partition("-")[0]
    if not photo_id.isdigit() or not hmac.compare_digest(_media_token(int(photo_id)), token):
        raise Http404
    public = _public_cases().filter(first_photo_id=int(photo_id)).exists()
    photo = CasePhoto.objects.filter(pk=int(photo_id)).first() if public else None
    if photo is None:
        raise Http404
    name = f"open311/{token}.jpg"
    if not default_storage.exists(name):
        try:
            with photo.file.open("rb") as handle:
                image = Image.open(handle)
                image.load()
        except (FileNotFoundError, OSError):
            raise Http404
        clean = Image.new("RGB", image.size)
        clean.paste(image.convert("RGB"))  # the pixels only: nothing of the source's metadata is carried over
        clean.thumbnail((MEDIA_SIDE, MEDIA_SIDE))
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=85)
        default_storage.save(name, ContentFile(out.getvalue()))
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt
def not_found(request, rest=""):
    fmt = "json" if rest.lower().endswith(".json") else "xml"
    return _error_response(Open311Error(400, _("无效的请求地址：/open311/v2/%(p)s") % {"p": rest[:60]}), fmt)
