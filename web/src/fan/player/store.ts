/** The app's one player, made on first use, and the hook React reads it with. */
import { useSyncExternalStore } from 'react'

import { Player, type PlayerState } from './Player'

let instance: Player | null = null

export function getPlayer(): Player {
  if (!instance) {
    instance = new Player()
    // in the document (no controls, so nothing shows): the browser's media tools and end-to-end tests can find it
    instance.audio.dataset.player = 'harmoni'
    document.body.append(instance.audio)
  }
  return instance
}

export function usePlayer(): [PlayerState, Player] {
  const player = getPlayer()
  return [useSyncExternalStore(player.subscribe, player.getState), player]
}

/** Tests start each case with no player. */
export function resetPlayerForTests(): void {
  instance?.stop()
  instance?.audio.remove()
  instance = null
}
