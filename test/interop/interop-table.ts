import {
  CASES,
  type CaseName,
  type CaseResult,
  EXPECTED_UNAVAILABLE_DETAIL,
} from "./interop-cases.js";

/** One row of the matrix: a client and what it reported. */
export interface MatrixRow {
  readonly client: string;
  readonly results: readonly CaseResult[];
}

/** A cell that failed, with why. */
export interface MatrixFailure {
  readonly client: string;
  readonly case: CaseName;
  readonly detail: string;
}

/** The matrix's columns: every case, then grpcurl's `reflection`. */
export const COLUMNS: readonly CaseName[] = [...CASES, "reflection"];

/**
 * Whether a reported case passed: the client said ok, and what every client must agree on
 * matches — the unary answer is `expectedAnswer`, the decoded attempt trail is the expected one.
 */
export function passed(result: CaseResult, expectedAnswer: string): boolean {
  if (!result.ok) return false;
  if (result.case === "unary") return result.detail === expectedAnswer;
  if (result.case === "unavailable") return result.detail.endsWith(EXPECTED_UNAVAILABLE_DETAIL);
  return true;
}

/** Every cell of `rows` that did not pass, with the detail its client reported. */
export function failuresOf(rows: readonly MatrixRow[], expectedAnswer: string): MatrixFailure[] {
  const failures: MatrixFailure[] = [];
  for (const row of rows) {
    for (const result of row.results) {
      if (!passed(result, expectedAnswer))
        failures.push({ client: row.client, case: result.case, detail: result.detail });
    }
  }
  return failures;
}

/** The matrix as a Markdown table: "pass", "FAIL", or "—" where the client does not run the case. */
export function renderMatrix(rows: readonly MatrixRow[], expectedAnswer: string): string {
  const lines = [
    `| client | ${COLUMNS.join(" | ")} |`,
    `| --- | ${COLUMNS.map(() => "---").join(" | ")} |`,
  ];
  for (const row of rows) {
    const cells = COLUMNS.map((column) => {
      const result = row.results.find((entry) => entry.case === column);
      if (result === undefined) return "—";
      return passed(result, expectedAnswer) ? "pass" : "FAIL";
    });
    lines.push(`| ${row.client} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Every cell's detail as a Markdown list, for the artifact next to the table. */
export function renderDetails(rows: readonly MatrixRow[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    for (const result of row.results) {
      const detail = result.detail.replace(/\s+/g, " ");
      lines.push(
        `- ${row.client} × ${result.case}: ${detail.length > 200 ? `${detail.slice(0, 200)}…` : detail}`,
      );
    }
  }
  return lines.join("\n");
}
