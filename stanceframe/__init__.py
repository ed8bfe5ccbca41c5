"""stanceframe: stance and framing classification for media-bias comparison."""

__version__ = "0.1.0"
