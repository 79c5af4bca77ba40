from tests.royalties.conftest import world  # noqa: F401 -- the royalty world fixture, for the sales tests
