import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
application = get_wsgi_application()

# The first PDF of the day (a clerk's receipt) should not wait for WeasyPrint and the CJK font to load.
from shequ.core.pdf import warm_up_in_background  # noqa: E402

warm_up_in_background()
