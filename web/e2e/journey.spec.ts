/**
 * The README's walk-throughs in a real Chromium against a fresh `harmoni up`: an artist signs up, gets a
 * custodial wallet and registers a work with a 70/30 split; the catalog finds it; an admin (made with the CLI)
 * opens a period in the browser, records a direct sale of it, closes and publishes it; the auditor's page checks it against the
 * chain (green), and turns red when the statement served is tampered with; the artist claims.
 */
import { expect, test, type APIRequestContext, type Browser } from '@playwright/test'
import { execFileSync } from 'node:child_process'

import { accessibility, snap } from './audit'
import { stackEnv } from './stack'

const CO_WRITER = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const PASSWORD = 'correct horse 42!'
const url = (path: string) => `${process.env.HARMONI_E2E_URL}${path}`

function harmoni(...args: string[]) {
  const dir = process.env.HARMONI_E2E_DIR!
  execFileSync(process.env.HARMONI_PYTHON!, ['-m', 'harmoni.cli', ...args], {
    cwd: dir,
    env: stackEnv(dir, Number(process.env.HARMONI_E2E_API_PORT), Number(process.env.HARMONI_E2E_ANVIL_PORT)),
  })
}

/** An admin (made with the CLI) runs period 1 in the browser: a 100 USD direct sale of asset 1, close, publish. */
async function runPeriod(browser: Browser, request: APIRequestContext) {
  await request.post(url('/v1/auth/signup'), { data: { email: 'boss@example.org', password: PASSWORD } })
  harmoni('users', 'grant-role', '--email', 'boss@example.org', '--role', 'admin', '--allow-unverified')
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(url('/sign-in?next=%2Fadmin%2Fperiods'))
  await page.getByLabel('E-mail').fill('boss@example.org')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  const local = (d: Date) => d.toISOString().slice(0, 19) // the form reads UTC
  await page.getByLabel('Starts at (UTC; only the first period)').fill(local(new Date(Date.now() - 3600_000)))
  await page.getByLabel('Ends at (UTC)').fill(local(new Date(Date.now() + 4000)))
  await page.getByRole('button', { name: 'Open period' }).click()
  const card = page.getByRole('article', { name: 'Period 1' })
  await card.getByLabel('Source').selectOption('direct_sales')
  await card.getByLabel('Asset id (direct sales)').fill('1')
  await card.getByLabel('Amount (cents)').fill('10000')
  await card.getByLabel(/^Reference/).fill('e2e-sale-1')
  await card.getByRole('button', { name: 'Record revenue' }).click()
  await expect(card.getByText('Recorded 100.00 USD.')).toBeVisible()
  await snap(page, 'admin-periods')
  // Refused (409) until the period is over and the block after its end is final and mirrored: seconds here.
  await expect(async () => {
    await card.getByRole('button', { name: 'Close period 1' }).click()
    await expect(card.getByRole('button', { name: 'Publish period 1' })).toBeVisible({ timeout: 3000 })
  }).toPass({ timeout: 60_000 })
  await card.getByRole('button', { name: 'Publish period 1' }).click()
  await expect(card.getByText('Period 1: published')).toBeVisible({ timeout: 60_000 })
  await context.close()
}

