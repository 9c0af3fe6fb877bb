/**
 * Workflow interceptors, loaded into the workflow sandbox by the worker (`interceptors.workflowModules`) and by the
 * pre-built bundle (`workflowInterceptorModules`). They record the provisioning metrics of ./metrics around every
 * provisionChannel run, so the workflow code itself stays about provisioning.
 */
import {
  workflowInfo,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type Next,
} from '@temporalio/workflow';
import type { ProvisionChannelResult } from '../domain/provisioning';
import {
  outcomeOfFailure,
  recordProvisioningFinished,
  recordProvisioningResult,
  recordProvisioningStarted,
} from './metrics';

class ProvisioningMetrics implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (workflowInfo().workflowType !== 'provisionChannel') return next(input);
    recordProvisioningStarted();
    try {
      const result = await next(input);
      recordProvisioningResult(result as ProvisionChannelResult);
      return result;
    } catch (err) {
      recordProvisioningFinished(outcomeOfFailure(err));
      throw err;
    }
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new ProvisioningMetrics()] });
