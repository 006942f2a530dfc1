"""REST API of the acceptance centre (/api/v1/acceptance/), laid out like NetBox's `api/` packages:
`serializers.py` (the contract's shapes), `views.py` (thin viewsets over selectors and services), `auth.py`
(hall devices), `urls.py` (the router `shequ.acceptance.urls` mounts)."""
