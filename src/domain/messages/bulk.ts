/**
 * The messages of a bulk onboarding run: defined once, imported by the workflow and by every client (typed API, CLI, webhook
 * receiver, Nexus), so a renamed message cannot leave one side behind.
 */
import { defineQuery } from '@temporalio/workflow';
import type { BulkProgress } from '../bulk-onboarding';

export const bulkProgressQuery = defineQuery<BulkProgress>('bulkProgress');
