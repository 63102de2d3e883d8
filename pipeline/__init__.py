"""newsbeam: options, CLI, readers/writers and graph assembly."""

__version__ = "0.1.0"
