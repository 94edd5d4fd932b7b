/** What the edge reports to the backend about evaluations (proto: PushEvaluationEventsRequest). */

/** One evaluation with its detail (an exposure). */
export interface ExposureEvent {
  featureKey: string;
  environmentId: string;
  clientId: string;
  result: boolean;
  variant: string;
  /** The evaluation context as key/value text pairs. */
  context: { key: string; value: string }[];
  /** The sticky value the user was identified by; "" when none. */
  userContext: string;
  evaluatedAtMs: number;
  /** Answered from a sticky assignment. */
  priorAssignment: boolean;
}

/** Exact count of one (flag, environment, variant, result) in one minute. */
export interface EvaluationCounter {
  featureKey: string;
  environmentId: string;
  variant: string;
  result: boolean;
  minuteMs: number;
  evaluationCount: number;
  /** Of which answered from a sticky assignment. */
  cachedCount: number;
}

/** One client's analytics since the last flush; `batchId` stays the same on every retry. */
export interface AnalyticsBatch {
  batchId: string;
  clientId: string;
  events: ExposureEvent[];
  counters: EvaluationCounter[];
  /** Exposure events left out because the buffer was full (their counts are in `counters`). */
  droppedEvents: number;
}
