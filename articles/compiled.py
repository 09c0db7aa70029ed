"""Querysets compiled to SQL once per process and run again with new values (issue 20): the statements every
API save runs (the token lookup, the duplicate check, the webhook endpoints) cost more CPU in the ORM, which
builds and compiles them anew on each request, than in the database. A ``CompiledQuery`` builds its
queryset once with stand-in values, keeps the SQL, the positions of the stand-ins among its parameters and
what Django needs to turn rows into model instances (converters, ``select_related`` populators), and from
then on only binds the values, runs the statement and builds the instances the way the ORM does
(``django.db.models.query.ModelIterable``).

A stand-in must reach the SQL parameters unchanged: equality filters on text, integer and date-time fields
(``field=value``, ``field__gte=value``, ``field__in=[value]``), not lookups that rewrite the value
(``contains``, ``iexact``). Compilation checks that every stand-in was found, so a query that would not
bind is refused when it is first built, not answered wrongly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

#: The stand-in of each kind of value, per position (a value no real query holds).
_INT_BASE = 2**62 - 7_919
_TIME_BASE = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


class IPAddress(str):
    """The kind of a value compared with a GenericIPAddressField (text, adapted by the database backend)."""


def _stand_in(kind: type, position: int) -> Any:
    if kind is int:
        return _INT_BASE + position
    if kind is IPAddress:
        return f"192.0.2.{position + 1}"  # TEST-NET-1 (RFC 5737)
    if kind is str:
        return f"\x1fcompiled-stand-in-{position}\x1f"
    if kind is dt.datetime:
        return _TIME_BASE + dt.timedelta(microseconds=position + 1)
    raise TypeError(f"CompiledQuery cannot stand in for {kind!r}")


def _adapter(kind: type, connection) -> Callable[[Any], Any] | None:
    """How the backend turns a value of ``kind`` into a parameter (None: as it is)."""
    if kind is dt.datetime:
        return connection.ops.adapt_datetimefield_value
    if kind is IPAddress:
        return connection.ops.adapt_ipaddressfield_value
    return None


def _cursor(connection):
    """A Django cursor on ``connection`` (its errors wrapped, its statements logged like any other). On
    PostgreSQL it binds values on the server (psycopg's ``Cursor``, where Django's own binds them in the
    client): psycopg then prepares a statement once it has run it ``prepare_threshold`` times (5) on this
    connection, and PostgreSQL no longer parses and plans it on each request; planning took longer than
    running these statements (EXPLAIN ANALYZE at 100,000 articles: 0.2-0.3 ms against 0.02-0.08 ms). Off
    with ``FOLIO_DB_PREPARED_STATEMENTS=false`` (PgBouncer before 1.21 in transaction pooling, or 1.21+
    without ``max_prepared_statements``, does not carry prepared statements between transactions)."""
    if connection.vendor != "postgresql" or not settings.FOLIO_DB_PREPARED_STATEMENTS:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    return (
        connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
    )


class _Compiled:
    """One compilation: SQL, parameters with their stand-in slots, and the row-to-instance recipe."""

    def __init__(self, queryset: QuerySet, kinds: Sequence[type], stand_ins: Sequence[Any]):
        self.using = using = queryset.db
        connection = connections[using]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = list(params)
        self.adapters = [_adapter(kind, connection) for kind in kinds]
        forms = []
        for adapt, value in zip(self.adapters, stand_ins, strict=True):
            forms.append((value, adapt(value) if adapt else value))
        self.slots: list[tuple[int, int]] = []  # (parameter index, value position)
        for index, param in enumerate(self.params):
            for position, (value, adapted) in enumerate(forms):
                if (type(param) is type(value) and param == value) or (
                    type(param) is type(adapted) and param == adapted
                ):
                    self.slots.append((index, position))
        missing = set(range(len(kinds))) - {position for _, position in self.slots}
        if missing:
            raise ValueError(
                f"CompiledQuery: values {sorted(missing)} do not reach the SQL as they are: {sql}"
            )
        if compiler.annotation_col_map:
            raise ValueError("CompiledQuery: annotations are not supported")
        klass_info = compiler.klass_info
        select = compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [s[0].target.attname for s in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, using)
        self.converters = compiler.get_converters([s[0] for s in select])
        self.apply_converters = compiler.apply_converters

    def run(self, values: Sequence[Any]) -> list:
        using = self.using
        params = list(self.params)
        for index, position in self.slots:
            adapt = self.adapters[position]
            params[index] = adapt(values[position]) if adapt else values[position]
        with _cursor(connections[using]) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.apply_converters(rows, self.converters))
        found = []
        for row in rows:
            obj = self.model.from_db(using, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found


class CompiledQuery:
    """A read whose queryset ``build(*values)`` (values of the ``kinds`` given: int, str, datetime or
    IPAddress) is
    compiled once per process; ``fetch(*values)`` returns the model instances that ``list(build(*values))``
    would, without building or compiling the queryset again.

    Only the values vary: anything else ``build`` reads (settings) is frozen at the compilation, unless
    the caller names it in ``shape`` (a hashable; one compilation per shape). ``fetch`` raises what the
    database raises; the first call of a shape raises ValueError when a value does not reach the SQL
    unchanged, or the queryset has annotations (see the module docstring).
    """

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[Hashable, _Compiled] = {}

    def fetch(self, *values: Any, shape: Hashable = ()) -> list:
        """The instances ``build(*values)`` selects (a list, in the query's order)."""
        if len(values) != len(self.kinds):
            raise TypeError(f"expected {len(self.kinds)} values, got {len(values)}")
        compiled = self._compiled.get(shape)
        if compiled is None:
            stand_ins = [_stand_in(kind, position) for position, kind in enumerate(self.kinds)]
            compiled = _Compiled(self.build(*stand_ins), self.kinds, stand_ins)
            self._compiled[shape] = compiled
        return compiled.run(values)
