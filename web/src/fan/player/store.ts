/** The app's one player, made on first use, and the hook React reads it with. */
import { useSyncExternalStore } from 'react'

import { Player, type PlayerState } from './Player'

let instance: Player | null = null

export function getPlayer(): Player {
  instance ??= new Player()
  return instance
}

export function usePlayer(): [PlayerState, Player] {
  const player = getPlayer()
  return [useSyncExternalStore(player.subscribe, player.getState), player]
}

/** Tests start each case with no player. */
export function resetPlayerForTests(): void {
  instance?.stop()
  instance = null
}
