"""The README stays true: its quickstart is the two make targets, its table names every setting."""

from pathlib import Path

from harmoni.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    quickstart = text.split("## Quickstart", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quickstart.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]
    assert "exec make test" in (ROOT / ".ci" / "run").read_text()


def test_every_setting_is_documented():
    text = (ROOT / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"`HARMONI_{name.upper()}`" not in text]
    assert missing == []
