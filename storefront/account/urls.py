from django.urls import path

from . import views

app_name = "account"

urlpatterns = [
    path("account/", views.overview, name="overview"),
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", views.LogoutView.as_view(), name="logout"),
    path("account/register/", views.register, name="register"),
    path("account/password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/password/reset/", views.password_reset_request, name="password_reset"),
    path("account/password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "account/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/addresses/", views.address_list, name="addresses"),
    path("account/addresses/add/", views.address_add, name="address_add"),
    path("account/addresses/<id:address_id>/edit/", views.address_edit, name="address_edit"),
    path("account/addresses/<id:address_id>/delete/", views.address_delete, name="address_delete"),
    path("account/addresses/<id:address_id>/default/", views.address_make_default, name="address_make_default"),
    path("account/orders/", views.order_list, name="orders"),
    path("account/orders/<str:number>/", views.order_detail, name="order_detail"),
    path("account/orders/<str:number>/invoice/", views.order_invoice, name="order_invoice"),
    path("account/orders/<str:number>/return/", views.order_return_request, name="order_return"),
    path("account/orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
    path("account/orders/<str:number>/reorder/", views.order_reorder, name="order_reorder"),
]
