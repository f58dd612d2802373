import { type AttackName, attacks } from "./attacks.js";

// Orphaned (the parent died): stop attacking.
process.once("disconnect", () => process.exit(1));

/** The child side of `runInAttackerProcess`: runs one attack and sends its result back. */
process.once("message", async (message: { name: AttackName; options: never }) => {
  try {
    const result = await attacks[message.name](message.options);
    process.send!({ result }, () => process.exit(0));
  } catch (error) {
    process.send!({ error: (error as Error).stack ?? String(error) }, () => process.exit(1));
  }
});
