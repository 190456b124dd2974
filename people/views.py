from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from people.selectors import photos_for


@require_GET
@login_required
def photo_image(request, pk: int):
    """Photo files are biometric data: streamed only to users who may see the person."""
    photo = get_object_or_404(photos_for(request.user), pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("The image file is missing.")) from None
    response = FileResponse(handle)
    response["Cache-Control"] = "no-store"  # biometric data: never kept by a browser or proxy
    return response
