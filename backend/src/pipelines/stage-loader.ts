/**
 * `Pipeline.stages` / `Pipeline.relationships` load through one per-request batch: every pipeline resolved in the
 * same tick (a whole page) shares one query instead of one each. Nothing is cached beyond the batch, so a
 * mutation later in the same document reads its own writes.
 */
import type { Executor } from "@fluxgate/drizzle";
import { type StageWithEnvironment, stagesOf } from "./repository";

type Load = (pipelineId: string) => Promise<StageWithEnvironment[]>;

const perRequest = new WeakMap<object, Load>();

/** The loader of this request (`key` = the GraphQL context object). */
export function stageLoader(key: object, ex: Executor): Load {
  let load = perRequest.get(key);
  if (!load) {
    load = batchLoader(ex);
    perRequest.set(key, load);
  }
  return load;
}

function batchLoader(ex: Executor): Load {
  let pending = new Map<string, Promise<StageWithEnvironment[]>>();
  let queue: { id: string; resolve: (s: StageWithEnvironment[]) => void; reject: (e: unknown) => void }[] = [];

  const flush = async () => {
    const batch = queue;
    queue = [];
    pending = new Map();
    try {
      const byPipeline = new Map<string, StageWithEnvironment[]>();
      for (const stage of await stagesOf(ex, [...new Set(batch.map((b) => b.id))])) {
        const list = byPipeline.get(stage.pipelineId);
        if (list) list.push(stage);
        else byPipeline.set(stage.pipelineId, [stage]);
      }
      for (const item of batch) item.resolve(byPipeline.get(item.id) ?? []);
    } catch (err) {
      for (const item of batch) item.reject(err);
    }
  };

  return (pipelineId) => {
    let found = pending.get(pipelineId);
    if (!found) {
      found = new Promise((resolve, reject) => {
        // after the promise jobs of this tick, so every sibling resolver has queued its id
        if (queue.length === 0) Promise.resolve().then(() => process.nextTick(flush));
        queue.push({ id: pipelineId, resolve, reject });
      });
      pending.set(pipelineId, found);
    }
    return found;
  };
}
