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
from django.db import InterfaceError, OperationalError, connections
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


#: psycopg's ``prepare_threshold`` on a connection where Django left it unset (None: Django turns automatic
#: preparation off, and psycopg then prepares nothing, not even a statement executed with ``prepare=True``):
#: a count no statement reaches, so that only the statements this module runs with ``prepare=True`` are
#: prepared and every other cursor behaves as Django configured it.
_ONLY_WHEN_ASKED = 2**62


def _prepared_cursor_class():
    """psycopg's server-binding cursor (as Django wraps it) whose every ``execute`` asks for a prepared
    statement, built on first use (PostgreSQL only)."""
    global _PreparedCursor
    if _PreparedCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparedCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

            def _send_query_prepared(self, name, pgq, *, binary=None):
                # psycopg records the statement it sent (``_query``, which Django's query log reads)
                # only when it sends the text; a prepared statement is sent by name.
                self._query = pgq
                return super()._send_query_prepared(name, pgq, binary=binary)

        _PreparedCursor = PreparedCursor
    return _PreparedCursor


_PreparedCursor: Any = None


def _cursor(connection):
    """A Django cursor on ``connection`` (its errors wrapped, its statements logged like any other). On
    PostgreSQL the statement is prepared on the connection the first time it runs there (psycopg's
    ``Cursor.execute(prepare=True)``, values bound on the server; psycopg keeps up to ``prepared_max``,
    100, per connection) and then only executed: PostgreSQL no longer parses and plans it on each request,
    and planning took longer than running these statements (EXPLAIN ANALYZE at 100,000 articles: 0.2-0.3
    ms against 0.02-0.08 ms). Django turns psycopg's automatic preparation off (``prepare_threshold``
    None), which also refuses ``prepare=True``: the connection's threshold is set to a count no statement
    reaches, so nothing else is prepared. Off with ``FOLIO_DB_PREPARED_STATEMENTS=false`` (PgBouncer before
    1.21 in transaction pooling, or 1.21+ without ``max_prepared_statements``, does not carry prepared
    statements between transactions)."""
    if connection.vendor != "postgresql" or not settings.FOLIO_DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()  # nothing to do after _statement_checks_connection
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        cursor = _prepared_cursor_class()(raw)
    return (
        connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
    )


def _statement_checks_connection(connection) -> bool:
    """Whether this read, the first statement on a kept connection since the request began, may stand in
    for Django's health check (CONN_HEALTH_CHECKS: a ``SELECT 1`` round trip before it, on every API
    request; issue 20): if so, the check is marked done and the caller reads again on a new connection
    when the read fails for a lost connection, which is what the check would have led to. Only outside a
    transaction (nothing else is lost by reconnecting) and for reads (run again without harm)."""
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return False
    connection.health_check_done = True
    return True


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

    def _rows(self, connection, params: list) -> list:
        with _cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def run(self, values: Sequence[Any]) -> list:
        using = self.using
        params = list(self.params)
        for index, position in self.slots:
            adapt = self.adapters[position]
            params[index] = adapt(values[position]) if adapt else values[position]
        connection = connections[using]
        if _statement_checks_connection(connection):
            try:
                rows = self._rows(connection, params)
            except (OperationalError, InterfaceError):
                # The kept connection was dead (the server restarted): what the health check's SELECT 1
                # would have found. Read again on a new connection, as Django would have opened one.
                connection.close()
                rows = self._rows(connection, params)
        else:
            rows = self._rows(connection, params)
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
