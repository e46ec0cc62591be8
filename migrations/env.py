"""Alembic environment: runs on the engine the application passes in `config.attributes`."""

from alembic import context
from sqlalchemy import create_engine

from trackoe.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        # Plain `alembic` command line: the URL comes from the ini option.
        engine = create_engine(config.get_main_option("sqlalchemy.url"))

    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
