import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { assetOptions } from '../../api/assets'

/** A link to a recording by its title: the one given, or the catalog's (cached, shared by every link to it). */
export function RecordingLink({ assetId, title }: { assetId: number; title?: string | null }) {
  const asset = useQuery({ ...assetOptions(assetId), enabled: !title })
  const name = title ?? asset.data?.data.title ?? t.feed.recording(assetId)
  return <Link to={paths.asset.to(assetId)}>{name}</Link>
}
