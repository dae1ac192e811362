from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from workup.forms.login import LoginForm
from workup.interop.cds_hooks import views as cds_hooks
from workup.views import health, whoami

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("whoami", whoami.whoami, name="whoami"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("workup.interop.api")),
    path("fhir/r4/", include("workup.interop.fhir.views")),
    path("cds-services", cds_hooks.services_list, name="cds_services"),  # CDS Hooks: {baseUrl}/cds-services
    path("cds-services/", include(cds_hooks.urlpatterns)),
    path("letters/", include("workup.views.letters")),
    path("handouts/", include("workup.views.handouts")),
    path("clinic/", include("workup.views.clinic")),
    path("", include("workup.views.screens")),
]

handler500 = "workup.views.errors.server_error"
