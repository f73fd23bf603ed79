import type { paths } from '@alert-relay/client';
import { formFields } from '../components/forms';
import { KnownSources, SeverityOptions } from '../components/options';

type ApiQuery = NonNullable<paths['/api/v1/notifications']['get']['parameters']['query']>;

type Sort = NonNullable<ApiQuery['sort']>;

// Newest changes first unless the address says otherwise: what moved last is what the operator wants.
const DEFAULT_SORT: Sort = '-updatedAt';
export const SORT_LABELS: Record<Sort, string> = {
  '-updatedAt': 'newest changes first',
  '-openedAt': 'newest opened first',
  openedAt: 'oldest opened first',
};

export interface Filters {
  status: 'open' | 'closed' | 'all';
  severity: string;
  source: string;
  host: string;
  tags: string;
  q: string;
  sort: Sort;
}

// The filters live in the page's address, so a filtered view can be bookmarked, shared and gone back to.
export function parseFilters(search: string): Filters {
  const params = new URLSearchParams(search);
  const status = params.get('status');
  const sort = params.get('sort') ?? '';
  return {
    status: status === 'closed' || status === 'all' ? status : 'open',
    severity: params.get('severity') ?? '',
    source: params.get('source') ?? '',
    host: params.get('host') ?? '',
    tags: params.get('tag') ?? '',
    q: params.get('q') ?? '',
    sort: Object.hasOwn(SORT_LABELS, sort) ? (sort as Sort) : DEFAULT_SORT,
  };
}

export function toApiQuery(filters: Filters): ApiQuery {
  const tags = splitTags(filters.tags);
  return {
    ...(filters.status === 'all' ? {} : { status: filters.status }),
    ...(filters.severity ? { severity: filters.severity as ApiQuery['severity'] } : {}),
    ...(filters.source ? { source: filters.source } : {}),
    ...(filters.host ? { host: filters.host } : {}),
    ...(tags.length ? { tag: tags } : {}),
    ...(filters.q ? { q: filters.q } : {}),
    sort: filters.sort,
  };
}

/** Tags are `key:value` strings; several are given comma-separated and all must be present. */
function splitTags(value: string): string[] {
  return value
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}

export function NotificationFilters({ filters, onApply }: { filters: Filters; onApply: (query: string) => void }) {
  const apply = (form: HTMLFormElement) => {
    const params = new URLSearchParams();
    const fields = formFields(form);
    const defaults: Record<string, string> = { status: 'open', sort: DEFAULT_SORT };
    for (const name of ['status', 'severity', 'source', 'host', 'tag', 'q', 'sort']) {
      const value = fields[name] ?? '';
      if (value && value !== defaults[name]) params.set(name, value);
    }
    onApply(params.toString());
  };
  return (
    <form
      class="filters"
      role="search"
      aria-label="Filter notifications"
      onSubmit={(event) => {
        event.preventDefault();
        apply(event.currentTarget);
      }}
    >
      <label>
        Status
        <select name="status" defaultValue={filters.status} onChange={(e) => apply(e.currentTarget.form!)}>
          <option value="open">Open</option>
          <option value="closed">Closed</option>
          <option value="all">All</option>
        </select>
      </label>
      <label>
        Severity
        <select name="severity" defaultValue={filters.severity} onChange={(e) => apply(e.currentTarget.form!)}>
          <option value="">Any</option>
          <SeverityOptions />
        </select>
      </label>
      <label>
        Source
        <input name="source" defaultValue={filters.source} list="known-sources" maxLength={100} autocomplete="off" />
      </label>
      <KnownSources id="known-sources" />
      <label>
        Host
        <input
          name="host"
          defaultValue={filters.host}
          maxLength={1000}
          placeholder="exactly, e.g. db-7"
          autocomplete="off"
        />
      </label>
      <label>
        Tag
        <input name="tag" defaultValue={filters.tags} placeholder="cluster-name:prod" autocomplete="off" />
      </label>
      <label class="grow">
        Text
        <input
          name="q"
          type="search"
          defaultValue={filters.q}
          placeholder="words in title or message"
          maxLength={200}
        />
      </label>
      <label>
        Order
        <select name="sort" defaultValue={filters.sort} onChange={(e) => apply(e.currentTarget.form!)}>
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label[0].toUpperCase() + label.slice(1)}
            </option>
          ))}
        </select>
      </label>
      <div class="filter-actions">
        <button type="submit">Apply</button>
        <button type="button" class="secondary" onClick={() => onApply('')}>
          Reset
        </button>
      </div>
    </form>
  );
}
