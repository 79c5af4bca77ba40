"""Fingerprints: the matcher's precision and recall over a generated set, through the candidate index."""

import os

import pytest

from content.media import Fingerprint, fingerprint, index_terms, same_recording, similarity
from content.media.fingerprint import SAME_THRESHOLD, candidates
from scripts.eval_fingerprints import evaluate, make_set, synth_clip
from tests.content.media.audiogen import write

CLIPS = int(os.environ.get("HARMONI_FP_EVAL_CLIPS", "200"))


def test_precision_and_recall_over_the_generated_set(tmp_path):
    result = evaluate(make_set(tmp_path, CLIPS, 20.0))
    print(result)
    assert result["originals"] == CLIPS and result["queries"] == 4 * CLIPS
    assert result["precision"] >= 0.99
    assert result["recall"] >= 0.95
    assert all(recall >= 0.9 for recall in result["recall_by_variant"].values())
    assert result["max_similarity_different"] < SAME_THRESHOLD < result["min_similarity_same"]
    assert result["mean_candidates"] < 0.2 * CLIPS  # the index narrows the search; it does not return everything


def test_different_pieces_score_at_chance_and_a_copy_scores_one(tmp_path):
    a = write(tmp_path / "a.wav", synth_clip(1, 20)[[0, 0]], 22050, "wav")
    b = write(tmp_path / "b.wav", synth_clip(2, 20)[[0, 0]], 22050, "wav")
    fa, fb = fingerprint(a), fingerprint(b)
    assert similarity(fa, fa) == 1.0
    assert 0.3 < similarity(fa, fb) < 0.65
    assert not same_recording(fa, fb)
    index = {"a": set(index_terms(fa)), "b": set(index_terms(fb))}
    assert candidates(index_terms(fa), index)[0] == "a"


def test_durations_must_agree():
    items = tuple(range(1000, 1200))
    short, long = Fingerprint(items, 25.0), Fingerprint(items, 240.0)
    assert similarity(short, long) == 1.0
    assert same_recording(short, Fingerprint(items, 27.0)) and not same_recording(short, long)


def test_silence_and_drones_give_no_index_terms():
    assert index_terms(Fingerprint((0,) * 300, 40.0)) == []
    assert index_terms(Fingerprint((), 0.0)) == []


def test_unreadable_file_is_refused(tmp_path):
    from content.media import MediaRejected

    (tmp_path / "x.wav").write_bytes(b"nothing")
    with pytest.raises(MediaRejected):
        fingerprint(tmp_path / "x.wav")
