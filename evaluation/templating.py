"""Templates compiled once per language, their constant `_("…")` translated as they are compiled.

Run as written, every `_("…")` in a template costs a catalogue lookup through Jinja's context at each render
(5 µs; a page has about 60). Here each language gets its own compiled copy of each template, in which
`_("Đăng xuất")` is already "Log out" or "Đăng xuất". The result is the same text Jinja's newstyle gettext
gives: the translation as markup when the template escapes, formatted with its variables escaped.
`_(s.title)` and other calls on a value stay calls, run when the page renders.
"""

import functools
import hashlib
import weakref
from collections import ChainMap
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, templating
from flask.globals import _cv_request
from jinja2 import FileSystemBytecodeCache, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from .i18n import current_language, translations

TRANSLATING = ("_", "gettext")  # the names templates translate with; see i18n.install_in_templates


class Environment(templating.Environment):
    """Flask's template environment, keyed by language where it compiles and caches."""

    def _load_template(self, name: str, globals: Any) -> Any:  # noqa: A002  (Jinja's own signature)
        # Jinja's own, with the page's language in the cache key: the compiled template holds its translations.
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        cache: Any = self.cache
        key = (weakref.ref(self.loader), name, current_language())
        template = cache.get(key) if cache is not None else None
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        template = self.loader.load(self, name, self.make_globals(globals))
        if cache is not None:
            cache[key] = template
        return template

    def make_globals(self, d: Any) -> ChainMap:
        return _Globals(d if d is not None else {}, self.globals)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if _bound_names(tree) & set(TRANSLATING):
            return tree  # the template names something `_` itself: left to run as written
        return _Translate(self, translations()).visit(tree)


class _Globals(ChainMap):
    """A template's globals over the environment's, as Jinja keeps them, asked without exceptions.

    Every `{% import %}` of every render asks whether each of the context's thirty-odd globals is one of the
    imported template's: ChainMap answers `in` with a generator it abandons (a GeneratorExit each time, 140 a
    form page) and a lookup in a later map with a KeyError from each map before. Both maps are plain dicts, so
    `in` can ask them directly (ChainMap avoids it for the sake of defaultdicts)."""

    def _holder(self, key: Any) -> Any:
        """The first map that has `key`, or None."""
        for mapping in self.maps:
            if key in mapping:
                return mapping
        return None

    def __contains__(self, key: object) -> bool:
        return self._holder(key) is not None

    def __getitem__(self, key: Any) -> Any:
        mapping = self._holder(key)
        return mapping[key] if mapping is not None else self.__missing__(key)

    def keys(self) -> Any:
        # Jinja subtracts these from a set at every `{% import %}`: from a ChainMap's keys that is a Python
        # membership test per name, from a dict's keys one C loop. A view of a copy: nothing keeps it.
        return self._flat().keys()

    def __iter__(self) -> Any:
        return iter(self._flat())

    def _flat(self) -> dict:
        flat: dict = {}
        for mapping in reversed(self.maps):
            flat.update(mapping)
        return flat


class _Translate(NodeTransformer):
    """`_("…")` with a constant text becomes its translation; with variables, the translation `%` them."""

    def __init__(self, environment: Environment, catalogue):
        self.environment, self.catalogue = environment, catalogue

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802  (Jinja's visitor naming)
        self.generic_visit(node)  # in place: calls inside the arguments first
        source = _constant_text(node)
        if source is None:
            return node
        text = self.catalogue.ugettext(source)
        if node.kwargs:
            variables = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs])
            folded: nodes.Expr = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), variables)
        else:
            try:
                folded = nodes.MarkSafeIfAutoescape(nodes.Const(text % {}))  # "%%" is "%", as gettext formats it
            except (KeyError, TypeError, ValueError):
                return node  # a text that cannot be formatted fails where it is rendered, as before
        return folded.set_lineno(node.lineno).set_environment(self.environment)


def _bound_names(tree: nodes.Template) -> set[str]:
    """The names a template assigns, loops over, takes as macro arguments, defines as macros or imports."""
    bound = {name.name for name in tree.find_all(nodes.Name) if name.ctx != "load"}
    bound |= {macro.name for macro in tree.find_all(nodes.Macro)}
    bound |= {imported.target for imported in tree.find_all(nodes.Import)}
    for imported in tree.find_all(nodes.FromImport):
        bound |= {name if isinstance(name, str) else name[1] for name in imported.names}
    return bound


def _constant_text(call: nodes.Call) -> str | None:
    """The text of `_("…")` called with a constant (and only named variables besides), else None."""
    if not isinstance(call.node, nodes.Name) or call.node.name not in TRANSLATING or len(call.args) != 1:
        return None
    if call.dyn_args or call.dyn_kwargs or not isinstance(call.args[0], nodes.Const):
        return None
    return call.args[0].value if isinstance(call.args[0].value, str) else None


class BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates on disk, one file per template and language: the key names the language and the
    catalogue's content, so new translations are compiled again, not read from an old file."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{name}\0{_fingerprint(current_language())}", filename)


_fingerprints: dict[str, str] = {}


def _fingerprint(language: str) -> str:
    if (known := _fingerprints.get(language)) is None:
        entries = sorted(getattr(translations(), "_catalog", {}).items(), key=repr)
        known = _fingerprints[language] = f"{language}:{hashlib.sha256(repr(entries).encode()).hexdigest()[:16]}"
    return known


def render_blocks(name: str, **values: Any) -> dict[str, Markup]:
    """Each block of a template rendered on its own, from the same values: the parts of a page that are kept
    apart from the rest of it. Only `values` and the environment's globals are seen, not the request's
    context (no `current_user`), so a part cannot depend on who asked for it by accident."""
    template = current_app.jinja_env.get_template(name)
    context = template.new_context(values)
    return {block: Markup("".join(render(context))) for block, render in template.blocks.items()}


def _plain(item: tuple[str, Any]) -> bool:
    """A value an address may be kept by: a number or a short text (a search someone typed could fill the
    memory), not one of Flask's own (`_external`...)."""
    name, value = item
    return (type(value) is int or (type(value) is str and len(value) <= 200)) and not name.startswith("_")


def kept_url_for(app: Flask) -> Callable[..., str]:
    """The templates' `url_for`, keeping the addresses it has built: Flask builds each anew, through the URL map
    and the `url_defaults` hooks, about 10 µs each, and a page builds the same ones every time it is drawn (the
    menu's links, a form's action, a rollup's links to its exports). Kept per application root, since a worker
    may be mounted under a prefix; only for values that are plain numbers and text, whose equal keys make the
    same address (True equals 1 as a key, and writes another), and without Flask's own `_external` (a host)
    or `_anchor`. Not on a developer's server, whose static files' versions change as they are edited.
    It holds while no `url_defaults` hook reads the request: the one there is adds a static file's version."""
    build = app.url_for

    @functools.lru_cache(maxsize=4096)  # a province's pages link a few hundred organizations: kept, and bounded
    def kept(_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
        return build(endpoint, **dict(values))

    def url_for(endpoint: str, **values: Any) -> str:
        context = _cv_request.get(None)
        if context is None or endpoint.startswith(".") or app.debug or not all(map(_plain, values.items())):
            return build(endpoint, **values)
        return kept(context.request.script_root, endpoint, tuple(values.items()))

    return url_for
