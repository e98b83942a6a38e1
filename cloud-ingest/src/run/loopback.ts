import { isIP } from "node:net";

/** True for localhost, 127.0.0.0/8, ::1 and ::ffff:127.x: addresses other machines cannot reach. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host.toLowerCase().startsWith("::ffff:127.");
  return false;
}
