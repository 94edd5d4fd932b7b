/** Operators as small integers for the compiled store's switch (the index in model.ts `OPERATORS`). */
import { OPERATORS, type Operator } from "./model.ts";

export const OP_IN = 0;
export const OP_NOT_IN = 1;
export const OP_EQUALS = 2;
export const OP_CONTAINS = 3;
export const OP_STARTS_WITH = 4;
export const OP_ENDS_WITH = 5;
export const OP_REGEX = 6;
export const OP_NUM_EQ = 7;
export const OP_NUM_GTE = 11;
export const OP_SEMVER_EQ = 12;
export const OP_SEMVER_GTE = 16;
export const OP_DATE_BEFORE = 17;
export const OP_DATE_AFTER = 18;
export const OP_IP_IN_CIDR = 19;

const OPCODES: ReadonlyMap<string, number> = new Map(OPERATORS.map((operator, i) => [operator, i]));

/** The opcode of an operator (-1 for an unknown one). */
export function opcodeOf(operator: Operator): number {
  return OPCODES.get(operator) ?? -1;
}

/** The verdict of comparison opcode `op` (`num_*` or `semver_*`) on a difference `a - b`. */
export function compareOpcode(op: number, difference: number): boolean {
  switch (op >= OP_SEMVER_EQ ? op - OP_SEMVER_EQ : op - OP_NUM_EQ) {
    case 0:
      return difference === 0;
    case 1:
      return difference < 0;
    case 2:
      return difference <= 0;
    case 3:
      return difference > 0;
    default:
      return difference >= 0;
  }
}
