"""The token endpoints: obtain (a new token once the old one expired) and revoke your own."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.tokens import is_expired, revoke_tokens


class ObtainExpiringToken(ObtainAuthToken):
    """The token endpoint: the current token, or a new one when the old one has expired."""

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # deep JSON nesting is a 400

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        if is_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class RevokeOwnTokens(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="Revoke your API tokens.")
    def post(self, request):
        revoke_tokens(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
