"""YAML for the data files beside the Markdown (the decision aid, the instrument registry):
a safe loader (libyaml's where installed) that records each mapping's line (1-based) under
``__line__``, with aliases bounded as in the frontmatter (:func:`akgraph.source.reader.check_node`).
"""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]

from akgraph.source.reader import check_node


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that records each mapping's line under ``__line__``."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    value = loader.construct_mapping(node, deep=True)
    value["__line__"] = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(text: str) -> Any:
    """The YAML document in ``text`` with lines recorded; raises ``yaml.YAMLError`` or
    :class:`~akgraph.source.reader.FrontmatterError` (recursive or too many aliases)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
