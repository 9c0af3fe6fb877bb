/**
 * The messages of a bulk onboarding run: defined once, imported by the workflow and by every client (typed API, CLI, webhook
 * receiver, Nexus), so a renamed message cannot leave one side behind.
 */
import { defineQuery } from '@temporalio/workflow';
import type { BulkOffboardProgress, BulkOffboardResult } from '../bulk-offboarding';
import type { BulkProgress } from '../bulk-onboarding';

export const bulkProgressQuery = defineQuery<BulkProgress>('bulkProgress');

/** The progress of a bulkOffboard run. */
export const bulkOffboardProgressQuery = defineQuery<BulkOffboardProgress>('bulkOffboardProgress');
/** Every row's result so far (with the progress): also answered by a run that ended cancelled. */
export const bulkOffboardReportQuery = defineQuery<BulkOffboardResult>('bulkOffboardReport');
