"""What the OpenAPI schema says about our authentication (drf-spectacular's schema class and
extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from accounts.permissions import Access

from .permissions import access_of


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's, knowing our `access`: a public operation (a survey by its link's token)
    says credentials are optional, as its AllowAny would."""

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        if access_of(self.view, self.method) is Access.PUBLIC and {} not in auths:
            auths.append({})
        return auths


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your profile's API tokens page "
            "(or by `manage.py api_token_create`). `Token <token>` is accepted too.",
        }
