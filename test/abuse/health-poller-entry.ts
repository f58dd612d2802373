import { startHealthPoller } from "./well-behaved-client.js";

// Orphaned (the parent died): stop polling.
process.once("disconnect", () => process.exit(1));

/** The child side of `startHealthPollerProcess`: polls until told to stop, then reports. */
process.once("message", (message: { url: string; intervalMs: number }) => {
  const poller = startHealthPoller(message.url, message.intervalMs);
  process.send!("started");
  process.once("message", async (stop: { giveUpAfterMs?: number }) => {
    const report = await poller.stop(stop.giveUpAfterMs);
    process.send!(report, () => process.exit(0));
  });
});
