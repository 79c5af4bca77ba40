"""`harmoni content import|status|scrub` as a user runs them: real files, a real database, one line per step."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy.orm import sessionmaker

from harmoni.db import get_engine
from harmoni.settings import Settings
from tests.content.media.audiogen import chord, tone, write
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def cli(fresh_db, tmp_path):
    url = fresh_db()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update(HARMONI_ENV="test", HARMONI_DATABASE_URL=url, HARMONI_DATA_DIR=str(tmp_path / "var"),
               HARMONI_RPC_URL="http://127.0.0.1:1")
    settings = Settings(_env_file=None, env="test", database_url=url, data_dir=tmp_path / "var")
    make_user(sessionmaker(bind=get_engine(url)), settings, "artist", email="ada@example.org")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "harmoni.cli", "content", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    run.settings = settings
    return run


def test_import_a_folder_then_status_and_scrub(cli, tmp_path):
    album = tmp_path / "album"
    album.mkdir()
    write(album / "01 intro.flac", chord(seconds=3.0), 44100, "flac")
    write(album / "02 song.mp3", tone(330.0, seconds=4.0), 44100, "mp3")
    (album / "notes.txt").write_text("not audio")
    imported = cli("import", str(album), "--artist", "ada@example.org", "--process")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    lines = imported.stdout.splitlines()
    assert lines[0].startswith("[1/3] 01 intro.flac: received as ")
    assert lines[1].startswith("[2/3] 02 song.mp3: received as ")
    assert lines[2].startswith("[3/3] notes.txt: refused: ") and "WAV, AIFF, FLAC" in lines[2]
    assert "2/2 done, 100%" in imported.stdout

    again = cli("import", str(album / "01 intro.flac"), "--artist", "ada@example.org")
    assert "already uploaded" in again.stdout

    status = cli("status")
    assert status.returncode == 0
    assert "ready       2" in status.stdout and "rejected    0" in status.stdout

    clean = cli("scrub")
    assert clean.returncode == 0 and "0 do not match their CID, 0 held by no upload" in clean.stdout
    objects = cli.settings.objects_path
    victim = next(p for p in (objects / "audio").iterdir() if p.suffix == ".opus")
    victim.write_bytes(b"bit rot" + victim.read_bytes()[7:])
    (objects / "audio" / "bafkreibogusorphanbogusorphanbogusorphanbogusorphanbogus.mp3").write_bytes(b"x")
    dirty = cli("scrub")
    assert dirty.returncode == 1
    assert f"mismatch  audio/{victim.name}" in dirty.stdout
    assert "orphan    audio/bafkreibogus" in dirty.stdout


def test_import_refuses_an_unknown_artist_in_one_line(cli, tmp_path):
    write(tmp_path / "a.wav", tone(seconds=1.0), 44100, "wav")
    refused = cli("import", str(tmp_path / "a.wav"), "--artist", "nobody@example.org")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "harmoni: error: no artist account with the email nobody@example.org"
    missing = cli("import", str(tmp_path / "nope"), "--artist", "ada@example.org")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
