import { InvalidArgumentError } from "commander";

/** `--webhook URL` / LOTWATCH_WEBHOOK: an absolute http(s) URL, else a usage error naming the rule. */
export function parseWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an http:// or https:// URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, not ${url.protocol}`);
  }
  return value;
}
