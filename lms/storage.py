"""Static files storage that tolerates missing source maps.

wagtail-nhsuk-frontend's CSS and JS name `.map` files it does not ship, which
makes the manifest storage fail at collectstatic.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    patterns = (
        ("*.css", (
            (r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""", """url("%(url)s")"""),
            (r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""", """@import url("%(url)s")"""),
        )),
    )