test('artist registers, auditor verifies against the chain, artist claims', async ({ browser, page, request }) => {
  const consoleErrors: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()) })
  page.on('pageerror', (error) => consoleErrors.push(String(error)))

  await test.step('home and sign-up as an artist', async () => {
    await page.goto(url('/'))
    await expect(page.getByRole('heading', { name: 'HARMONI' })).toBeVisible()
    await snap(page, 'home')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click()
    await expect(page.getByText('Nothing registered matches.')).toBeVisible()
    await page.goto(url('/sign-up'))
    await snap(page, 'sign-up')
    await page.getByLabel('E-mail').fill('ada@example.org')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByLabel('an artist').check()
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page).toHaveURL(/\/artist\/register$/)
  })

  await test.step('register a work with a 70/30 split', async () => {
    await page.getByRole('button', { name: 'Create my custodial wallet' }).click()
    await page.getByLabel('Title').fill('Blue Hour')
    await page.getByLabel('ISWC').fill('T-034.524.680-2')
    await expect(page.getByText('The check digit is wrong: expected 1.')).toBeVisible()
    await page.getByLabel('ISWC').fill('T-034.524.680-1')
    await page.getByLabel('Share of payee 1 (%)').fill('70')
    await expect(page.getByText('30% left to assign.')).toBeVisible()
    await page.getByRole('button', { name: 'Add a payee' }).click()
    await page.getByLabel('Wallet address of payee 2').fill(CO_WRITER)
    await page.getByLabel('Share of payee 2 (%)').fill('30')
    await expect(page.getByText('The shares add up to 100%.')).toBeVisible()
    await snap(page, 'register')
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    await page.getByRole('link', { name: 'View asset 1' }).click({ timeout: 60_000 })
    await expect(page.getByRole('heading', { name: 'Blue Hour' })).toBeVisible()
    await expect(page.getByRole('row', { name: `${CO_WRITER} 30%` })).toBeVisible()
    await snap(page, 'asset')
  })

  await test.step('the catalog finds it by a title prefix (a deep link)', async () => {
    await page.goto(url('/catalog?q=blue%20ho'))
    await expect(page.getByRole('link', { name: 'Blue Hour' })).toBeVisible()
    await snap(page, 'catalog')
  })

  await test.step('a period with a sale of it closes and is published', async () => {
    await runPeriod(browser, request)
  })

  await test.step('the auditor’s checks are green against the chain', async () => {
    await page.goto(url('/auditor/periods'))
    await page.getByRole('link', { name: 'Period 1' }).click()
    const checks = page.getByRole('region', { name: 'Checks' })
    await expect(checks.getByRole('status')).toHaveText('✔ Every check passed.', { timeout: 30_000 })
    await expect(checks.getByRole('listitem')).toHaveCount(7)
    await page.getByLabel('Payee address').fill(CO_WRITER)
    await page.getByRole('button', { name: 'Fill in from the rebuilt tree' }).click()
    await expect(page.getByLabel('Cumulative amount (token units)')).toHaveValue('21000000')
    await page.getByRole('button', { name: 'Verify proof' }).click()
    await expect(page.getByText('✔ The proof is valid for this root.')).toBeVisible()
    await expect(page).toHaveURL(new RegExp(`account=${CO_WRITER}`))
    await snap(page, 'audit-period')
    await page.goto(url('/auditor/periods'))
    await snap(page, 'audit-periods')
  })

  await test.step('a tampered statement turns the verdict red', async () => {
    await page.route('**/v1/periods/1/statement.json', async (route) => {
      const response = await route.fetch()
      const text = (await response.text()).replace('"amount":"21000000"', '"amount":"21000001"')
      await route.fulfill({ response, body: text })
    })
    await page.goto(url('/auditor/periods/1'))
    const checks = page.getByRole('region', { name: 'Checks' })
    await expect(checks.getByRole('status')).toHaveText('✘ At least one check failed.', { timeout: 30_000 })
    await expect(checks.getByRole('listitem', {
      name: 'Statement hash matches the on-chain PeriodPublished: Failed' })).toBeVisible()
    await page.unroute('**/v1/periods/1/statement.json')
  })

  await test.step('the artist sees 49.00 claimable and claims it', async () => {
    await page.goto(url('/artist/earnings')) // a reload: the refresh token in sessionStorage signs back in
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: /^Claim for/ }) })
    await expect(row.getByRole('cell')).toHaveText([/^0x/, '49.00', '49.00', '0.00', 'Claim']) // earned, claimable, claimed
    await snap(page, 'earnings')
    await row.getByRole('button', { name: /^Claim for/ }).click()
    await expect(page.getByText('Claimed.')).toBeVisible({ timeout: 60_000 })
  })

  expect(consoleErrors).toEqual([])
  expect(accessibility).toEqual([])
})

test('a browser wallet signs in with Sign-In With Ethereum, checked by the real API', async ({ page }) => {
  const { generatePrivateKey, privateKeyToAccount } = await import('viem/accounts')
  const account = privateKeyToAccount(generatePrivateKey())
  // An EIP-1193 provider in the page whose signatures come from a key held by the test (as a wallet's would).
  await page.exposeFunction('harmoniWallet', async (method: string, params: unknown[]) => {
    if (method === 'eth_requestAccounts') return [account.address.toLowerCase()]
    if (method === 'personal_sign') return account.signMessage({ message: { raw: params[0] as `0x${string}` } })
    throw new Error(`unsupported ${method}`)
  })
  await page.addInitScript(() => {
    const call = (window as unknown as { harmoniWallet: (m: string, p: unknown[]) => Promise<unknown> }).harmoniWallet
    Object.assign(window, { ethereum: { request: ({ method, params = [] }: { method: string; params?: unknown[] }) =>
      call(method, params) } })
  })
  await page.goto(url('/sign-in?next=%2Fartist%2Fearnings'))
  await page.getByRole('button', { name: 'Sign in with a browser wallet' }).click()
  await expect(page.getByRole('heading', { name: 'Earnings' })).toBeVisible()
  await expect(page.getByText('Nothing earned yet.', { exact: false })).toBeVisible()
  // the account the wallet signed in to is that wallet's
  await expect(page.getByRole('cell', { name: `${account.address.slice(0, 8)}…${account.address.slice(-6)}`, exact: true }))
    .toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  // the dark theme, chosen by hand, passes axe too (colour contrast included)
  await page.getByRole('button', { name: /^Theme: System theme/ }).click()
  await page.getByRole('button', { name: /^Theme: Light theme/ }).click()
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
  await snap(page, 'earnings-dark')
  expect(accessibility).toEqual([])
})
