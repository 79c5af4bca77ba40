import pytest

from harmoni.db import check_connection, normalize_url
from harmoni.errors import ConfigurationError


def test_urls_select_psycopg3():
    assert normalize_url("postgres://u@h/db").startswith("postgresql+psycopg://")
    assert normalize_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_non_postgres_url_is_refused():
    with pytest.raises(ConfigurationError, match="must be PostgreSQL"):
        normalize_url("mysql://u@h/db")


def test_unreachable_database_is_one_clear_error_without_password(tmp_path):
    url = "postgresql://harmoni:s3cr3t-pass@127.0.0.1:1/harmoni?connect_timeout=2"
    with pytest.raises(ConfigurationError) as info:
        check_connection(url)
    assert "cannot connect to database" in info.value.detail
    assert "s3cr3t-pass" not in info.value.detail
