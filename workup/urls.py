from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("workup.interop.api")),
    path("letters/", include("workup.views.letters")),
    path("handouts/", include("workup.views.handouts")),
    path("clinic/", include("workup.views.clinic")),
    path("", include("workup.views.screens")),
]
