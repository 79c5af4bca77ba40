/** Playback sessions (`/v1/playback-sessions`) and play reports (`/v1/plays`), used by the player. */
import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type PlaybackSession = Schemas['PlaybackSessionOut']

export const startPlayback = (assetId: number): Promise<PlaybackSession> =>
  unwrap(api.POST('/v1/playback-sessions', { body: { asset_id: assetId } }))

export const reportPlay = (token: string, playedMs: number) =>
  unwrap(api.POST('/v1/plays', { body: { token, played_ms: Math.round(playedMs) } }))
