import { describe, expect, it } from 'vitest';
import { parseInterruption } from './messages.js';

const ec2 = (detailType: string, detail: object) =>
  JSON.stringify({
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source: 'aws.ec2',
    region: 'us-east-1',
    resources: [],
    detail,
  });

describe('interruption messages', () => {
  it.each([
    [
      ec2('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-1', 'instance-action': 'terminate' }),
      { kind: 'spotInterruption', instanceIds: ['i-1'] },
    ],
    [
      ec2('EC2 Capacity Reservation Instance Interruption Warning', {
        'instance-id': 'i-7',
        'instance-action': 'terminate',
      }),
      { kind: 'reservationInterruption', instanceIds: ['i-7'] },
    ],
    [
      ec2('EC2 Instance Rebalance Recommendation', { 'instance-id': 'i-2' }),
      { kind: 'rebalanceRecommendation', instanceIds: ['i-2'] },
    ],
    [
      ec2('EC2 Instance State-change Notification', { 'instance-id': 'i-3', state: 'stopping' }),
      { kind: 'stateChange', instanceIds: ['i-3'], state: 'stopping' },
    ],
    [
      JSON.stringify({
        source: 'aws.health',
        'detail-type': 'AWS Health Event',
        detail: {
          service: 'EC2',
          eventTypeCategory: 'scheduledChange',
          affectedEntities: [{ entityValue: 'i-4' }, { entityValue: 'i-5' }],
        },
      }),
      { kind: 'scheduledChange', instanceIds: ['i-4', 'i-5'] },
    ],
    [
      JSON.stringify({
        source: 'aws.health',
        'detail-type': 'AWS Health Event',
        detail: { service: 'RDS', eventTypeCategory: 'issue' },
      }),
      { kind: 'other' },
    ],
    [
      ec2('EC2 Instance Launch Successful', { 'instance-id': 'i-6' }),
      { kind: 'other', detailType: 'EC2 Instance Launch Successful' },
    ],
  ])('%s', (body, want) => {
    expect(parseInterruption(body)).toMatchObject(want);
  });

  it.each([
    ['{not json', 'not JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"source":"aws.ec2"}', 'not an EventBridge event'],
    [ec2('EC2 Spot Instance Interruption Warning', {}), 'names no instance'],
    [ec2('EC2 Instance State-change Notification', { 'instance-id': 'i-1' }), 'without detail.state'],
  ])('malformed: %s', (body, reason) => {
    const r = parseInterruption(body);
    expect(r.kind).toBe('malformed');
    expect('reason' in r && r.reason).toContain(reason);
  });
});
