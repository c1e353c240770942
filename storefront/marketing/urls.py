from django.urls import path

from . import views

app_name = "marketing"

urlpatterns = [
    path("back-in-stock/", views.back_in_stock_subscribe_view, name="back_in_stock_subscribe"),
    path("back-in-stock/unsubscribe/<uuid:token>/", views.back_in_stock_unsubscribe_view,
         name="back_in_stock_unsubscribe"),
    path("cart/restore/<str:token>/", views.cart_restore_view, name="cart_restore"),
    path("cart/reminders/stop/<str:token>/", views.cart_reminders_opt_out_view, name="cart_reminders_opt_out"),
]
