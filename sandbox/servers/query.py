"""The syntax ZOQL and SOQL share: tokens, filter expressions and the errors a query can raise."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)


class QueryError(ValueError):
    """A query the sandbox refuses."""


class MalformedQuery(QueryError):
    """A query that does not parse."""


class UnknownObject(QueryError):
    """A query on an object the world does not declare."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown object {name}")
        self.name = name


class UnknownField(QueryError):
    """A query naming a field its object neither declares nor carries."""

    def __init__(self, obj: str, field: str) -> None:
        super().__init__(f"unknown field {obj}.{field}")
        self.obj = obj
        self.field = field


class InvalidValue(QueryError):
    """A literal that cannot be compared with its field."""

    def __init__(self, field: str, expected: str) -> None:
        super().__init__(f"value for {field} must be {expected}")
        self.field = field
        self.expected = expected


@dataclass(frozen=True)
class Token:
    """One lexical token of a query: its kind (a group name of the lexer) and text."""

    kind: str
    text: str


@dataclass(frozen=True)
class Literal:
    """A literal of a filter: `string`, `number`, `boolean`, `null`, `date` or `datetime`."""

    kind: str
    text: str


@dataclass(frozen=True)
class Comparison:
    """`field op literal`."""

    field: str
    op: str
    literal: Literal


@dataclass(frozen=True)
class Junction:
    """Comparisons joined by `and` or `or`."""

    op: str
    parts: tuple[Comparison | Junction, ...]


Condition = Comparison | Junction


def tokenize(text: str) -> list[Token]:
    """The tokens of a query text."""
    tokens: list[Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            raise MalformedQuery(f"unexpected character at {position}: {text[position : position + 20]!r}")
        tokens.append(Token(match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


class TokenStream:
    """The tokens of one query, consumed left to right by a parser."""

    def __init__(self, text: str) -> None:
        self._tokens = tokenize(text)
        self._next = 0

    def peek(self) -> Token | None:
        """The next token, not consumed."""
        return self._tokens[self._next] if self._next < len(self._tokens) else None

    def take(self) -> Token:
        """The next token, consumed."""
        token = self.peek()
        if token is None:
            raise MalformedQuery("unexpected end of query")
        self._next += 1
        return token

    def keyword(self, *words: str) -> bool:
        """Consume the next tokens if they are the keywords `words` (any case)."""
        ahead = self._tokens[self._next : self._next + len(words)]
        if len(ahead) == len(words) and all(
            t.kind == "word" and t.text.lower() == w for t, w in zip(ahead, words, strict=True)
        ):
            self._next += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        """Consume the keywords `words` or fail."""
        if not self.keyword(*words):
            found = self.peek()
            raise MalformedQuery(
                f"expected {' '.join(words).upper()}, found {found.text if found else 'end'}"
            )

    def punct(self, char: str) -> bool:
        """Consume the next token if it is the punctuation `char`."""
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == char:
            self._next += 1
            return True
        return False

    def name(self) -> str:
        """Consume an identifier."""
        token = self.take()
        if token.kind != "word":
            raise MalformedQuery(f"expected a name, found {token.text}")
        return token.text

    def names(self) -> tuple[str, ...]:
        """Consume a comma-separated list of identifiers."""
        names = [self.name()]
        while self.punct(","):
            names.append(self.name())
        return tuple(names)

    def end(self) -> None:
        """Fail unless every token has been consumed."""
        token = self.peek()
        if token is not None:
            raise MalformedQuery(f"unexpected token {token.text}")


def parse_condition(stream: TokenStream) -> Condition:
    """A filter: comparisons joined by `and`/`or` (and binds tighter), with parentheses."""
    parts = [_conjunction(stream)]
    while stream.keyword("or"):
        parts.append(_conjunction(stream))
    return parts[0] if len(parts) == 1 else Junction("or", tuple(parts))


def _conjunction(stream: TokenStream) -> Condition:
    parts = [_factor(stream)]
    while stream.keyword("and"):
        parts.append(_factor(stream))
    return parts[0] if len(parts) == 1 else Junction("and", tuple(parts))


def _factor(stream: TokenStream) -> Condition:
    if stream.punct("("):
        condition = parse_condition(stream)
        if not stream.punct(")"):
            raise MalformedQuery("missing )")
        return condition
    field = stream.name()
    op = stream.take()
    if op.kind != "op":
        raise MalformedQuery(f"expected an operator after {field}, found {op.text}")
    return Comparison(field, "!=" if op.text == "<>" else op.text, _literal(stream.take()))


def _literal(token: Token) -> Literal:
    if token.kind == "string":
        return Literal("string", re.sub(r"\\(.)", r"\1", token.text[1:-1]))
    if token.kind in ("number", "date", "datetime"):
        return Literal(token.kind, token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return Literal("boolean", token.text.lower())
    if token.kind == "word" and token.text.lower() == "null":
        return Literal("null", "null")
    raise MalformedQuery(f"expected a value, found {token.text}")
