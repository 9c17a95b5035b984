"""Linear hypotheses ``R θ = q`` from a matrix or from text over the parameter names.

The text form is a linear equation in the names of ``param_names_``:
``"x1 = x2"``, ``"x3 = 0"``, ``"2*x1 - x2 = 1"``, ``"x1 + x2"`` (``= 0`` implied);
several equations, separated by commas or given as a list, are tested jointly.
A name is matched as a whole, longest first, so names that contain spaces,
colons or operator characters (``"b:x1"``, ``"log-income"``) work as written.

Numbers and names are never confused. A name that could itself be read as
numbers, operators and other names (a DataFrame column ``"1"``, ``"1e3"`` or
``"2*x1"`` beside ``"x1"``) is not matched bare: the text means the number or
the expression, and the name is written in backticks, as in pandas'
``DataFrame.query``: ``"x1 = `1`"``. Any name may be written in backticks.
"""

import re

import numpy as np

from ._result import format_restriction

_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OPERATORS = "+-*=,"
_PIECES = re.compile(r"[+\-*=,]")


def _is_word_char(char):
    return char.isalnum() or char == "_"


def _needs_quotes(name, names):
    """Whether ``name`` cannot be written bare: it also reads as numbers, operators and
    other ``names``, or the reader cannot reach it (empty, or edged with spaces).

    Such a name is matched only in backticks. Only names that start with a
    digit or a point, or hold an operator, can read as something else.
    """
    if not name or name != name.strip():
        return True
    if _PIECES.fullmatch(name[0]) or _PIECES.fullmatch(name[-1]):
        # An operator at an edge would swallow the writer's operator next to
        # it: "*:" read inside "2*:1".
        return True
    if not (name[0].isdigit() or name[0] == "." or _PIECES.search(name)):
        return False
    pieces = [piece.strip() for piece in _PIECES.split(name)]
    return all(
        not piece or _NUMBER.fullmatch(piece) or (piece != name and piece in names)
        for piece in pieces
    )


def written_names(names):
    """The names as a hypothesis writes them: in backticks where they need it."""
    names = [str(name) for name in names]
    known = set(names)
    return [f"`{name}`" if _needs_quotes(name, known) else name for name in names]


