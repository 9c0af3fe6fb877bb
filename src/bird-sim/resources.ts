/**
 * Contract-shaped views of a simulated connector. The contract's Connector and NumberConfig forbid extra
 * properties, so these are built field by field rather than spread from the internal record.
 */
import type { ChannelEventBody, ChannelEventName, SimConnector } from './types';

export const REGION = 'eu-west-1';

export function connectorResource(c: SimConnector): Record<string, unknown> {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    name: c.name,
    region: REGION,
    // securityArguments are secrets: accepted on create, never returned (as Bird does).
    arguments: c.arguments,
    channel: { channelId: c.channelId, platform: c.platform },
    ...(c.number
      ? { number: { numberId: c.number.numberId, profileId: c.number.profileId, phoneNumber: c.number.phoneNumber } }
      : {}),
    connectorTemplateSlug: c.connectorTemplateSlug,
    connectorTemplateRef: c.connectorTemplateRef,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function connectorStatusResource(c: SimConnector): Record<string, unknown> {
  const { status, stage } = c.state;
  const errorMessage = c.state.errorMessage ?? null;
  return {
    channel: { channelId: c.channelId, platformName: c.platform, status, stage, errorMessage },
    ...(c.number ? { number: { ...c.number, status, stage, errorMessage } } : {}),
  };
}

export function channelEvent(event: ChannelEventName, c: SimConnector): ChannelEventBody {
  return {
    service: 'channels',
    event,
    payload: {
      channelId: c.channelId,
      connectorId: c.id,
      platformId: c.platform,
      ...(c.number ? { identifier: c.number.phoneNumber } : {}),
      status: c.state.status,
      stage: c.state.stage,
      ...(c.state.errorMessage !== undefined ? { errorMessage: c.state.errorMessage } : {}),
    },
  };
}
