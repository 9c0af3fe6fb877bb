/**
 * The product's activity-side metrics: every Bird API call by operation and outcome, and 429s apart (the number an
 * operator watches when tuning rate limits). Recorded through the Temporal runtime's meter, so they come out of the
 * same Prometheus endpoint as the SDK's own metrics (custom metrics keep their own names: no `temporal_` prefix).
 */
import type { MetricMeter } from '@temporalio/common';
import type { BirdCallObserver } from '../bird/client';

export const BIRD_REQUESTS = 'bird_api_requests';
export const BIRD_RATE_LIMITED = 'bird_api_rate_limited';
export const BIRD_REQUEST_LATENCY = 'bird_api_request_latency';

export function birdCallMetrics(meter: MetricMeter): BirdCallObserver {
  const requests = meter.createCounter(
    BIRD_REQUESTS,
    '1',
    'Bird API calls by operation and HTTP status (or timeout/network)',
  );
  const rateLimited = meter.createCounter(BIRD_RATE_LIMITED, '1', 'Bird API calls answered 429 Too Many Requests');
  const latency = meter.createHistogram(BIRD_REQUEST_LATENCY, 'int', 'ms', 'Bird API call latency');
  return ({ operation, outcome, durationMs }) => {
    const status = String(outcome);
    requests.add(1, { operation, status });
    latency.record(Math.round(durationMs), { operation });
    if (outcome === 429) rateLimited.add(1, { operation });
  };
}
