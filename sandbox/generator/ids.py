"""Record ids in each system's own conventions, drawn from the world's random generator."""

from __future__ import annotations

import random
import uuid

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SEQUENCE_SPACE = 62**10
_SCRAMBLE = 2654435761  # odd and prime to 31: a bijection on the sequence space

SF_ACCOUNT = "001"
SF_OPPORTUNITY = "006"
SF_QUOTE = "a0x"
SF_URL = "https://gitlab.my.salesforce.com/"


_UPPER_BITS = str.maketrans({c: "1" if "A" <= c <= "Z" else "0" for c in _BASE62})
_PAIRS = [a + b for a in _BASE62 for b in _BASE62]


def sf_checksum(id15: str) -> str:
    """The three-character case-checksum suffix Salesforce appends to a 15-character id."""
    flags = id15.translate(_UPPER_BITS)
    return "".join(_CHECKSUM[int(flags[i:i + 5][::-1], 2)] for i in (0, 5, 10))


def sf18(sf_id: str) -> str:
    """The 18-character form of a 15- or 18-character Salesforce id."""
    return sf_id if len(sf_id) == 18 else sf_id + sf_checksum(sf_id)


def _base62(number: int, pairs: int) -> str:
    """`number` in base 62, `2 * pairs` digits wide."""
    chars = []
    for _ in range(pairs):
        number, pair = divmod(number, 3844)
        chars.append(_PAIRS[pair])
    return "".join(reversed(chars))


class Ids:
    """Makes unique ids and numbers for one world."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._sf: dict[str, tuple[int, int]] = {}
        self._counters: dict[str, int] = {}

    def zuora(self) -> str:
        """A Zuora record id: 32 lowercase hex characters."""
        return f"{self._rng.getrandbits(128):032x}"

    def salesforce(self, prefix: str) -> str:
        """A new 18-character Salesforce id with the key prefix of its object."""
        count, offset = self._sf.get(prefix) or (0, self._rng.randrange(_SEQUENCE_SPACE))
        self._sf[prefix] = (count + 1, offset)
        sequence = ((count + 1) * _SCRAMBLE + offset) % _SEQUENCE_SPACE
        id15 = f"{prefix}4W{_base62(sequence, 5)}"
        return id15 + sf_checksum(id15)

    def serial(self, name: str, start: int = 1, gap: int = 1) -> int:
        """The next number of sequence `name`, advancing by 1 to `gap`."""
        step = 1 if gap <= 1 else self._rng.randint(1, gap)
        value = self._counters.get(name, start - step) + step
        self._counters[name] = value
        return value

    def subscription_name(self) -> str:
        """A new Zuora subscription name (`A-S00012345`)."""
        return f"A-S{self.serial('subscription', 10000, 3):08d}"

    def account_number(self) -> str:
        """A new Zuora account number (`A00012345`)."""
        return f"A{self.serial('account', 10000, 3):08d}"

    def invoice_number(self) -> str:
        """A new Zuora invoice number (`INV00012345`)."""
        return f"INV{self.serial('invoice', 100000, 2):08d}"

    def charge_number(self) -> str:
        """A new Zuora charge number (`C-00012345`)."""
        return f"C-{self.serial('charge', 100000):08d}"

    def namespace_id(self) -> str:
        """A new GitLab.com namespace id."""
        return str(self.serial("namespace", 2_000_000, 40))

    def customersdot(self, table: str) -> int:
        """The next integer id of a CustomersDot table."""
        return self.serial(f"cdot/{table}", 1000, 1)

    def uid(self) -> int:
        """A GitLab.com user id."""
        return self.serial("uid", 100_000, 500)

    def token(self, pairs: int) -> str:
        """A random alphanumeric token of `2 * pairs` characters, e.g. an activation code."""
        return _base62(self._rng.getrandbits(12 * pairs), pairs)

    def uuid(self) -> str:
        """A version-4 UUID drawn from the world's generator."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
