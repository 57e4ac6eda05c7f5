"""The one loader of the prompt templates (`prompts/*.j2`, shipped as `checks/prompts/`).

`StrictUndefined`: a template that names a value the caller did not give fails loudly instead of
sending the model an empty string. HTML autoescaping is off (the output is a prompt), but every
interpolated value goes through `quoted`: reviewed code, column names, paths and the model's own
earlier answers are data between the prompt's delimiters (`<evidence>`, `<facts>`, `<code>`...), and a
value that holds such a tag (`</evidence>` in a string of the reviewed code) cannot close or open one.
A rendered prompt handed back into a template (the repair prompt quotes the task) is `Rendered` and
kept as is: its delimiters are the template's own.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import re

import jinja2

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


# The delimiters the templates use around data; a value may contain none of them.
DELIMITER = re.compile(r"<(?=\s*/?\s*(?:evidence|facts|finding|code|question|task|previous|files|fixes)\b)", re.I)


class Rendered(str):
    """A prompt this module rendered: quoting it again would break its own delimiters."""


def quoted(value: object) -> object:
    """`value` safe to place between delimiters: `<` of any delimiter tag in it becomes `&lt;`."""
    if isinstance(value, Rendered) or not isinstance(value, str):
        return value
    return DELIMITER.sub("&lt;", value)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PROMPTS), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=True, trim_blocks=False, finalize=quoted)


def render(template: str, /, **context) -> Rendered:
    """Render `prompts/<template>.md.j2` with `context`."""
    return Rendered(environment().get_template(f"{template}.md.j2").render(**context).strip() + "\n")
