"""One page of a long list (a course's roster, its report), and the links to the others."""

from django.core.paginator import Page, Paginator

PER_PAGE = 100


def page_of(request, items, *, per_page: int = PER_PAGE) -> Page:
    """The page the request asks for (`?page=`); a missing or wrong number gives the first or
    the last page, never an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The request's other parameters (search, filter, date range), kept by the page links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
