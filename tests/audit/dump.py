"""Every text, varchar and JSON column of every table in the database, searched for words."""

from django.db import connection

TEXT_TYPES = {"CharField", "TextField", "JSONField", "EmailField", "SlugField"}


def text_columns() -> list[tuple[str, str]]:
    columns = []
    with connection.cursor() as cursor:
        for table in connection.introspection.get_table_list(cursor):
            if table.type != "t":
                continue
            for column in connection.introspection.get_table_description(cursor, table.name):
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind in TEXT_TYPES:
                    columns.append((table.name, column.name))
    return columns


def columns_containing(word: str) -> list[str]:
    """Each "table.column" where some row's value contains `word`, ignoring case."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(
                f"SELECT 1 FROM {quote(table)} "  # noqa: S608 - names from introspection
                f"WHERE LOWER(CAST({quote(column)} AS TEXT)) LIKE %s LIMIT 1",
                [f"%{word.lower()}%"],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found
