import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate for 127.0.0.1 and localhost that is also its own CA. */
export interface SelfSignedCert {
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate's PEM, to trust as the CA. */
  readonly ca: Buffer;
  /** Deletes the files. */
  remove(): void;
}

/**
 * Makes a certificate with the openssl CLI. A missing binary throws, failing the test file
 * instead of skipping it.
 */
export function createSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ],
    { stdio: "ignore" },
  );
  return {
    certPath,
    keyPath,
    ca: readFileSync(certPath),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
