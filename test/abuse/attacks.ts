import { controlFrameFlood } from "./control-frame-flood.js";
import { runFuzz } from "./fuzz-run.js";
import { gzipBombs } from "./gzip-bombs.js";
import { halfSentBodies } from "./half-sent-bodies.js";
import { headerAbuse } from "./header-abuse.js";
import { holdIdleConnections } from "./idle-connections.js";
import { jsonNesting } from "./json-nesting.js";
import { rapidReset } from "./rapid-reset.js";
import { requestSmuggling } from "./request-smuggling.js";
import { slowloris } from "./slowloris.js";

/** The attacks `runInAttackerProcess` can run, by name. */
export const attacks = {
  rapidReset,
  controlFrameFlood,
  holdIdleConnections,
  slowloris,
  halfSentBodies,
  gzipBombs,
  headerAbuse,
  requestSmuggling,
  jsonNesting,
  runFuzz,
};

export type Attacks = typeof attacks;
export type AttackName = keyof Attacks;
