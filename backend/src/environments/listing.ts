/**
 * List conventions shared by environments, pipelines, contexts and clients (reference §2.2): `pageNumber` and
 * `pageSize` both given → that page (1-based); otherwise every item, reported as page 1 of size `total`.
 * Text filters are case-insensitive prefixes (never substrings, reference §12-11).
 */
import * as v from "../validation";

export interface Page<T> {
  items: T[];
  pageNumber: number;
  pageSize: number;
  total: number;
}

/** Rows to skip and take; undefined = everything. */
export interface PageWindow {
  limit: number;
  offset: number;
}

export const MAX_PAGE_SIZE = 500;

export function pageWindow(pageNumber?: number | null, pageSize?: number | null): PageWindow | undefined {
  if (pageNumber === null || pageNumber === undefined || pageSize === null || pageSize === undefined) return undefined;
  const paging = v.page(pageNumber, pageSize, { size: 20, max: MAX_PAGE_SIZE });
  return { limit: paging.pageSize, offset: paging.offset };
}

export function toPage<T>(items: T[], total: number, window: PageWindow | undefined): Page<T> {
  if (!window) return { items, pageNumber: 1, pageSize: total, total };
  return { items, pageNumber: window.offset / window.limit + 1, pageSize: window.limit, total };
}

/** A trimmed, non-empty filter value, or undefined. */
export function filterText(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
