app_name = "grid"

urlpatterns = []
api_urlpatterns = []
open311_urlpatterns = []
