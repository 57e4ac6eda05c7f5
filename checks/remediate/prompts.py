"""The one loader of the prompt templates (`prompts/*.j2`, shipped as `checks/prompts/`).

`StrictUndefined`: a template that names a value the caller did not give fails loudly instead of
sending the model an empty string. Autoescaping is off: the output is a prompt, not HTML.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PROMPTS), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=True, trim_blocks=False)


def render(template: str, /, **context) -> str:
    """Render `prompts/<template>.md.j2` with `context`."""
    return environment().get_template(f"{template}.md.j2").render(**context).strip() + "\n"
