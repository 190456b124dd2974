"""Confirmation pages: a GET of a destructive action's URL asks first, its POST does it.

Plain pages rather than script dialogs: they work without JavaScript and under the CSP.
"""

from django.shortcuts import render


def confirm_page(request, *, heading, lines, button, cancel_url, button_class="button--danger"):
    context = {
        "heading": heading,
        "lines": lines,
        "button": button,
        "button_class": button_class,
        "cancel_url": cancel_url,
        "action": request.path,
    }
    return render(request, "dashboard/confirm.html", context)
