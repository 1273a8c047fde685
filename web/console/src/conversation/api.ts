/**
 * The REST calls of the conversation workspace, over the console's one API client.
 * Sites and visitor profiles are fetched once per console and kept; canned answers are
 * fetched each time the picker opens, so edits on the canned page show without a reload.
 */
import type { Canned } from '../../../protocol/Canned';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { SiteId } from '../../../protocol/SiteId';
import type { SiteView } from '../../../protocol/SiteView';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { VisitorProfile } from '../../../protocol/VisitorProfile';
import { teamApi } from '../admin/api';
import type { Api } from '../api/http';
import type { CannedContext } from './canned';

export type WorkspaceApiClient = Pick<Api, 'call' | 'sites' | 'visitor'>;

export interface WorkspaceApi {
  canned(site: SiteId): Promise<Canned[]>;
  /** What a canned answer's placeholders stand for in this conversation (operator name aside). */
  visitorContext(site: SiteId, visitor: VisitorId): Promise<CannedContext>;
  setTags(id: ConversationId, tags: readonly string[]): Promise<ConversationSummary>;
}

const made = new WeakMap<WorkspaceApiClient, WorkspaceApi>();

export function workspaceApi(api: WorkspaceApiClient): WorkspaceApi {
  const known = made.get(api);
  if (known) return known;
  const profiles = new Map<VisitorId, Promise<VisitorProfile | null>>();
  let sites: Promise<SiteView[]> | null = null;

  // A failed fetch is forgotten so the next attempt asks again.
  function once<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let p = cache.get(key);
    if (!p) {
      p = load();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  }

  const fresh: WorkspaceApi = {
    canned: (site) => teamApi.canned(api, site),
    async visitorContext(site, visitor) {
      if (!sites) {
        sites = api.sites();
        sites.catch(() => {
          sites = null;
        });
      }
      const [list, profile] = await Promise.all([
        sites.catch(() => [] as SiteView[]),
        once(profiles, visitor, () => api.visitor(visitor).catch(() => null)),
      ]);
      const lastVisit = profile?.visits.reduce<(typeof profile.visits)[number] | undefined>(
        (latest, v) => (!latest || v.started_at > latest.started_at ? v : latest),
        undefined,
      );
      return {
        siteName: list.find((s) => s.id === site)?.name ?? null,
        visitorName: profile?.identity.name ?? null,
        visitorEmail: profile?.identity.email ?? null,
        visitorLang: profile?.live?.lang ?? lastVisit?.lang ?? null,
      };
    },
    setTags: (id, tags) =>
      api.call<ConversationSummary>('PUT', `/conversations/${encodeURIComponent(id)}/tags`, { tags }),
  };
  made.set(api, fresh);
  return fresh;
}
