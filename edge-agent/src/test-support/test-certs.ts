import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCerts {
  /** PEM file paths. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the server. */
  otherCaCert: string;
}

/** A private CA with a server certificate for 127.0.0.1 and a client certificate, made with `openssl`. */
export function createTestCerts(dir: string): TestCerts {
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "pipe", timeout: 20_000 });
  const ecKey = (name: string) =>
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(name)]);
  const selfSignedCa = (name: string, subject: string) => {
    ecKey(`${name}.key`);
    openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      file(`${name}.key`),
      "-subj",
      subject,
      "-days",
      "2",
      "-out",
      file(`${name}.pem`),
    ]);
  };
  const signed = (name: string, subject: string, extensions: string) => {
    ecKey(`${name}.key`);
    openssl(["req", "-new", "-key", file(`${name}.key`), "-subj", subject, "-out", file(`${name}.csr`)]);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl([
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      file(`${name}.ext`),
      "-out",
      file(`${name}.pem`),
    ]);
  };
  selfSignedCa("ca", "/CN=lotwatch test CA");
  selfSignedCa("other-ca", "/CN=some other CA");
  signed("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  signed("client", "/CN=gw-1", "extendedKeyUsage=clientAuth\n");
  return {
    caCert: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
    otherCaCert: file("other-ca.pem"),
  };
}
