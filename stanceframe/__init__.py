"""stanceframe: stance and framing classification for media-bias comparison.

    import stanceframe
    m = stanceframe.load()
    m.score(["Baku sent aid to Ukraine."])
"""

__version__ = "0.2.0"

from .api import Model, compare, load, summarize, train  # noqa: E402

__all__ = ["Model", "compare", "load", "summarize", "train", "__version__"]
