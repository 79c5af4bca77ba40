"""`harmoni discovery refresh`: run every discovery job now, whatever its interval (after a bulk import, a demo)."""

from __future__ import annotations

import json
from datetime import timedelta

from harmoni.db import session_scope
from harmoni.settings import Settings


def _cmd_refresh(settings: Settings, args) -> int:
    from discovery.analytics import service as analytics
    from discovery.recommendations import als
    from discovery.recommendations import service as recommendations
    from discovery.trending import service as trending
    from discovery.trending import signals

    chain_id = settings.chain_id
    with session_scope(settings.database_url) as session:
        entries = trending.refresh(session, chain_id, genres=signals.recording_genres(session, chain_id),
                                   engagement=lambda since: signals.engagement_since(session, chain_id, since))
        related, artists = recommendations.rebuild_related(session, chain_id,
                                                           timedelta(days=settings.related_history_days))
        first_day = analytics.rollup(session, chain_id)
        model = None
        if not args.no_train:
            model = recommendations.train(
                session, chain_id, timedelta(days=settings.recommendations_history_days),
                als.AlsParams(factors=settings.recommendations_factors,
                              iterations=settings.recommendations_iterations))
        summary = {"trending_entries": entries, "related_recordings": related, "related_artists": artists,
                   "analytics_from_day": first_day.isoformat() if first_day else None,
                   "model_version": model.version if model else None}
    print(json.dumps(summary))
    return 0


def add_commands(commands) -> None:
    discovery = commands.add_parser("discovery", help="trending, related, recommendations, analytics rollups")
    cmds = discovery.add_subparsers(dest="discovery_command", required=True)
    refresh = cmds.add_parser("refresh", help="run every discovery job now and print what each wrote (one JSON line)")
    refresh.add_argument("--no-train", action="store_true", help="leave the recommendation model as it is")
    refresh.set_defaults(func=_cmd_refresh)
