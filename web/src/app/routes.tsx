/** The route tree: each pattern from `paths.ts`; pages lazy-loaded; loaders prefetch the page's queries. */
import type { QueryClient } from '@tanstack/react-query'
import type { ComponentType } from 'react'
import type { RouteObject } from 'react-router'

import { assetListOptions, assetOptions } from '../api/assets'
import { chainOptions } from '../api/chain'
import { editionOptions, editionsOptions, holdersOptions } from '../api/editions'
import { periodOptions, periodsOptions } from '../api/royalties'
import { filtersFrom, searchOptions } from '../api/search'
import { accountOptions } from '../api/social'
import { Layout } from '../components/Layout'
import { Loading } from '../components/states'
import { RequireSession } from '../components/RequireSession'
import { filtersFrom as shopFiltersFrom } from '../fan/shop/filters'
import { NotFoundPage } from './HomePage'
import { paths } from './paths'
import { t } from './strings'
// artist: editions, posts, analytics (issue 17)
import { walletsOptions } from '../api/me'
import { earningsOptions } from '../api/royalties'

/** Starts the page's requests while its code loads; the page shows its own loading state meanwhile. */
function start(work: () => unknown): null {
  void work()
  return null
}

/** A lazily loaded page for signed-in users. */
function signedIn(path: string, page: () => Promise<ComponentType>): RouteObject {
  return { path, lazy: async () => {
    const Page = await page()
    return { Component: () => <RequireSession><Page /></RequireSession> }
  } }
}

/** A lazily loaded page of the admin console. */
function adminOnly(path: string, page: () => Promise<ComponentType>): RouteObject {
  return { path, lazy: async () => {
    const Page = await page()
    return { Component: () => <RequireSession roles={['admin']} refusal={t.shopNav.adminsOnly}><Page /></RequireSession> }
  } }
}

/** The `lazy` of a page for signed-in users of any role. */
function signedInLazy(load: () => Promise<ComponentType>) {
  return async () => {
    const Page = await load()
    return { Component: () => <RequireSession><Page /></RequireSession> }
  }
}

