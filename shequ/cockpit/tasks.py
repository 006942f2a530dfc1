"""Background work of the cockpit: the leaders' figures computed ahead of their visit."""

from django.utils.translation import gettext_lazy

from shequ.core.dbrouter import replica_reads
from shequ.core.tasks import shequ_task

from . import selectors


@shequ_task(label=gettext_lazy("领导驾驶舱：预先计算本月数字"))
def prefill_overviews(since: str = "", due: str = "") -> int:
    with replica_reads():  # figures: a replica within its lag bound serves them when one is configured
        return selectors.overview_prefill()
