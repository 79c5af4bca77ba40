"""Usage tables: playback sessions, plays and partner usage reports."""
