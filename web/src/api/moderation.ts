/** The admin's console: the moderation queue (`/v1/admin/reports`) and users' roles (`/v1/auth/users/{id}/roles`). */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Report = Schemas['ReportOut']
export type ReportStatus = Schemas['ReportStatusFilter']
export type ModerationAction = Schemas['ModerationAction']
export type Role = Schemas['Role']
export const REPORT_STATUSES: ReportStatus[] = ['open', 'actioned', 'dismissed']
export const ROLES: Role[] = ['fan', 'artist', 'auditor', 'partner', 'admin']

export const moderationKeys = {
  all: ['admin', 'reports'] as const,
  queue: (status: ReportStatus) => ['admin', 'reports', { status }] as const,
}

export const reportsOptions = (status: ReportStatus) =>
  queryOptions({
    queryKey: moderationKeys.queue(status),
    queryFn: () => unwrap(api.GET('/v1/admin/reports', { params: { query: { status, limit: 100 } } })),
  })

export const useReports = (status: ReportStatus) => useQuery(reportsOptions(status))

export function useActOnReport() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ reportId, action }: { reportId: string; action: ModerationAction }) =>
      unwrap(api.POST('/v1/admin/reports/{report_id}/actions', {
        params: { path: { report_id: reportId } }, body: { action } })),
    onSuccess: () => client.invalidateQueries({ queryKey: moderationKeys.all }),
  })
}

/** Grant or revoke one role; answers the account with its roles now. */
export function useRoleChange() {
  return useMutation({
    mutationFn: ({ userId, role, grant }: { userId: string; role: Role; grant: boolean }) => grant
      ? unwrap(api.POST('/v1/auth/users/{user_id}/roles', { params: { path: { user_id: userId } }, body: { role } }))
      : unwrap(api.DELETE('/v1/auth/users/{user_id}/roles/{role}', { params: { path: { user_id: userId, role } } })),
  })
}
