/**
 * The messages EventBridge puts on the interruption queue (Karpenter's rules), parsed (pure): a spot
 * interruption warning, an interruptible capacity reservation's interruption warning, an AWS Health scheduled change for EC2, a rebalance recommendation, an
 * instance state change. Anything else is `other` (deleted, nothing done); a body that is not such an
 * event is a malformed message with the reason.
 */
export type InterruptionKind =
  | 'spotInterruption'
  | 'reservationInterruption'
  | 'scheduledChange'
  | 'rebalanceRecommendation'
  | 'stateChange';

export type Interruption =
  | { readonly kind: InterruptionKind; readonly instanceIds: readonly string[]; readonly state?: string }
  | { readonly kind: 'other'; readonly detailType: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Instance states after which the Node has nothing left to run (Karpenter's). */
export const GONE_STATES: ReadonlySet<string> = new Set([
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
]);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function instanceOf(detail: Json): string[] {
  const id = detail['instance-id'];
  return typeof id === 'string' && id !== '' ? [id] : [];
}

function ec2Event(detailType: string, detail: Json): Interruption | undefined {
  switch (detailType) {
    case 'EC2 Spot Instance Interruption Warning':
      return { kind: 'spotInterruption', instanceIds: instanceOf(detail) };
    // An interruptible capacity reservation taking an instance back (Karpenter v1.10).
    case 'EC2 Capacity Reservation Instance Interruption Warning':
      return { kind: 'reservationInterruption', instanceIds: instanceOf(detail) };
    case 'EC2 Instance Rebalance Recommendation':
      return { kind: 'rebalanceRecommendation', instanceIds: instanceOf(detail) };
    case 'EC2 Instance State-change Notification':
      return typeof detail.state === 'string'
        ? { kind: 'stateChange', instanceIds: instanceOf(detail), state: detail.state }
        : { kind: 'malformed', reason: 'a state-change notification without detail.state' };
    default:
      return undefined;
  }
}

function healthEvent(detail: Json): Interruption {
  if (detail.service !== 'EC2' || detail.eventTypeCategory !== 'scheduledChange')
    return {
      kind: 'other',
      detailType: `AWS Health Event ${String(detail.service)}/${String(detail.eventTypeCategory)}`,
    };
  const entities = Array.isArray(detail.affectedEntities) ? detail.affectedEntities : [];
  const ids = entities.flatMap((e) =>
    isObject(e) && typeof e.entityValue === 'string' ? [e.entityValue] : [],
  );
  return { kind: 'scheduledChange', instanceIds: ids };
}

export function parseInterruption(body: string | undefined): Interruption {
  let event: unknown;
  try {
    event = JSON.parse(body ?? '');
  } catch {
    return { kind: 'malformed', reason: 'the body is not JSON' };
  }
  if (!isObject(event)) return { kind: 'malformed', reason: 'the body is not a JSON object' };
  const detailType = event['detail-type'];
  const detail = event.detail;
  if (typeof event.source !== 'string' || typeof detailType !== 'string' || !isObject(detail))
    return { kind: 'malformed', reason: 'not an EventBridge event (source, detail-type and detail)' };
  const parsed =
    event.source === 'aws.ec2'
      ? ec2Event(detailType, detail)
      : event.source === 'aws.health' && detailType === 'AWS Health Event'
        ? healthEvent(detail)
        : undefined;
  if (!parsed) return { kind: 'other', detailType };
  if ('instanceIds' in parsed && parsed.instanceIds.length === 0)
    return { kind: 'malformed', reason: `${detailType} names no instance` };
  return parsed;
}
