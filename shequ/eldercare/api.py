"""/api/v1/eldercare/: meal orders and the kitchen's count. `POST meal-orders/` is a published contract
(also used by the 96980 hotline's clients): 201 with the order's price, discount, subsidy and payable in yuan;
400 with field errors (resident unknown or out of reach, not enrolled, past the cut-off); 409 for a second order
of the same resident, day and meal."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shequ.core.api import error_responses
from shequ.core.api_permissions import require_capability
from shequ.core.choices import Role
from shequ.core.errors import DomainError
from shequ.core import api_fields

from . import selectors, services
from .choices import Meal, MealMode
from .selectors.common import resident_for_order, residents_of_account


class MealOrderCreateSerializer(api_fields.Serializer):
    resident = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    date = serializers.DateField(input_formats=["%Y-%m-%d"])
    meal = serializers.ChoiceField(choices=Meal.choices)
    mode = serializers.ChoiceField(choices=MealMode.choices)
    canteen = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)


class MealOrderCreatedSerializer(api_fields.Serializer):
    id = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(max_digits=10, decimal_places=2)
    subsidy = serializers.DecimalField(max_digits=10, decimal_places=2)
    payable = serializers.DecimalField(max_digits=10, decimal_places=2)


class MealOrderSerializer(MealOrderCreatedSerializer):
    resident = serializers.IntegerField(source="resident_id")
    resident_name = serializers.CharField(source="resident.name")
    canteen = serializers.IntegerField(source="canteen_id")
    date = serializers.DateField()
    meal = serializers.CharField()
    mode = serializers.CharField()
    status = serializers.CharField()
    channel = serializers.CharField()


class KitchenMealSerializer(api_fields.Serializer):
    meal = serializers.CharField()
    dine_in = serializers.IntegerField()
    delivery = serializers.IntegerField()
    total = serializers.IntegerField()


class KitchenCountSerializer(api_fields.Serializer):
    canteen = serializers.IntegerField()
    date = serializers.DateField()
    total = serializers.IntegerField()
    meals = KitchenMealSerializer(many=True)


@extend_schema_view(list=extend_schema(responses={200: MealOrderSerializer(many=True), **error_responses(400, 401, 403)}))
class MealOrderViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Meal orders (助餐订单): a resident orders for himself and his household, staff for the residents of their
    jurisdiction."""

    serializer_class = MealOrderSerializer

    def _is_resident(self) -> bool:
        return self.request.user.role == Role.RESIDENT

    def get_queryset(self):
        if self._is_resident():
            people = residents_of_account(user=self.request.user)
            return selectors.orders_of_residents(residents=people, date_from=timezone.localdate()
                                                 - dt.timedelta(days=62))
        require_capability(self.request, "eldercare.view")
        return selectors.order_list(user=self.request.user, include_cancelled=True)

    @extend_schema(request=MealOrderCreateSerializer,
                   responses={201: MealOrderCreatedSerializer, **error_responses(400, 401, 403, 409, 415)})
    def create(self, request, *args, **kwargs):
        if not self._is_resident():
            require_capability(request, "eldercare.order")
        data = MealOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        resident = resident_for_order(user=request.user, pk=d["resident"])
        if resident is None:
            raise DomainError(_("找不到该居民，或不在您的服务范围内。"),
                              {"resident": [_("居民不存在或不在您的辖区内。")]})
        canteen = None
        if d.get("canteen"):
            canteen = selectors.canteen_choices().filter(pk=d["canteen"]).first()
            if canteen is None:
                raise DomainError(_("助餐点不存在或已停用。"), {"canteen": [_("助餐点不存在或已停用。")]})
        order = services.meal_order_create(actor=request.user, resident=resident, date=d["date"], meal=d["meal"],
                                           mode=d["mode"], canteen=canteen)
        return Response(MealOrderCreatedSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: MealOrderSerializer, **error_responses(400, 401, 403, 404, 409)},
                   parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        # Cancelling needs the ordering capability, not the list's: the 96980 seat orders and cancels for a caller
        # without reading the order lists.
        if self._is_resident():
            orders = self.get_queryset()
        else:
            require_capability(request, "eldercare.order")
            orders = selectors.order_list(user=request.user, include_cancelled=True)
        try:
            order = orders.get(pk=int(pk))
        except (ValueError, TypeError, ObjectDoesNotExist):
            raise Http404 from None
        order = services.meal_order_cancel(actor=request.user, order=order)
        return Response(MealOrderSerializer(order).data)


class KitchenCountViewSet(viewsets.ViewSet):
    """A canteen's count for one day (厨房备餐数): per meal, dine-in and delivery."""

    @extend_schema(parameters=[OpenApiParameter("canteen", OpenApiTypes.INT, required=True),
                               OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
                   responses={200: KitchenCountSerializer, **error_responses(400, 401, 403, 404)})
    def list(self, request):
        require_capability(request, "eldercare.kitchen")
        errors = {}
        try:
            day = dt.datetime.strptime(request.query_params.get("date", ""), "%Y-%m-%d").date()
        except ValueError:
            errors["date"] = [_("日期格式应为 YYYY-MM-DD。")]
        if not request.query_params.get("canteen", "").isdigit():
            errors["canteen"] = [_("请指定助餐点。")]
        if errors:
            raise DomainError(_("查询条件有误。"), errors)
        canteen = selectors.canteen_get(user=request.user, pk=request.query_params["canteen"])
        count = selectors.kitchen_count(canteen=canteen, day=day)
        return Response(KitchenCountSerializer({"canteen": canteen.pk, "date": day, "total": count["total"],
                                                "meals": count["meals"]}).data)
