"""The browser files the app's page loads, and a check that every one is on this computer.

Solara's page loads its JavaScript and CSS (Vue, Vuetify, the widget manager, RequireJS, the
grid layout, Font Awesome) from ``/_solara/cdn/<npm package>@<version>/...``. The server
answers those from a local folder (``solara.server.settings.assets.proxy_cache_dir``,
``<venv>/share/solara/cdn``) and otherwise fetches them from jsDelivr. Without internet a
missing file is a 404 after seconds of retries, and the user sees a blank page.

The ``app`` extra installs ``solara-assets``, which fills that folder, and pins ipyvue and
ipyvuetify to their Vue 2 releases: the newest ``solara-assets`` ships the Vue 2 front end
(``@widgetti/solara-vuetify-app``) that solara asks for, but not the Vue 3 one
(``@widgetti/solara-vuetify3-app@5.2.0``) that solara would load with ipyvue 3.

:func:`page_assets` reads the file list from solara's own page template and grid-layout
component, so that it follows a solara upgrade instead of a list copied here;
:func:`check_assets` runs before the server starts and names whatever is missing.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from loyaltysim.scenario.problems import UserError

#: An asset URL in solara's page template: ``{{cdn}}/<path>``.
_TEMPLATE_URL = re.compile(r"\{\{cdn\}\}/([^\"'\s<>]+)")
#: An asset URL in a solara Vue component: ``${this.getCdn()}/<path>``.
_COMPONENT_URL = re.compile(r"\$\{this\.getCdn\(\)\}/([^`'\"\s]+)")
#: The front-end bundle of each Vue major version (the template holds both branches).
_FRONT_END = {2: "@widgetti/solara-vuetify-app@", 3: "@widgetti/solara-vuetify3-app@"}
#: What to run when an asset is missing.
INSTALL_HINT = "pip install -e '.[app]'"


def vue_major() -> int:
    """The Vue major version of the installed ipyvue (ipyvue 3 is Vue 3, older is Vue 2).

    Solara picks its front end the same way (``ipyvue.__version__.startswith("3")``).
    """
    return 3 if metadata.version("ipyvue").startswith("3") else 2


def page_assets() -> list[str]:
    """The paths under ``/_solara/cdn/`` that the app's page loads, sorted.

    Those of solara's page template (for the installed Vue and ipywidgets major versions),
    Font Awesome if solara loads it, and those of the grid layout that ``SolaraViz`` puts
    its figures in.
    """
    import solara
    import solara.server.settings as server_settings

    root = Path(solara.__file__).parent
    template = (root / "server/templates/solara.html.j2").read_text(encoding="utf-8")
    widgets = metadata.version("ipywidgets").split(".")[0]
    vue = vue_major()
    other = _FRONT_END[3 if vue == 2 else 2]  # the other Vue version's front end: not loaded
    paths = {
        path.replace("{{ipywidget_major_version}}", widgets)
        for path in _TEMPLATE_URL.findall(template)
        if not path.startswith(other)
    }
    if server_settings.assets.fontawesome_enabled:
        paths.add(server_settings.assets.fontawesome_path.lstrip("/"))
    grid = "gridlayout_v3.vue" if vue == 3 else "gridlayout.vue"
    paths.update(_COMPONENT_URL.findall((root / "widgets/vue" / grid).read_text(encoding="utf-8")))
    return sorted(paths)


def cache_dir() -> Path:
    """The folder solara serves ``/_solara/cdn/`` from (``SOLARA_ASSETS_PROXY_CACHE_DIR``)."""
    import solara.server.settings as server_settings

    return Path(server_settings.assets.proxy_cache_dir)


def missing_assets(folder: Path | None = None) -> list[str]:
    """The :func:`page_assets` that are not in ``folder`` (default :func:`cache_dir`)."""
    folder = cache_dir() if folder is None else folder
    return [path for path in page_assets() if not (folder / path).is_file()]


def check_assets(folder: Path | None = None) -> None:
    """Raise :class:`UserError` naming the page's missing browser files and how to get them."""
    folder = cache_dir() if folder is None else folder
    absent = missing_assets(folder)
    if not absent:
        return
    lines = [
        f"`loyaltysim app` cannot start: the page's browser files are missing from {folder}",
        *(f"  {path}" for path in absent),
    ]
    if vue_major() == 3:
        lines.append(
            f"  ipyvue {metadata.version('ipyvue')} makes solara load its Vue 3 front end, "
            "which no solara-assets release ships; the `app` extra pins ipyvue and "
            f"ipyvuetify to Vue 2: {INSTALL_HINT}"
        )
    else:
        lines.append(f"  they come with solara-assets, in the `app` extra: {INSTALL_HINT}")
    raise UserError("\n".join(lines))
