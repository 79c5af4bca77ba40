import { useState } from 'react'
import { NavLink, Outlet, useNavigate } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { hasRole, signOut, useSession } from '../api/session'
import { applyTheme, storedTheme, type Theme } from '../lib/theme'
import { PlayerBar } from '../fan/player/PlayerBar'
import { NotificationsLink } from '../fan/social/NotificationsLink'

const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' }

export function Layout() {
  const session = useSession()
  const navigate = useNavigate()
  const [theme, setTheme] = useState(storedTheme)
  const switchTheme = () => {
    const next = NEXT[theme]
    applyTheme(next)
    setTheme(next)
  }
  return (
    <>
      <a className="skip" href="#main">{t.app.skipToContent}</a>
      <header className="top">
        <NavLink to={paths.home.to()} className="brand">{t.app.name}</NavLink>
        <nav aria-label={t.app.mainNav}>
          <NavLink to={paths.catalog.to()}>{t.nav.catalog}</NavLink>
          {/* fan: search, notifications, messages (issue 17) */}
          <NavLink to={paths.search.to()}>{t.search.nav}</NavLink>
          <NotificationsLink />
          {session.status === 'signed-in' && <NavLink to={paths.messages.to()}>{t.messages.nav}</NavLink>}
          {hasRole(session, 'artist') && <NavLink to={paths.register.to()}>{t.nav.register}</NavLink>}
          {hasRole(session, 'artist') && <NavLink to={paths.uploads.to()}>{t.nav.uploads}</NavLink>}
          {/* artist: editions, posts, analytics (issue 17) */}
          {hasRole(session, 'artist') && <NavLink to={paths.artistEditions.to()}>{t.artistEditions.nav}</NavLink>}
          {hasRole(session, 'artist') && <NavLink to={paths.artistPosts.to()}>{t.posts.nav}</NavLink>}
          {hasRole(session, 'artist') && <NavLink to={paths.analytics.to()}>{t.analytics.nav}</NavLink>}
          {session.status === 'signed-in' && <NavLink to={paths.earnings.to()}>{t.nav.earnings}</NavLink>}
          <NavLink to={paths.periods.to()}>{t.nav.periods}</NavLink>
          {hasRole(session, 'partner', 'admin') && <NavLink to={paths.partnerKeys.to()}>{t.partner.nav}</NavLink>}
          {hasRole(session, 'partner', 'admin') && <NavLink to={paths.webhooks.to()}>{t.webhooks.nav}</NavLink>}
          {hasRole(session, 'admin') && <NavLink to={paths.adminPeriods.to()}>{t.nav.admin}</NavLink>}
          {/* fan money screens and the admin console */}
          <NavLink to={paths.shop.to()}>{t.shopNav.shop}</NavLink>
          {session.status === 'signed-in' && <NavLink to={paths.collection.to()}>{t.shopNav.collection}</NavLink>}
          {session.status === 'signed-in' && <NavLink to={paths.subscription.to()}>{t.shopNav.subscription}</NavLink>}
          {session.status === 'signed-in' && <NavLink to={paths.privacy.to()}>{t.shopNav.privacy}</NavLink>}
          {hasRole(session, 'admin') && <NavLink to={paths.adminModeration.to()}>{t.shopNav.moderation}</NavLink>}
          {hasRole(session, 'admin') && <NavLink to={paths.adminDeadLetters.to()}>{t.shopNav.payments}</NavLink>}
          {hasRole(session, 'admin') && <NavLink to={paths.adminUsers.to()}>{t.shopNav.users}</NavLink>}
        </nav>
        <div className="account">
          <button type="button" className="secondary" onClick={switchTheme} aria-label={t.theme.label(t.theme[theme])}>
            {t.theme[theme]}
          </button>
          {session.status === 'signed-in' ? (
            <>
              <span className="who">{t.nav.signedInAs(session.user.email ?? session.user.id)}</span>
              <button type="button" onClick={() => void signOut().then(() => navigate(paths.home.to()))}>
                {t.nav.signOut}
              </button>
            </>
          ) : (
            <>
              <NavLink to={paths.signIn.to()}>{t.nav.signIn}</NavLink>
              <NavLink to={paths.signUp.to()}>{t.nav.signUp}</NavLink>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <PlayerBar />
    </>
  )
}
