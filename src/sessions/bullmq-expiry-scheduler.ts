import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { ExpiryScheduler, WakeUpHandler } from './expiry-scheduler.ts';
import type { RedisConnection } from './redis-connections.ts';

export const EXPIRY_QUEUE_NAME = 'session-expiry';
const WAKE_UP_JOB_NAME = 'wake-up';
/** Wake-ups are a couple of Redis calls each; many can run at once. */
const WORKER_CONCURRENCY = 50;
/** A job held by a worker that died mid-run is taken over within about this long (default 30 s). */
const WORKER_LOCK_MS = 10_000;
/**
 * How long an idle worker blocks waiting for BullMQ's marker before it looks at the queue
 * again (seconds; BullMQ's default is 5). A delayed job's marker wakes one worker only: if
 * that worker's instance shuts down before the job is due, the other instances find the job
 * at their next look, so this bounds how late a wake-up can be after an instance stops.
 */
const WORKER_DRAIN_DELAY_SECONDS = 1;
const WAKE_UP_ATTEMPTS = 5;
const WAKE_UP_RETRY_BACKOFF_MS = 200;

interface WakeUpData {
  tokenKey: string;
}

export interface BullmqSchedulerOptions {
  /** Shared command connection for the queue. */
  connection: RedisConnection;
  /** BullMQ requires `maxRetriesPerRequest: null` here; it duplicates it for blocking reads. */
  workerConnection: RedisConnection;
  /** BullMQ key prefix, e.g. `cube-gateway:bull`; on Cluster a hash tag, `{cube-gateway}:bull`. */
  prefix: string;
  onDue: WakeUpHandler;
  onError: (error: unknown) => void;
}

/**
 * Wake-ups as BullMQ delayed jobs: they live in Redis, so they outlive the instance that
 * scheduled them, and whichever instance's worker takes one runs it alone. The job id is the
 * token key (hex, no ':'), so scheduling the same token from several instances is one job.
 */
export function createBullmqScheduler(options: BullmqSchedulerOptions): ExpiryScheduler {
  const { prefix, onDue, onError } = options;
  const queue = new Queue<WakeUpData>(EXPIRY_QUEUE_NAME, {
    connection: options.connection,
    prefix,
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: true,
      attempts: WAKE_UP_ATTEMPTS,
      backoff: { type: 'exponential', delay: WAKE_UP_RETRY_BACKOFF_MS },
    },
  });
  const worker = new Worker<WakeUpData>(
    EXPIRY_QUEUE_NAME,
    async (job: Job<WakeUpData>, token?: string) => {
      const next = await onDue(job.data.tokenKey);
      if (next === null) return;
      // Same job, later time: BullMQ's way to re-delay a job from inside its processor.
      await job.moveToDelayed(next, token);
      throw new DelayedError();
    },
    {
      connection: options.workerConnection,
      prefix,
      concurrency: WORKER_CONCURRENCY,
      drainDelay: WORKER_DRAIN_DELAY_SECONDS,
      lockDuration: WORKER_LOCK_MS,
      stalledInterval: WORKER_LOCK_MS,
    },
  );
  queue.on('error', onError);
  worker.on('error', onError);
  worker.on('failed', (_job, error) => onError(error));

  return {
    async ensure(tokenKey, at) {
      // A job with this id already waiting is kept: it wakes no later than needed, because
      // expiries only move later, and re-delays itself when it comes early.
      await queue.add(WAKE_UP_JOB_NAME, { tokenKey }, { jobId: tokenKey, delay: Math.max(0, at - Date.now()) });
    },
    async cancel(tokenKey) {
      // A job running right now cannot be removed; it finds the record gone and ends.
      await queue.remove(tokenKey);
    },
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
