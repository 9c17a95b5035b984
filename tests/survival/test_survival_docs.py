"""The survival user guide's code prints what the page shows."""

import contextlib
import io
import re
import textwrap
import warnings
from pathlib import Path

GUIDE = Path(__file__).parents[2] / "docs" / "user_guide" / "survival.rst"


def _blocks(kind):
    pattern = rf"\.\. code-block:: {kind}\n\n((?:   .*\n|\n)+)"
    return [textwrap.dedent(block) for block in re.findall(pattern, GUIDE.read_text())]


def _lines(text):
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_user_guide_code_prints_what_the_page_shows():
    code, shown = _blocks("python"), _blocks("text")
    assert len(code) == len(shown) >= 12
    namespace = {}
    for block, output in zip(code, shown, strict=True):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("error")
            exec(compile(block, str(GUIDE), "exec"), namespace)
        assert _lines(printed.getvalue()) == _lines(output), block
