/** Public surface of the Bird simulator: start it in-process with BirdSimulator.start(), or run main.ts. */
export { BirdSimulator } from './server';
export { DEFAULT_ACCESS_KEY, DEFAULT_WORKSPACE } from './defaults';
export { BIRD_RETRY_SCHEDULE_MS } from './webhooks';
export { OPERATION_IDS } from './types';
export type {
  ChannelEventBody,
  ChannelEventName,
  ChannelState,
  FaultConfig,
  NumberBehaviour,
  OperationId,
  ScriptedFault,
  SimCall,
  SimConnector,
  SimDelivery,
  SimNumber,
  SimSubscription,
  SimWorkspace,
  SimulatorOptions,
} from './types';
