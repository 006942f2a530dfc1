"""GeoJSON polygons of grids, validated with shapely (WGS84 longitude/latitude)."""

from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from .errors import DomainError


def validate_polygon(geometry) -> dict:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise DomainError(_("边界必须是 GeoJSON Polygon 或 MultiPolygon。"), {"geometry": [_("几何类型无效。")]})
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise DomainError(_("边界坐标无法解析。"), {"geometry": [str(exc)]}) from exc
    if geom.is_empty or not geom.is_valid:
        raise DomainError(_("边界不是有效的多边形。"), {"geometry": [explain_validity(geom)]})
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise DomainError(_("坐标超出经纬度范围。"), {"geometry": [_("请使用 WGS84 经纬度坐标。")]})
    return geometry
