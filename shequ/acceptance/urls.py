app_name = "acceptance"

urlpatterns = []
api_urlpatterns = []