export function makeRoutes(queryClient: QueryClient): RouteObject[] {
  return [{
    element: <Layout />,
    hydrateFallbackElement: <Loading />,
    children: [
      // --- fan: home, search, profiles, notifications, messages (issue 17) ---
      { path: paths.home.pattern, lazy: async () => ({ Component: (await import('../fan/HomePage')).HomePage }) },
      {
        path: paths.search.pattern,
        loader: ({ request }) => start(() => {
          const filters = filtersFrom(new URL(request.url).searchParams)
          return filters.q ? queryClient.prefetchQuery(searchOptions(filters)) : undefined
        }),
        lazy: async () => ({ Component: (await import('../fan/search/SearchPage')).SearchPage }),
      },
      {
        path: paths.artist.pattern,
        loader: ({ params }) => start(() => queryClient.prefetchQuery(accountOptions(params.userId ?? ''))),
        lazy: async () => ({ Component: (await import('../fan/ArtistPage')).ArtistPage }),
      },
      {
        path: paths.notifications.pattern,
        lazy: signedInLazy(async () => (await import('../fan/NotificationsPage')).NotificationsPage),
      },
      {
        path: paths.messages.pattern,
        lazy: signedInLazy(async () => (await import('../fan/messages/MessagesPage')).MessagesPage),
      },
      {
        path: paths.conversation.pattern,
        lazy: signedInLazy(async () => (await import('../fan/messages/ThreadPage')).ThreadPage),
      },
      { path: paths.signIn.pattern, lazy: async () => ({ Component: (await import('../auth/SignInPage')).SignInPage }) },
      { path: paths.signUp.pattern, lazy: async () => ({ Component: (await import('../auth/SignUpPage')).SignUpPage }) },
      {
        path: paths.catalog.pattern,
        loader: ({ request }) => start(() => {
          const search = new URL(request.url).searchParams
          const kind = search.get('kind')
          return queryClient.prefetchQuery(assetListOptions({
            q: search.get('q') ?? undefined, cursor: search.get('cursor') ?? undefined,
            kind: kind === 'work' || kind === 'recording' ? kind : undefined,
          }))
        }),
        lazy: async () => ({ Component: (await import('../fan/CatalogPage')).CatalogPage }),
      },
      {
        path: paths.asset.pattern,
        loader: ({ params }) => start(() => queryClient.prefetchQuery(assetOptions(Number(params.assetId)))),
        lazy: async () => ({ Component: (await import('../fan/AssetPage')).AssetPage }),
      },
      {
        path: paths.register.pattern,
        lazy: async () => {
          const { RegisterPage } = await import('../artist/RegisterPage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.register.artistsOnly}><RegisterPage /></RequireSession> }
        },
      },
      {
        path: paths.uploads.pattern,
        lazy: async () => {
          const { UploadsPage } = await import('../artist/UploadsPage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.register.artistsOnly}><UploadsPage /></RequireSession> }
        },
      },
      {
        path: paths.manage.pattern,
        loader: ({ params }) => start(() => queryClient.prefetchQuery(assetOptions(Number(params.assetId)))),
        lazy: async () => {
          const { ManagePage } = await import('../artist/ManagePage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.manage.artistsOnly}><ManagePage /></RequireSession> }
        },
      },
      {
        path: paths.earnings.pattern,
        lazy: async () => {
          const { EarningsPage } = await import('../artist/EarningsPage')
          return { Component: () => <RequireSession><EarningsPage /></RequireSession> }
        },
      },
      {
        path: paths.acceptInvitation.pattern,
        lazy: async () => {
          const { AcceptInvitationPage } = await import('../artist/AcceptInvitationPage')
          return { Component: () => <RequireSession><AcceptInvitationPage /></RequireSession> }
        },
      },
      {
        path: paths.partnerKeys.pattern,
        lazy: async () => {
          const { KeysPage } = await import('../partner/KeysPage')
          return { Component: () => <RequireSession roles={['partner', 'admin']} refusal={t.partner.partnersOnly}><KeysPage /></RequireSession> }
        },
      },
      {
        path: paths.webhooks.pattern,
        lazy: async () => {
          const { WebhooksPage } = await import('../partner/WebhooksPage')
          return { Component: () => <RequireSession roles={['partner', 'admin']} refusal={t.partner.partnersOnly}><WebhooksPage /></RequireSession> }
        },
      },
      {
        path: paths.adminPeriods.pattern,
        lazy: async () => {
          const { PeriodsAdminPage } = await import('../admin/PeriodsAdminPage')
          return { Component: () => <RequireSession roles={['admin']} refusal={t.admin.adminsOnly}><PeriodsAdminPage /></RequireSession> }
        },
      },
      {
        path: paths.periods.pattern,
        loader: () => start(() => queryClient.prefetchQuery(periodsOptions())),
        lazy: async () => ({ Component: (await import('../auditor/PeriodsPage')).PeriodsPage }),
      },
      {
        path: paths.period.pattern,
        loader: ({ params }) => start(() => Promise.all([
          queryClient.prefetchQuery(periodOptions(Number(params.periodId))),
          queryClient.prefetchQuery(chainOptions()),
        ])),
        // viem and the Merkle library are in this chunk only
        lazy: async () => ({ Component: (await import('../auditor/PeriodPage')).PeriodPage }),
      },
      // --- fan money screens and the admin console ---
      {
        path: paths.shop.pattern,
        loader: ({ request }) => start(() =>
          queryClient.prefetchQuery(editionsOptions(shopFiltersFrom(new URL(request.url).searchParams)))),
        lazy: async () => ({ Component: (await import('../fan/shop/ShopPage')).ShopPage }),
      },
      {
        path: paths.edition.pattern,
        loader: ({ params }) => start(() => Promise.all([
          queryClient.prefetchQuery(editionOptions(Number(params.editionId))),
          queryClient.prefetchQuery(holdersOptions(Number(params.editionId))),
        ])),
        lazy: async () => ({ Component: (await import('../fan/shop/EditionPage')).EditionPage }),
      },
      signedIn(paths.order.pattern, async () => (await import('../fan/shop/OrderPage')).OrderPage),
      signedIn(paths.collection.pattern, async () => (await import('../fan/shop/CollectionPage')).CollectionPage),
      signedIn(paths.receipts.pattern, async () => (await import('../fan/shop/ReceiptsPage')).ReceiptsPage),
      signedIn(paths.subscription.pattern, async () => (await import('../fan/shop/SubscriptionPage')).SubscriptionPage),
      signedIn(paths.privacy.pattern, async () => (await import('../fan/privacy/PrivacyPage')).PrivacyPage),
      adminOnly(paths.adminModeration.pattern, async () => (await import('../admin/ModerationPage')).ModerationPage),
      adminOnly(paths.adminDeadLetters.pattern, async () => (await import('../admin/DeadLettersPage')).DeadLettersPage),
      adminOnly(paths.adminUsers.pattern, async () => (await import('../admin/RolesPage')).RolesPage),
      // --- artist: editions, posts, analytics (issue 17) ---
      {
        path: paths.artistEditions.pattern,
        loader: () => start(() => queryClient.prefetchQuery(walletsOptions())),
        lazy: async () => {
          const { EditionsPage } = await import('../artist/EditionsPage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.register.artistsOnly}><EditionsPage /></RequireSession> }
        },
      },
      {
        path: paths.artistPosts.pattern,
        loader: () => start(() => queryClient.prefetchQuery(walletsOptions())),
        lazy: async () => {
          const { PostsPage } = await import('../artist/PostsPage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.register.artistsOnly}><PostsPage /></RequireSession> }
        },
      },
      {
        path: paths.analytics.pattern,
        loader: () => start(() => Promise.all([
          queryClient.prefetchQuery(walletsOptions()), queryClient.prefetchQuery(earningsOptions())])),
        lazy: async () => {
          const { AnalyticsPage } = await import('../artist/AnalyticsPage')
          return { Component: () => <RequireSession roles={['artist']} refusal={t.register.artistsOnly}><AnalyticsPage /></RequireSession> }
        },
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  }]
}
