from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("customers/<int:user_id>/", views.customer_detail, name="detail"),
    path("customers/<int:user_id>/profile/", views.customer_profile_edit, name="profile_edit"),
    path("customers/<int:user_id>/category/", views.customer_category_edit, name="category_edit"),
    path("customers/<int:user_id>/arrangements/", views.arrangement_add, name="arrangement_add"),
    path("customers/suggestions/<int:pk>/decide/", views.suggestion_decide, name="suggestion_decide"),
]
