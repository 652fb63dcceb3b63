"""joblog-dash: follow the use of Joblog across Danish municipalities."""

__version__ = "0.1.0"
