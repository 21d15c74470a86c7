from django.urls import path

from agencies import views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("add/", views.agency_create, name="create"),
    path("<int:pk>/", views.agency_detail, name="detail"),
    path("<int:pk>/edit/", views.agency_update, name="update"),
    path("<int:pk>/deactivate/", views.agency_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.agency_reactivate, name="reactivate"),
    path("<int:agency_pk>/people/add/", views.contact_create, name="contact_create"),
    path("<int:agency_pk>/people/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path(
        "<int:agency_pk>/people/<int:pk>/deactivate/",
        views.contact_deactivate,
        name="contact_deactivate",
    ),
]
