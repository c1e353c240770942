"""ORM read queries compiled to SQL once per connection, then run again with new values.

Django builds, resolves and compiles a QuerySet on every evaluation. For the joins on the checkout
path that Python work cost more than the database spent running them. A `CompiledQuery` keeps the
ORM as the one definition of a query (model and field changes still flow through it), compiles it
once with stand-in values, finds where those values sit in the parameter list, and from then on
runs the stored SQL with the real values in their place. Rows come back as lists in `values_list()`
order, through the converters the ORM itself would apply (SQLite's decimals, for example).

Only for queries whose SQL text does not depend on the values: scalars (ints, strings, UUIDs), or a
list of them, which compiles once per list length. If a stand-in cannot be found in the compiled
parameters as it was given (a field that transforms it on the way), that query shape quietly runs
through the ORM every time instead: slower, never wrong.
"""

import itertools
import uuid
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# large enough never to be a real id, distinct per stand-in
_int_stand_ins = itertools.count(8_765_432_100_000)


def _stand_in(example: Any) -> Any:
    number = next(_int_stand_ins)
    if isinstance(example, bool):
        raise TypeError("booleans cannot be told apart from each other: pass them in the query itself")
    if isinstance(example, int):
        return number
    if isinstance(example, str):
        return f"\x1fcompiled-query-stand-in-{number}\x1f"
    if isinstance(example, uuid.UUID):
        return uuid.UUID(int=number)
    raise TypeError(f"CompiledQuery cannot stand in for a {type(example).__name__}")


class _Compiled:
    __slots__ = ("sql", "params", "slots", "compiler", "converters")

    def __init__(self, sql, params, slots, compiler, converters):
        self.sql, self.params, self.slots = sql, params, slots
        self.compiler, self.converters = compiler, converters


class CompiledQuery:
    """`build(**values)` returns a `values_list()` QuerySet; `rows(**values)` runs it.

    Example::

        lines_of_cart = CompiledQuery(lambda cart_id: CartLine.objects.filter(cart_id=cart_id).values_list("id"))
        lines_of_cart.rows(cart_id=7)
    """

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self._build = build
        self._using = using
        self._attribute = f"_compiled_query_{id(self)}"

    def rows(self, **values) -> list[list]:
        connection = connections[self._using]  # per thread: each connection keeps its own compilations
        shape = tuple((name, len(v) if isinstance(v, list | tuple) else None) for name, v in sorted(values.items()))
        cache = connection.__dict__.setdefault(self._attribute, {})
        compiled = cache.get(shape)
        if compiled is None:
            compiled = cache[shape] = self._compile(connection, values)
        if compiled is False:  # this shape cannot be compiled once: the ORM runs it
            return [list(row) for row in self._build(**values)]
        params = list(compiled.params)
        for position, name, index in compiled.slots:
            value = values[name]
            params[position] = value if index is None else value[index]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            return list(compiled.compiler.apply_converters(rows, compiled.converters))
        return [list(row) for row in rows]

    def _compile(self, connection, values: dict) -> "_Compiled | bool":
        stand_ins: dict[str, Any] = {}
        for name, value in values.items():
            if isinstance(value, list | tuple):
                stand_ins[name] = [_stand_in(v) for v in value]
            else:
                stand_ins[name] = _stand_in(value)
        queryset = self._build(**stand_ins)
        query = queryset.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if queryset._fields is None or list(queryset._fields) != names:
            raise ValueError("CompiledQuery needs values_list() of plain fields, in the order selected")
        compiler = query.get_compiler(using=self._using, connection=connection)
        sql, params = compiler.as_sql()
        where = {}
        for name, stand_in in stand_ins.items():
            if isinstance(stand_in, list):
                for index, item in enumerate(stand_in):
                    where[item] = (name, index)
            else:
                where[stand_in] = (name, None)
        slots = []
        for position, param in enumerate(params):
            try:
                found = where.get(param)
            except TypeError:  # an unhashable parameter (a list, say): not one of ours
                found = None
            if found is not None:
                slots.append((position, *found))
        if len({(name, index) for _, name, index in slots}) != len(where):
            return False  # a value was transformed on its way into the SQL: keep using the ORM
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        return _Compiled(sql, tuple(params), slots, compiler, converters)
