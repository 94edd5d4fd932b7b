import { expect, test } from "bun:test";
import { isClosedSocketWrite } from "../src/driver-guard.ts";

function thrownAt(file: string, message: string): TypeError {
  const error = new TypeError(message);
  error.stack = `TypeError: ${message}\n    at nextWrite (${file}:255:15)`;
  return error;
}

test.each([
  [
    "Bun's message from the driver",
    "/app/node_modules/postgres/src/connection.js",
    "null is not an object (evaluating 'socket.write')",
    true,
  ],
  [
    "Node's message from the driver",
    "/app/node_modules/postgres/src/connection.js",
    "Cannot read properties of null (reading 'write')",
    true,
  ],
  [
    "the same message from our code",
    "/app/backend/src/main.ts",
    "null is not an object (evaluating 'socket.write')",
    false,
  ],
  ["another driver error", "/app/node_modules/postgres/src/connection.js", "x is not a function", false],
])("%s → swallowed: %p", (_, file, message, expected) => {
  expect(isClosedSocketWrite(thrownAt(file, message))).toBe(expected);
});

test("only TypeErrors are the driver's closed-socket write", () => {
  const error = new Error("null is not an object (evaluating 'socket.write')");
  error.stack = "Error\n    at nextWrite (/app/node_modules/postgres/src/connection.js:255:15)";
  expect(isClosedSocketWrite(error)).toBe(false);
});
