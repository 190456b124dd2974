from django.urls import path

from people import views

app_name = "people"
urlpatterns = [
    path("photos/<int:pk>/image", views.photo_image, name="photo-image"),
]
