import { Link } from 'react-router'

import { paths } from './paths'
import { t } from './strings'

export function HomePage() {
  return (
    <section className="home">
      <h1>{t.app.name}</h1>
      <p className="lead">{t.app.tagline}</p>
      <ul className="cards">
        <li className="card"><Link to={paths.catalog.to()}>{t.nav.catalog}</Link><p>{t.home.fans}</p></li>
        <li className="card"><Link to={paths.register.to()}>{t.nav.register}</Link><p>{t.home.artists}</p></li>
        <li className="card"><Link to={paths.periods.to()}>{t.nav.periods}</Link><p>{t.home.auditors}</p></li>
      </ul>
    </section>
  )
}

export function NotFoundPage() {
  return (
    <section>
      <h1>{t.app.notFound}</h1>
      <Link to={paths.home.to()}>{t.app.backHome}</Link>
    </section>
  )
}
