import { describe } from 'vitest';
import { redisUrl, reportRedisSkip } from './support.ts';
import { describeTrackerBehaviour } from './tracker-behaviour.ts';

reportRedisSkip('session tracker (redis)');
describe.runIf(redisUrl)('with Redis', () => describeTrackerBehaviour('redis'));
