/**
 * The CI version of `bun run soak` (bench/src/soak.ts): 30 seconds at a modest rate, same checks — no errors, no
 * drift between the two edges after each change, agreement with the engine at the end, flat RSS.
 */
import { expect, test } from "bun:test";
import { runSoak } from "../../bench/src/soak.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const RATE = Number(process.env.SOAK_RATE ?? 200);

test(
  `soak: ${SECONDS} s at ${RATE} req/s over two edges, a flag change per second`,
  async () => {
    const report = await runSoak({ seconds: SECONDS, rate: RATE, flags: 6, sampleUsers: 10 });
    console.log(`[soak]\n${report.summary}`);
    for (const d of [...report.drifts, ...report.engineMismatches].slice(0, 10)) console.log(`  ${d}`);
    expect(report.problems).toEqual([]);
    expect(report.changes).toBeGreaterThanOrEqual(Math.floor(SECONDS / 2));
  },
  (SECONDS + 240) * 1000,
);
