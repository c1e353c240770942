from django.urls import path

from . import order_views as views

urlpatterns = [
    # before orders/<number>/ so that "track" is never read as an order number
    path("orders/track/", views.OrderTrackView.as_view(), name="api-orders-track"),
    path("orders/", views.OrderListView.as_view(), name="api-orders"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
    path("orders/<str:number>/returns/", views.OrderReturnsView.as_view(), name="api-order-returns"),
    path("orders/<str:number>/invoice/", views.OrderInvoiceView.as_view(), name="api-order-invoice"),
]
