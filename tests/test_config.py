from pathlib import Path

from sherloc_kg.config import DEFAULT_BASE, SETTINGS, Settings

from .conftest import REPO


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, (variable, _default, _help) in SETTINGS.items():
        assert f"| `{variable}` |" in readme, f"setting {name} ({variable}) is not in the README's settings table"


def test_settings_come_from_options_then_environment_then_defaults() -> None:
    env = {"SHERLOC_STORE": "/data/kg", "SHERLOC_BASE": "http://example.org/kg"}
    settings = Settings.from_env(env, store="memory")
    assert settings.store == "memory"
    assert settings.base == "http://example.org/kg/"
    assert Settings.from_env({}).base == DEFAULT_BASE
    assert Settings.from_env({}, home="/x").queries_dir == Path("/x/sparql")


def test_the_shacl_engine_is_turbo_unless_pyshacl_is_asked_for() -> None:
    import pytest

    from sherloc_kg.errors import UsageError

    assert Settings().shacl_engine == Settings.from_env({}).shacl_engine == "turbo"
    assert Settings.from_env({"SHERLOC_SHACL_ENGINE": "pyshacl"}).shacl_engine == "pyshacl"
    with pytest.raises(UsageError, match="SHERLOC_SHACL_ENGINE='rust'"):
        Settings.from_env({"SHERLOC_SHACL_ENGINE": "rust"})
