/** The most evaluated flags of a window: evaluations, share answered on, unique users, last evaluation. */
import { relativeTime } from "../models/activity.ts";
import { formatCount, formatPercent, share } from "../models/numbers.ts";
import type { FeatureEvaluations } from "../models/overview.ts";

interface TopFeaturesProps {
  rows: readonly FeatureEvaluations[];
  /** Feature ids by key, to link a row to its feature (a deleted flag's row stays plain text). */
  featureIds: ReadonlyMap<string, string>;
  caption: string;
  now?: number;
}

export function TopFeatures({ rows, featureIds, caption, now }: TopFeaturesProps) {
  return (
    <table class="table table--cards">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Flag</th>
          <th scope="col" class="num">
            Evaluations
          </th>
          <th scope="col" class="num">
            Success rate
          </th>
          <th scope="col" class="num">
            Unique users
          </th>
          <th scope="col">Last evaluated</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const id = featureIds.get(row.featureKey);
          return (
            <tr key={row.featureKey}>
              <th scope="row">
                {id ? (
                  <a href={`/features/${id}`} class="feature-link">
                    {row.featureKey}
                  </a>
                ) : (
                  <span class="feature-link">{row.featureKey}</span>
                )}
              </th>
              <td class="num" data-label="Evaluations">
                {formatCount(row.totalEvaluations)}
              </td>
              <td class="num" data-label="Success rate">
                {formatPercent(share(row.successfulEvaluations, row.totalEvaluations), row.totalEvaluations > 0)}
              </td>
              <td class="num" data-label="Unique users">
                {formatCount(row.uniqueUsers)}
              </td>
              <td data-label="Last evaluated">
                <time dateTime={row.lastEvaluatedAt} title={new Date(row.lastEvaluatedAt).toLocaleString()}>
                  {relativeTime(row.lastEvaluatedAt, now)}
                </time>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
