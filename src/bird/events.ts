/**
 * Bird webhook deliveries for the channels service (`channel.created`, `channel.updated`).
 *
 * The seed document describes the subscription, not the delivery body, beyond "the number / sender identifier,
 * the connectorId and the channelId". We parse leniently (unknown fields kept, status optional) and only act on
 * what readiness needs: which channel, and its status/stage.
 */
import { z } from 'zod';
import { BirdId, ComponentStage, ComponentStatus } from './schemas';

export const CHANNEL_EVENTS = ['channel.created', 'channel.updated'] as const;

export const ChannelEventPayload = z.looseObject({
  channelId: BirdId,
  connectorId: BirdId.optional(),
  platformId: z.string().optional(),
  identifier: z.string().optional(),
  status: ComponentStatus.nullable().optional(),
  stage: ComponentStage.nullable().optional(),
  errorMessage: z.string().nullable().optional(),
});
export type ChannelEventPayload = z.infer<typeof ChannelEventPayload>;

export const ChannelEvent = z.looseObject({
  service: z.literal('channels'),
  event: z.enum(CHANNEL_EVENTS),
  payload: ChannelEventPayload,
});
export type ChannelEvent = z.infer<typeof ChannelEvent>;

/** Header names Bird uses on webhook deliveries. */
export const WebhookHeaders = {
  signature: 'messagebird-signature',
  timestamp: 'messagebird-request-timestamp',
  requestId: 'messagebird-request-id',
} as const;