def _shown(names):
    return ", ".join(repr(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")


def _quoted(text, pos, names):
    """Read the backticked name at ``pos``; return (index, next position)."""
    end = text.find("`", pos + 1)
    if end < 0:
        raise ValueError(
            f"The hypothesis {text!r} opens a backtick at position {pos} without closing "
            "it; write a quoted name as `name`."
        )
    name = text[pos + 1 : end]
    if name not in names:
        raise ValueError(
            f"`{name}` in the hypothesis {text!r} is not a parameter name. The parameters "
            f"are {_shown(names)}."
        )
    return names.index(name), end + 1


def _number(text, match):
    value = float(match.group())
    if not np.isfinite(value):
        raise ValueError(
            f"The number {match.group()!r} in the hypothesis {text!r} is not finite in "
            "double precision (magnitudes above 1.8e308 overflow); rescale the equation."
        )
    return value


def _tokenize(text, names):
    """Split ``text`` into ("name", index), ("number", value) and ("op", char) tokens."""
    known = set(names)
    bare = [j for j in range(len(names)) if not _needs_quotes(names[j], known)]
    by_length = sorted(bare, key=lambda j: -len(names[j]))
    tokens, pos = [], 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        if char == "`":
            index, pos = _quoted(text, pos, names)
            tokens.append(("name", index))
            continue
        match = _match_name(text, pos, names, by_length)
        if match is not None:
            tokens.append(("name", match))
            pos += len(names[match])
            continue
        number = _NUMBER.match(text, pos)
        if number and not (number.end() < len(text) and _is_word_char(text[number.end()])):
            tokens.append(("number", _number(text, number)))
            pos = number.end()
            continue
        if char in _OPERATORS:
            tokens.append(("op", char))
            pos += 1
            continue
        word = re.match(r"[^\s+\-*=,]+", text[pos:]).group()
        raise ValueError(
            f"Cannot read {word!r} in the hypothesis {text!r}: it is neither a number "
            f"nor a parameter name. The parameters are {_shown(names)}. Write products "
            "as '2*x1', and names that read as numbers or expressions in backticks "
            "('`1`')."
        )
    return tokens


def _match_name(text, pos, names, by_length):
    for j in by_length:
        name = names[j]
        if not name or not text.startswith(name, pos):
            continue
        end = pos + len(name)
        # "x1" must not match the start of "x10": a name ending in a word
        # character needs a boundary after it.
        if _is_word_char(name[-1]) and end < len(text) and _is_word_char(text[end]):
            continue
        return j
    return None


def _side(tokens, text, k):
    """Parse ``[sign] term {sign term}`` into coefficients and a constant."""
    row, constant = np.zeros(k), 0.0
    if not tokens:
        raise ValueError(f"The hypothesis {text!r} has an empty side of its equation.")
    i, first = 0, True
    while i < len(tokens):
        sign, n_signs = 1.0, 0
        while i < len(tokens) and tokens[i][0] == "op" and tokens[i][1] in "+-":
            sign = -sign if tokens[i][1] == "-" else sign
            i, n_signs = i + 1, n_signs + 1
        if not first and n_signs == 0:
            raise ValueError(f"Expected '+', '-' or '=' in the hypothesis {text!r}.")
        if i == len(tokens):
            raise ValueError(f"The hypothesis {text!r} ends with an operator.")
        factor, name, i = _term(tokens, i, text)
        if name is None:
            constant += sign * factor
        else:
            row[name] += sign * factor
        first = False
    return row, constant


def _term(tokens, i, text):
    """Parse ``factor {'*' factor}`` with at most one name; return (number, name, next)."""
    factor, name = 1.0, None
    while True:
        kind, value = tokens[i] if i < len(tokens) else ("end", None)
        if kind == "number":
            factor *= value
        elif kind == "name":
            if name is not None:
                raise ValueError(
                    f"The hypothesis {text!r} multiplies two parameters; a linear "
                    "hypothesis allows a number times a parameter only."
                )
            name = value
        else:
            raise ValueError(f"Expected a number or a parameter name in the hypothesis {text!r}.")
        i += 1
        if i < len(tokens) and tokens[i] == ("op", "*"):
            i += 1
            continue
        return factor, name, i


def _equation(tokens, text, k, hint):
    sides = [[]]
    for token in tokens:
        if token == ("op", "="):
            sides.append([])
        else:
            sides[-1].append(token)
    if len(sides) > 2:
        raise ValueError(f"The hypothesis {text!r} has more than one '='.")
    left_row, left_const = _side(sides[0], text, k)
    if len(sides) == 1:
        right_row, right_const = np.zeros(k), 0.0
    else:
        right_row, right_const = _side(sides[1], text, k)
    row, value = left_row - right_row, right_const - left_const
    if not (np.all(np.isfinite(row)) and np.isfinite(value)):
        raise ValueError(
            f"The hypothesis {text!r} has a coefficient or constant that overflows double "
            "precision (its magnitude exceeds 1.8e308); rescale the equation."
        )
    if not np.any(row):
        raise ValueError(f"The hypothesis {text!r} involves no parameter.{hint}")
    return row, value


def parse_hypotheses(text, names):
    """Return ``R`` and ``q`` for hypotheses written over ``names``.

    Parameters
    ----------
    text : str or sequence of str
        One or more linear equations; commas separate equations within a string.
    names : sequence of str
        The parameter names, in the order of θ.

    Returns
    -------
    R : ndarray of shape (m, k)
    q : ndarray of shape (m,)
    """
    names = [str(name) for name in names]
    quoted = [w for w, n in zip(written_names(names), names, strict=True) if w != n]
    hint = (
        f" The parameter names {', '.join(quoted[:8])} read as numbers or expressions: "
        "refer to them in backticks, as written here."
        if quoted
        else ""
    )
    texts = [text] if isinstance(text, str) else list(text)
    rows, rhs = [], []
    for item in texts:
        if not isinstance(item, str):
            raise ValueError(
                f"A list of hypotheses must hold strings; got {type(item).__name__} {item!r}."
            )
        tokens = _tokenize(item, names)
        equations = [[]]
        for token in tokens:
            if token == ("op", ","):
                equations.append([])
            else:
                equations[-1].append(token)
        for equation in equations:
            # Sums and products of large coefficients may overflow; _equation
            # refuses the non-finite result.
            with np.errstate(over="ignore", invalid="ignore"):
                row, value = _equation(equation, item, len(names), hint)
            rows.append(row)
            rhs.append(value)
    if not rows:
        raise ValueError("No hypothesis was given; pass at least one equation.")
    return np.array(rows), np.array(rhs)


def linear_hypotheses(R, q, names):
    """Return ``R`` (m, k), ``q`` (m,) and their descriptions from a matrix or text.

    Raises ``ValueError`` for a wrong shape, non-finite entries or restrictions
    that are linearly dependent (one of them repeats the others).
    """
    names = [str(name) for name in names]
    k = len(names)
    if isinstance(R, str) or (isinstance(R, (list, tuple)) and any(isinstance(r, str) for r in R)):
        if q is not None:
            raise ValueError(
                "q must be None when the hypotheses are written as text: the text "
                f"carries its own right-hand side (e.g. 'x1 = 1'); got q={q!r}."
            )
        R, q = parse_hypotheses(R, names)
    else:
        R = np.asarray(R, dtype=float)
        if R.ndim == 1:
            R = R[None, :]
        if R.ndim != 2 or R.shape[1] != k or R.shape[0] == 0:
            raise ValueError(
                f"R must have shape (n_restrictions, {k}), one column per parameter "
                f"{names[:6]}{'...' if k > 6 else ''}; got shape {np.shape(R)}."
            )
        q = np.zeros(R.shape[0]) if q is None else np.atleast_1d(np.asarray(q, dtype=float))
        if q.shape != (R.shape[0],):
            raise ValueError(
                f"q must have one entry per row of R ({R.shape[0]}); got shape {q.shape}."
            )
        if not (np.all(np.isfinite(R)) and np.all(np.isfinite(q))):
            raise ValueError("R and q must be finite; they contain NaN or infinity.")
    # The rank is judged on rows scaled to unit largest coefficient: a
    # restriction written as 1e200*x0 = 0 must not hide another one.
    rank = np.linalg.matrix_rank(unit_rows(R, q)[0])
    if rank < R.shape[0]:
        raise ValueError(
            f"The {R.shape[0]} restrictions are linearly dependent (rank {rank}): at "
            "least one follows from the others. Remove the redundant ones."
        )
    written = written_names(names)
    labels = tuple(
        format_restriction(row, value, written) for row, value in zip(R, q, strict=True)
    )
    return R, q, labels


def unit_rows(R, q):
    """Each restriction ``R_i θ = q_i`` divided by ``max_j |R_ij|``.

    The restrictions (and the Wald statistic) are unchanged; the scaled rows
    keep products such as ``R V Rᵀ`` within double precision.
    """
    scale = np.max(np.abs(R), axis=1)
    scale[scale == 0] = 1.0
    with np.errstate(over="ignore"):
        R, q = R / scale[:, None], q / scale
    if not np.all(np.isfinite(q)):
        raise ValueError(
            f"A restriction's right-hand side divided by its largest coefficient overflows "
            f"double precision (rows {np.flatnonzero(~np.isfinite(q)).tolist()}): the "
            "hypothesis sets a parameter beyond 1.8e308. Rescale the equation."
        )
    return R, q
