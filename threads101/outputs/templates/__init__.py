"""The Jinja templates of the HTML outputs (feedback pages, the class report)."""

from jinja2 import Environment, PackageLoader

TEMPLATES = Environment(loader=PackageLoader("threads101.outputs", "templates"), autoescape=True)
