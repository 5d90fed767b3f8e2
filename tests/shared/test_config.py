"""shared.config: declared keys resolved from overrides, then the environment, then defaults."""

import pytest

from shared.config import REQUIRED, ConfigError, ConfigKey, load_config, parse_bool

PORT = ConfigKey("PORT", "Port to listen on.", int, 8010)


def test_override_beats_environment_beats_default():
    env = {"PORT": "9000"}
    assert load_config([PORT], overrides={"PORT": 7000}, environ=env) == {"PORT": 7000}
    assert load_config([PORT], environ=env) == {"PORT": 9000}
    assert load_config([PORT], environ={}) == {"PORT": 8010}


def test_values_are_converted_by_the_key_type():
    secure = ConfigKey("SECURE", "HTTPS only.", parse_bool, True)
    assert load_config([PORT, secure], environ={"PORT": " 8443 ", "SECURE": "no"}) == {
        "PORT": 8443,
        "SECURE": False,
    }


def test_callable_default_sees_earlier_keys():
    keys = [
        ConfigKey("INSTANCE_PATH", "State folder.", str, "/srv/nettungen"),
        ConfigKey(
            "DATABASE_URL",
            "Database.",
            str,
            lambda r: f"sqlite:///{r['INSTANCE_PATH']}/registry.sqlite",
        ),
    ]
    assert (
        load_config(keys, environ={})["DATABASE_URL"] == "sqlite:////srv/nettungen/registry.sqlite"
    )
    config = load_config(keys, environ={"INSTANCE_PATH": "/var/lib/nettungen"})
    assert config["DATABASE_URL"] == "sqlite:////var/lib/nettungen/registry.sqlite"
    config = load_config(keys, environ={"DATABASE_URL": "postgresql+psycopg://db/n"})
    assert config["DATABASE_URL"] == "postgresql+psycopg://db/n"


def test_none_default_stays_none():
    key = ConfigKey("BROKER_URL", "Message broker.", str, None)
    assert load_config([key], environ={}) == {"BROKER_URL": None}


def test_flask_keys_are_accepted_without_declaration():
    assert load_config([PORT], overrides={"TESTING": True}, environ={}) == {
        "TESTING": True,
        "PORT": 8010,
    }


def test_all_problems_in_one_error():
    keys = [
        ConfigKey("SECRET_KEY", "Signs session cookies.", str, REQUIRED),
        PORT,
        ConfigKey("NODE_BASE_URL", "Public base URL.", str, "http://127.0.0.1:8011"),
    ]
    with pytest.raises(ConfigError) as exc:
        load_config(keys, overrides={"DATABSE_URL": "sqlite://"}, environ={"PORT": "eighty"})
    message = str(exc.value)
    assert "SECRET_KEY: required (Signs session cookies.)" in message
    assert "PORT: invalid literal for int()" in message
    assert "DATABSE_URL: not a configuration key of this service" in message
    assert "NODE_BASE_URL" not in message
    assert message.count("\n") == 3  # a heading and three problems


def test_derived_default_of_a_missing_key_is_reported_not_crashed():
    # "Anything missing or malformed fails at start-up with one message naming every problem":
    # a default derived from a missing REQUIRED key must not escape as a bare KeyError.
    keys = [
        ConfigKey("INSTANCE_PATH", "State folder.", str, REQUIRED),
        ConfigKey("DATABASE_URL", "Database.", str, lambda r: f"sqlite:///{r['INSTANCE_PATH']}"),
    ]
    with pytest.raises(ConfigError, match="INSTANCE_PATH: required"):
        load_config(keys, environ={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        (" Yes ", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
        (True, True),
        (False, False),
    ],
)
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["maybe", "", "2", "ja"])
def test_parse_bool_rejects_other_words(text):
    with pytest.raises(ValueError, match="expected true or false"):
        parse_bool(text)
