import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Servers in the tests bind real ports; isolate files in forks so a leak fails only its file.
    pool: "forks",
  },
});
