"""Page URLs for long lists of Wagtail pages (an induction task list links to ~45 items)."""

import re
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.models import Page, Site

#: The paths Wagtail's serve view answers (wagtail.urls: `^((?:[\w\-]+/)*)$`).
_SERVABLE = re.compile(r"(?:[\w\-]+/)*")


def page_urls(pages, request) -> dict:
    """{pk: URL} of pages (anything with `pk` and `url_path`, such as plain rows), each as
    `{% pageurl page %}` gives it (`Page.get_url(request)`).

    Wagtail reverses its serve URL once per page, about a tenth of a millisecond each. With
    one site and no translations the URL is the serve view's address of the page's path
    below the site root, quoted as `reverse` quotes it, so it is joined as a string after one
    `reverse`. Anything else (several sites, i18n, no trailing slash, a page outside the
    root) is left to Wagtail, with the pages loaded in one query."""
    pages = list(pages)
    if not pages:
        return {}
    urls, for_wagtail = {}, []
    roots = Site.get_site_root_paths()
    if (
        len(roots) == 1
        and not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        and getattr(settings, "WAGTAIL_APPEND_SLASH", True)
    ):
        root_path = roots[0].root_path
        serve_prefix = reverse("wagtail_serve", args=("",))
        for page in pages:
            below_root = page.url_path[len(root_path):]
            if page.url_path.startswith(root_path) and _SERVABLE.fullmatch(below_root):
                urls[page.pk] = serve_prefix + quote(below_root, safe=RFC3986_SUBDELIMS + "/~:@")
            else:
                for_wagtail.append(page.pk)
    else:
        for_wagtail = [page.pk for page in pages]
    for page in Page.objects.filter(pk__in=for_wagtail) if for_wagtail else ():
        urls[page.pk] = page.get_url(request=request)
    return urls
