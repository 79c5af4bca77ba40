/**
 * Upload → ready → play in a real Chromium against the real stack: an artist sends a short generated WAV through
 * the resumable (tus) upload, the embedded worker makes its renditions, the recording is registered from the
 * upload, and the player plays it — the `<audio>` element's `currentTime` actually advances.
 */
import { expect, test } from '@playwright/test'

import { accessibility, snap } from './audit'

const PASSWORD = 'correct horse 42!'
const url = (path: string) => `${process.env.HARMONI_E2E_URL}${path}`

/** A mono 16-bit PCM WAV of a 440 Hz tone with a slow fade (not silence: it is measured and fingerprinted). */
function wav(seconds: number, rate = 22_050): Buffer {
  const samples = Math.round(seconds * rate)
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12_000 * (1 - i / samples / 2)), i * 2)
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVEfmt ', 8)
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36)
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}

test('an artist uploads a master, registers it from the upload, and plays it', async ({ page }) => {
  const consoleErrors: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()) })
  page.on('pageerror', (error) => consoleErrors.push(String(error)))

  await test.step('sign up as an artist with a custodial wallet', async () => {
    await page.goto(url('/sign-up'))
    await page.getByLabel('E-mail').fill('grace@example.org')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByLabel('an artist').check()
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByRole('button', { name: 'Create my custodial wallet' }).click()
    await expect(page.getByText(/^Signing wallet: 0x/)).toBeVisible()
  })

  await test.step('send a 6-second WAV resumably and follow it to ready', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Uploads' }).click()
    await page.getByLabel('Preview starts at (seconds)').fill('1')
    await page.getByLabel('Audio file').setInputFiles({ name: 'tone.wav', mimeType: 'audio/wav', buffer: wav(6) })
    const detail = page.getByRole('region', { name: 'tone.wav' })
    await expect(detail.getByText('Ready', { exact: true })).toBeVisible({ timeout: 90_000 })
    await expect(detail.getByRole('table', { name: 'Renditions' })).toBeVisible()
    await expect(detail.getByText('0:06')).toBeVisible()
    await snap(page, 'uploads')
  })

  let assetPath = ''
  await test.step('register the recording from the upload', async () => {
    await page.getByRole('link', { name: 'Register as recording' }).click()
    await page.getByLabel('Title').fill('Tone Poem')
    await page.getByLabel('ISRC').fill('US-HM1-26-00001')
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    await page.getByRole('link', { name: /^View asset \d+$/ }).click({ timeout: 60_000 })
    await expect(page.getByRole('heading', { name: 'Tone Poem', level: 1 })).toBeVisible()
    assetPath = new URL(page.url()).pathname
  })

  await test.step('its management page: open to every listener, no dispute', async () => {
    await page.getByRole('link', { name: 'Manage this asset' }).click()
    await expect(page.getByRole('region', { name: 'Exclusive streams' }).getByText('Open to every listener.')).toBeVisible()
    await expect(page.getByRole('region', { name: 'Disputes' }).getByText('No dispute.')).toBeVisible()
    await snap(page, 'manage-asset')
    await page.goBack()
    await expect(page.getByRole('heading', { name: 'Tone Poem', level: 1 })).toBeVisible()
  })

  await test.step('play it: the audio advances', async () => {
    await page.getByRole('main').getByRole('button', { name: 'Play' }).click()
    const bar = page.getByRole('region', { name: 'Player' })
    await expect(bar.getByRole('button', { name: 'Pause' })).toBeVisible({ timeout: 30_000 })
    await expect.poll(() => page.evaluate(() =>
      (document.querySelector('audio[data-player="harmoni"]') as HTMLAudioElement | null)?.currentTime ?? 0),
    { timeout: 20_000 }).toBeGreaterThan(0.5)
    const src = await page.evaluate(() => (document.querySelector('audio[data-player="harmoni"]') as HTMLAudioElement).src)
    expect(new URL(src).pathname).toMatch(new RegExp(`^/v1/streams/${assetPath.split('/').pop()}/`))
    // the keyboard alone pauses it
    await bar.focus()
    await page.keyboard.press('Space')
    await expect(bar.getByRole('button', { name: 'Play' })).toBeVisible()
    await snap(page, 'asset-playing')
  })

  expect(consoleErrors).toEqual([])
  expect(accessibility).toEqual([])
})
