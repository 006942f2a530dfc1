from django.urls import path

from . import views

app_name = "charity"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.stock, name="stock"),
    path("<int:pk>/goods/<int:goods_pk>/", views.goods_detail, name="goods"),
    path("<int:pk>/donations/", views.donations, name="donations"),
    path("<int:pk>/donations/new/", views.donation_new, name="donation-new"),
    path("<int:pk>/donations/<int:donation_pk>/", views.donation_detail, name="donation"),
    path("<int:pk>/donations/<int:donation_pk>/receipt.pdf", views.donation_receipt, name="donation-receipt"),
    path("<int:pk>/counter/", views.counter, name="counter"),
    path("<int:pk>/counter/<int:household_pk>/", views.counter_household, name="counter-household"),
    path("<int:pk>/report/", views.report, name="report"),
]
api_urlpatterns: list = []
