from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/answer/<str:token>/", views.answer_by_token, name="answer_by_token"),
    path("surveys/answer/<str:token>/thanks/", views.thanks_by_token, name="thanks_by_token"),
    path("surveys/<int:pk>/", views.answer, name="answer"),
    path("desk/grades/", views.grades_mine, name="grades_mine"),
    path("desk/recovery/", views.recovery_queue, name="recovery_queue"),
    path("desk/recovery/<int:pk>/", views.recovery_detail, name="recovery_detail"),
    path("desk/recovery/<int:pk>/take/", views.recovery_take, name="recovery_take"),
    path("desk/recovery/<int:pk>/contact/", views.recovery_contact, name="recovery_contact"),
    path("desk/recovery/<int:pk>/close/", views.recovery_close, name="recovery_close"),
    path("desk/recovery/<int:pk>/reopen/", views.recovery_reopen, name="recovery_reopen"),
    path("desk/surveys/<int:pk>/indifference/", views.indifference_flag, name="indifference_flag"),
]
