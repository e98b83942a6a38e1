import { NAME_PATTERN } from "./ids.js";

export const TOPIC_ROOT = "lotwatch/v1";
export type TopicKind = "events" | "status";

export interface TopicParts {
  site: string;
  gateway: string;
  kind: TopicKind;
}

export function buildTopic(site: string, gateway: string, kind: TopicKind): string {
  if (!NAME_PATTERN.test(site)) throw new RangeError(`site id "${site}" cannot be used in a topic`);
  if (!NAME_PATTERN.test(gateway)) throw new RangeError(`gateway id "${gateway}" cannot be used in a topic`);
  return `${TOPIC_ROOT}/${site}/${gateway}/${kind}`;
}

/** The parts of a lotwatch topic, or null when the topic is not one. */
export function parseTopic(topic: string): TopicParts | null {
  const levels = topic.split("/");
  if (levels.length !== 5 || levels[0] !== "lotwatch" || levels[1] !== "v1") return null;
  const [, , site = "", gateway = "", kind] = levels;
  if (!NAME_PATTERN.test(site) || !NAME_PATTERN.test(gateway)) return null;
  if (kind !== "events" && kind !== "status") return null;
  return { site, gateway, kind };
}

/** The subscription an ingest uses for every gateway's batches. */
export const EVENTS_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/events`;
export const STATUS_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/status`;
