import { gzipBombs } from "./gzip-bombs.js";
import { halfSentBodies } from "./half-sent-bodies.js";
import { rapidReset } from "./rapid-reset.js";

/** The attacks `runInAttackerProcess` can run, by name. */
export const attacks = { rapidReset, gzipBombs, halfSentBodies };

export type Attacks = typeof attacks;
export type AttackName = keyof Attacks;
